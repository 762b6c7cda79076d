#include "tubelet/data/sample_pth.h"

#include <torch/torch.h>

#include <stdexcept>

#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/checkpoint/pth.h"

namespace tubelet {

namespace {

using checkpoint::PyObject;

torch::ScalarType frame_dtype(const cv::Mat& m) {
  switch (m.depth()) {
    case CV_8U:
      return torch::kUInt8;
    case CV_32F:
      return torch::kFloat32;
    case CV_64F:
      return torch::kFloat64;
    default:
      throw std::invalid_argument("cannot write a frame of OpenCV depth " +
                                  std::to_string(m.depth()) + " as a tensor");
  }
}

// A copy of the frame: H x W x C, or H x W for one channel (a flow component).
torch::Tensor frame_tensor(const cv::Mat& frame) {
  cv::Mat m = frame.isContinuous() ? frame : frame.clone();
  std::vector<int64_t> shape{m.rows, m.cols};
  if (m.channels() > 1) shape.push_back(m.channels());
  return torch::from_blob(m.data, shape, frame_dtype(m)).clone();
}

}  // namespace

PyObject* sample_to_pyobject(checkpoint::PickleArena& arena, const Sample& sample) {
  PyObject* root = arena.make(PyObject::Kind::Dict);
  for (const auto& [key, value] : sample.info.items())
    if (!key.is_str() || !sample.tensor(key.as_str()))
      root->entries.emplace_back(checkpoint::to_pyobject(arena, key),
                                 checkpoint::to_pyobject(arena, value));
  for (const auto& [key, tensor] : sample.tensors)
    root->entries.emplace_back(checkpoint::make_str(arena, key),
                               checkpoint::make_tensor(arena, tensor));
  if (!sample.imgs.empty() && !sample.tensor("imgs")) {
    PyObject* frames = arena.make(PyObject::Kind::List);
    for (const cv::Mat& frame : sample.imgs)
      frames->items.push_back(checkpoint::make_tensor(arena, frame_tensor(frame)));
    root->entries.emplace_back(checkpoint::make_str(arena, "imgs"), frames);
  }
  return root;
}

void write_sample_pth(const std::string& path, const Sample& sample) {
  checkpoint::PickleArena arena;
  checkpoint::write_pth(path, *sample_to_pyobject(arena, sample));
}

}  // namespace tubelet
