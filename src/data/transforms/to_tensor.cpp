#include "tubelet/data/transforms/to_tensor.h"

#include <torch/torch.h>

#include <stdexcept>

#include "tubelet/data/transforms/common.h"
#include "tubelet/data/transforms/format_shape.h"

namespace tubelet {

namespace {

std::invalid_argument not_convertible(const Value& v) {
  return std::invalid_argument("type " + transforms::python_type(v) +
                               " cannot be converted to tensor.");
}

// torch.tensor(nested numbers): the shape of the nesting, the numbers flattened.
void flatten(const Value& v, size_t depth, std::vector<int64_t>& shape, std::vector<double>& out,
             bool& any_float, bool& all_bool) {
  if (v.is_sequence()) {
    const List& items = v.as_list();
    if (depth == shape.size()) {
      if (!out.empty()) throw std::invalid_argument("torch.tensor: ragged nested sequence");
      shape.push_back(static_cast<int64_t>(items.size()));
    } else if (depth > shape.size() || shape[depth] != static_cast<int64_t>(items.size())) {
      throw std::invalid_argument("torch.tensor: ragged nested sequence");
    }
    for (const Value& item : items) flatten(item, depth + 1, shape, out, any_float, all_bool);
    return;
  }
  if (!v.is_number() || depth != shape.size()) throw not_convertible(v);
  any_float = any_float || v.is_float();
  all_bool = all_bool && v.is_bool();
  out.push_back(v.as_float());
}

}  // namespace

torch::Tensor value_to_tensor(const Value& v) {
  if (v.is_int() || v.is_bool()) return torch::tensor({v.as_int()}, torch::kInt64);
  if (v.is_float()) return torch::tensor({static_cast<float>(v.as_float())}, torch::kFloat32);
  if (!v.is_sequence()) throw not_convertible(v);
  std::vector<int64_t> shape;
  std::vector<double> flat;
  bool any_float = false, all_bool = true;
  flatten(v, 0, shape, flat, any_float, all_bool);
  auto dtype =
      any_float ? torch::kFloat32 : (all_bool && !flat.empty() ? torch::kBool : torch::kInt64);
  if (flat.empty()) dtype = torch::kFloat32;  // torch.tensor([]) is float32
  auto t = torch::tensor(flat, torch::kFloat64).reshape(shape);
  if (dtype == torch::kInt64) {
    std::vector<int64_t> ints;
    for (double x : flat) ints.push_back(static_cast<int64_t>(x));
    return torch::tensor(ints, torch::kInt64).reshape(shape);
  }
  return t.to(dtype);
}

void ToTensor::apply(Sample& sample) {
  for (const std::string& key : keys_) {
    if (sample.tensor(key)) continue;
    if (key == "imgs" && !sample.imgs.empty()) {
      sample.set_tensor("imgs", stack_frames(sample.imgs, type()));
      sample.imgs.clear();
      continue;
    }
    const Value* v = sample.info.find(key);
    if (!v) throw std::invalid_argument("ToTensor: KeyError: '" + key + "'");
    torch::Tensor t = value_to_tensor(*v);
    sample.info.erase(key);
    sample.set_tensor(key, t);
  }
}

void ImageToTensor::apply(Sample& sample) {
  for (const std::string& key : keys_) {
    const torch::Tensor* t = sample.tensor(key);
    if (!t || t->dim() != 3)
      throw std::invalid_argument("ImageToTensor: '" + key +
                                  "' must be an H x W x C array (a tensor of the sample)");
    sample.set_tensor(key, t->permute({2, 0, 1}).contiguous());
  }
}

void Transpose::apply(Sample& sample) {
  for (const std::string& key : keys_) {
    const torch::Tensor* t = sample.tensor(key);
    if (!t) throw std::invalid_argument("Transpose: '" + key + "' must be an array");
    if (static_cast<int64_t>(order_.size()) != t->dim())
      throw std::invalid_argument("Transpose: axes don't match array");
    sample.set_tensor(key, t->permute(order_).contiguous());
  }
}

namespace {

std::shared_ptr<Transform> build_to_tensor(Args& args) {
  return std::make_shared<ToTensor>(args.required<std::vector<std::string>>("keys"));
}

std::shared_ptr<Transform> build_image_to_tensor(Args& args) {
  return std::make_shared<ImageToTensor>(args.required<std::vector<std::string>>("keys"));
}

std::shared_ptr<Transform> build_transpose(Args& args) {
  auto keys = args.required<std::vector<std::string>>("keys");
  return std::make_shared<Transpose>(keys, args.required<std::vector<int64_t>>("order"));
}

}  // namespace

TUBELET_REGISTER(PIPELINES, ToTensor, build_to_tensor);
TUBELET_REGISTER(PIPELINES, ImageToTensor, build_image_to_tensor);
TUBELET_REGISTER(PIPELINES, Transpose, build_transpose);

}  // namespace tubelet
