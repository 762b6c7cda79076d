#include "tubelet/data/pose/pose_decode.h"

#include <torch/torch.h>

#include <stdexcept>

#include "tubelet/data/transforms/common.h"

namespace tubelet {

namespace {

// np.squeeze of nested lists of ints: the numbers, when all but one level have one item.
void pose_decode_flatten(const Value& v, std::vector<int64_t>& out, std::vector<int64_t>& shape,
                         size_t depth) {
  if (!v.is_sequence()) {
    if (!v.is_int() && !v.is_bool())
      throw std::invalid_argument("PoseDecode: frame_inds holds a " + std::string(v.type_name()) +
                                  ", not an integer");
    out.push_back(v.as_int());
    return;
  }
  const List& items = v.as_list();
  if (shape.size() <= depth) shape.push_back(static_cast<int64_t>(items.size()));
  for (const Value& item : items) pose_decode_flatten(item, out, shape, depth + 1);
}

torch::Tensor pose_decode_indices(const Sample& sample) {
  if (const torch::Tensor* t = sample.tensor("frame_inds")) {
    torch::Tensor inds = t->squeeze();
    if (inds.dim() == 0) inds = inds.reshape({1});  // np.squeeze of [[i]] is 0-d
    if (inds.dim() != 1 || c10::isFloatingType(inds.scalar_type()))
      throw std::invalid_argument("PoseDecode: frame_inds must be integers in one dimension");
    return inds.to(torch::kLong).contiguous();
  }
  std::vector<int64_t> inds, shape;
  pose_decode_flatten(*sample.info.find("frame_inds"), inds, shape, 0);
  int64_t big = 0;
  for (int64_t s : shape) big += s != 1;
  if (big > 1)
    throw std::invalid_argument("PoseDecode: frame_inds must be one-dimensional once squeezed");
  return torch::tensor(inds, torch::kLong);
}

}  // namespace

void PoseDecode::apply(Sample& sample) {
  if (!sample.info.contains("frame_inds") && !sample.tensor("frame_inds")) {
    const int64_t n = sample.need("total_frames", type()).as_int();
    std::vector<int64_t> all(static_cast<size_t>(std::max<int64_t>(n, 0)));
    for (int64_t i = 0; i < n; ++i) all[static_cast<size_t>(i)] = i;
    sample.info.set("frame_inds", transforms::int_list(all));
  }
  torch::Tensor inds = pose_decode_indices(sample);
  if (const Value* nested = sample.info.find("frame_inds"); nested && nested->is_sequence()) {
    bool flat = true;
    for (const Value& v : nested->as_list()) flat = flat && !v.is_sequence();
    if (!flat) {  // MMAction2 writes the squeezed indices back
      std::vector<int64_t> values(inds.data_ptr<int64_t>(),
                                  inds.data_ptr<int64_t>() + inds.numel());
      sample.info.set("frame_inds", transforms::int_list(values));
    }
  }
  int64_t offset = 0;
  if (const Value* o = sample.info.find("offset")) offset = o->as_int();
  inds = inds + offset;
  for (const char* key : {"keypoint_score", "keypoint"}) {
    const torch::Tensor* t = sample.tensor(key);
    if (!t) continue;
    if (t->dim() < 2)
      throw std::invalid_argument(std::string("PoseDecode: '") + key +
                                  "' must be persons x frames x ..., got shape " +
                                  c10::str(t->sizes()));
    const int64_t frames = t->size(1);
    torch::Tensor idx = inds.clone();
    auto* p = idx.data_ptr<int64_t>();
    for (int64_t i = 0; i < idx.numel(); ++i) {
      if (p[i] < -frames || p[i] >= frames)
        throw std::out_of_range(std::string("PoseDecode: IndexError: index ") +
                                std::to_string(p[i]) + " is out of bounds for axis 1 of '" + key +
                                "' with size " + std::to_string(frames));
      if (p[i] < 0) p[i] += frames;
    }
    sample.set_tensor(key, t->index_select(1, idx).to(torch::kFloat));
  }
}

std::shared_ptr<Transform> PoseDecode::from_config(Args&) {
  return std::make_shared<PoseDecode>();
}

TUBELET_REGISTER(PIPELINES, PoseDecode, PoseDecode::from_config);

}  // namespace tubelet
