#include "tubelet/data/transforms/format_shape.h"

#include <torch/torch.h>

#include <stdexcept>

#include "tubelet/data/transforms/common.h"

namespace tubelet {

namespace {

torch::ScalarType scalar_type(int depth, const std::string& who) {
  switch (depth) {
    case CV_8U:
      return torch::kUInt8;
    case CV_8S:
      return torch::kInt8;
    case CV_16S:
      return torch::kInt16;
    case CV_32S:
      return torch::kInt32;
    case CV_32F:
      return torch::kFloat32;
    case CV_64F:
      return torch::kFloat64;
    default:
      throw std::invalid_argument(who + ": frames of an unsupported depth");
  }
}

}  // namespace

torch::Tensor stack_frames(const std::vector<cv::Mat>& frames, const std::string& who) {
  if (frames.empty()) throw std::invalid_argument(who + ": there are no frames to stack");
  const cv::Mat& first = frames.front();
  std::vector<int64_t> shape{static_cast<int64_t>(frames.size()), first.rows, first.cols};
  if (first.channels() > 1) shape.push_back(first.channels());
  auto out = torch::empty(shape, torch::TensorOptions().dtype(scalar_type(first.depth(), who)));
  auto* base = static_cast<uint8_t*>(out.data_ptr());
  size_t row_bytes = static_cast<size_t>(first.cols) * first.elemSize();
  for (size_t i = 0; i < frames.size(); ++i) {
    const cv::Mat& img = frames[i];
    if (img.type() != first.type() || img.size() != first.size() || img.dims != 2)
      throw std::invalid_argument(who + ": frame " + std::to_string(i) +
                                  " differs in size or type from the first");
    uint8_t* dst = base + i * row_bytes * first.rows;
    for (int y = 0; y < img.rows; ++y) std::memcpy(dst + y * row_bytes, img.ptr(y), row_bytes);
  }
  return out;
}

namespace {

int64_t info_int(Sample& sample, const char* key) {
  return sample.need(key, "FormatShape").as_int();
}

std::vector<int64_t> tail(const torch::Tensor& t, int64_t from) {
  auto sizes = t.sizes().vec();
  return {sizes.begin() + from, sizes.end()};
}

std::vector<int64_t> concat(std::vector<int64_t> head, const std::vector<int64_t>& rest) {
  head.insert(head.end(), rest.begin(), rest.end());
  return head;
}

}  // namespace

void FormatShape::apply(Sample& sample) {
  torch::Tensor imgs;
  if (!sample.imgs.empty())
    imgs = stack_frames(sample.imgs, type());
  else if (const torch::Tensor* t = sample.tensor("imgs"))
    imgs = *t;
  else
    throw std::invalid_argument("FormatShape: the sample has no 'imgs'");
  if (collapse_ && info_int(sample, "num_clips") != 1)
    throw std::invalid_argument("FormatShape: collapse needs num_clips == 1");
  if (input_format_ != "NCHW" && imgs.dim() != 4)
    throw std::invalid_argument("FormatShape: " + input_format_ + " needs N x H x W x C frames");
  try {
    if (input_format_ == "NCTHW") {
      int64_t clips = info_int(sample, "num_clips"), len = info_int(sample, "clip_len");
      imgs = imgs.reshape(concat({-1, clips, len}, tail(imgs, 1))).permute({0, 1, 5, 2, 3, 4});
      imgs = imgs.reshape(concat({-1}, tail(imgs, 2)));
    } else if (input_format_ == "NCHW") {
      imgs = imgs.permute({0, 3, 1, 2});
    } else if (input_format_ == "NCHW_Flow") {
      int64_t clips = info_int(sample, "num_clips"), len = info_int(sample, "clip_len");
      imgs = imgs.reshape(concat({-1, clips, len}, tail(imgs, 1))).permute({0, 1, 2, 5, 3, 4});
      imgs = imgs.reshape(concat({-1, imgs.size(2) * imgs.size(3)}, tail(imgs, 4)));
    } else {  // NPTCHW
      int64_t proposals = info_int(sample, "num_proposals");
      int64_t clips = info_int(sample, "num_clips"), len = info_int(sample, "clip_len");
      imgs = imgs.reshape(concat({proposals, clips * len}, tail(imgs, 1))).permute({0, 1, 4, 2, 3});
    }
  } catch (const c10::Error& e) {
    throw std::invalid_argument("FormatShape: cannot arrange " + std::to_string(imgs.size(0)) +
                                " frames as " + input_format_ + ": " + e.what_without_backtrace());
  }
  if (collapse_) {
    if (imgs.size(0) != 1)
      throw std::invalid_argument("FormatShape: collapse needs a leading dimension of 1");
    imgs = imgs.squeeze(0);
  }
  imgs = imgs.contiguous();
  sample.imgs.clear();
  sample.info.set("input_shape", transforms::int_tuple(imgs.sizes().vec()));
  sample.set_tensor("imgs", imgs);
}

namespace {

std::shared_ptr<Transform> build_format_shape(Args& args) {
  std::string format = args.required<std::string>("input_format");
  bool collapse = args.get<bool>("collapse", false);
  if (format != "NCTHW" && format != "NCHW" && format != "NCHW_Flow" && format != "NPTCHW")
    throw args.error("input_format", "The input format " + format + " is invalid.");
  return std::make_shared<FormatShape>(format, collapse);
}

}  // namespace

TUBELET_REGISTER(PIPELINES, FormatShape, build_format_shape);

}  // namespace tubelet
