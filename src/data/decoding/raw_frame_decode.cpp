// RawFrameDecode (MMAction2 0.24.1, pipelines/loading.py): frames stored as images, read with
// OpenCV as mmcv.imfrombytes does (BGR -> RGB for colour, grayscale x/y images for Flow).
#include <filesystem>
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "data/decoding/decode_common.h"
#include "tubelet/config/format.h"
#include "tubelet/data/transform.h"

namespace tubelet {
namespace {

// filename_tmpl.format(*args), with Python's format rules.
std::string format_name(const std::string& tmpl, const List& args) {
  return python_format(tmpl, args);
}

// The gt_bboxes and proposals of AVA-style samples are relative; RawFrameDecode scales them
// to pixels (float32) once the frame size is known.
void scale_boxes(Sample& sample) {
  const torch::Tensor* boxes = sample.tensor("gt_bboxes");
  if (!boxes) return;
  const int64_t h = sample.imgs[0].rows, w = sample.imgs[0].cols;
  const torch::Tensor scale = torch::tensor({w, h, w, h}, torch::kDouble);
  sample.set_tensor("gt_bboxes", (boxes->to(torch::kDouble) * scale).to(torch::kFloat));
  if (const torch::Tensor* proposals = sample.tensor("proposals"))
    sample.set_tensor("proposals", (proposals->to(torch::kDouble) * scale).to(torch::kFloat));
}

class RawFrameDecode : public Transform {
 public:
  void apply(Sample& sample) override {
    const std::string dir = sample.need("frame_dir", type()).as_str();
    const std::string tmpl = sample.need("filename_tmpl", type()).as_str();
    const std::string modality = sample.need("modality", type()).as_str();
    if (modality != "RGB" && modality != "Flow")
      throw std::invalid_argument("RawFrameDecode: modality '" + modality +
                                  "' is not supported (RGB or Flow)");
    const Value* offset_value = sample.info.find("offset");
    const int64_t offset = offset_value ? offset_value->as_int() : 0;
    const std::vector<int64_t> inds = decoding::frame_inds(sample, type());
    const bool rgb = modality == "RGB";
    const size_t per_frame = rgb ? 1 : 2;

    std::vector<cv::Mat> imgs;
    std::map<int64_t, size_t> cache;  // index -> its first position in frame_inds
    for (size_t i = 0; i < inds.size(); ++i) {
      auto hit = cache.find(inds[i]);
      if (hit != cache.end()) {
        for (size_t k = 0; k < per_frame; ++k)
          imgs.push_back(imgs[per_frame * hit->second + k].clone());
        continue;
      }
      cache.emplace(inds[i], i);
      const int64_t idx = inds[i] + offset;
      if (rgb) {
        cv::Mat img =
            decoding::read_image_file(std::filesystem::path(dir) / format_name(tmpl, {Value(idx)}),
                                      cv::IMREAD_COLOR, "frame image");
        cv::cvtColor(img, img, cv::COLOR_BGR2RGB);
        imgs.push_back(img);
      } else {
        for (const char* axis : {"x", "y"})
          imgs.push_back(decoding::read_image_file(
              std::filesystem::path(dir) / format_name(tmpl, {Value(axis), Value(idx)}),
              cv::IMREAD_GRAYSCALE, "frame image"));
      }
    }
    decoding::set_frames(sample, std::move(imgs), type());
    scale_boxes(sample);
  }
  std::string type() const override { return "RawFrameDecode"; }

  static std::shared_ptr<Transform> build(Args& args) {
    decoding::read_io_backend(args);
    decoding::read_decoding_backend(args);
    return std::make_shared<RawFrameDecode>();
  }
};

}  // namespace

TUBELET_REGISTER(PIPELINES, RawFrameDecode, RawFrameDecode::build);

}  // namespace tubelet
