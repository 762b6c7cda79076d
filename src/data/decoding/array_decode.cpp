// ArrayDecode (MMAction2 0.24.1, pipelines/loading.py): the frames of a video that is already
// decoded, picked from results['array'] (a T x H x W x C uint8 tensor here, an ndarray there)
// by frame_inds. inference_recognizer runs it for an ndarray input in place of the config's
// decoder (apis/inference.h).
#include <opencv2/core.hpp>
#include <stdexcept>

#include "data/decoding/decode_common.h"
#include "tubelet/data/transform.h"

namespace tubelet {
namespace {

// array[index] with Python's indexing: negative counts from the end, the rest is an
// IndexError there and an error naming the index here.
int64_t array_python_index(int64_t index, int64_t size) {
  const int64_t i = index < 0 ? index + size : index;
  if (i < 0 || i >= size)
    throw std::out_of_range("ArrayDecode: index " + std::to_string(index) +
                            " is out of bounds for an array of " + std::to_string(size) +
                            " frames");
  return i;
}

// The array: a contiguous T x H x W x C uint8 tensor on the CPU.
const torch::Tensor& need_array_tensor(const Sample& sample) {
  const torch::Tensor* array = sample.tensor("array");
  if (!array) throw std::invalid_argument("ArrayDecode: the sample has no 'array'");
  if (array->scalar_type() != torch::kUInt8 || !array->device().is_cpu())
    throw std::invalid_argument(
        std::string("ArrayDecode: the array must be uint8 on the CPU, got ") +
        c10::toString(array->scalar_type()) + " on " + array->device().str());
  if (array->dim() != 4 || !array->is_contiguous())
    throw std::invalid_argument(
        "ArrayDecode: the array must be a contiguous T x H x W x C array, "
        "got " +
        std::to_string(array->dim()) + " dimensions");
  return *array;
}

// Frame `t` of the array as an H x W image of all its channels (a copy: the frames outlive
// the array in the pipeline, which may resize them in place).
cv::Mat array_frame(const torch::Tensor& array, int64_t t) {
  const int h = static_cast<int>(array.size(1)), w = static_cast<int>(array.size(2));
  const int c = static_cast<int>(array.size(3));
  return cv::Mat(h, w, CV_8UC(c), array[t].data_ptr<uint8_t>()).clone();
}

class ArrayDecode : public Transform {
 public:
  void apply(Sample& sample) override {
    const std::string modality = sample.need("modality", type()).as_str();
    if (modality != "RGB" && modality != "Flow")
      throw std::invalid_argument("ArrayDecode: modality '" + modality +
                                  "' is not supported (RGB or Flow)");
    const torch::Tensor& array = need_array_tensor(sample);
    if (modality == "Flow" && array.size(3) < 2)
      throw std::invalid_argument("ArrayDecode: a Flow array needs 2 channels (x, y), got " +
                                  std::to_string(array.size(3)));
    const Value* offset_value = sample.info.find("offset");
    const int64_t offset = offset_value ? offset_value->as_int() : 0;
    std::vector<cv::Mat> imgs;
    for (int64_t index : decoding::frame_inds(sample, type())) {
      cv::Mat img = array_frame(array, array_python_index(index + offset, array.size(0)));
      if (modality == "RGB") {
        imgs.push_back(img);
        continue;
      }
      // Flow: array[t, ..., 0] then array[t, ..., 1], each an H x W image.
      for (int axis = 0; axis < 2; ++axis) {
        cv::Mat component;
        cv::extractChannel(img, component, axis);
        imgs.push_back(component);
      }
    }
    decoding::set_frames(sample, std::move(imgs), type());
  }
  std::string type() const override { return "ArrayDecode"; }

  static std::shared_ptr<Transform> build(Args&) { return std::make_shared<ArrayDecode>(); }
};

}  // namespace

TUBELET_REGISTER(PIPELINES, ArrayDecode, ArrayDecode::build);

}  // namespace tubelet
