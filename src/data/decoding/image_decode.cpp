// ImageDecode (MMAction2 0.24.1, pipelines/loading.py): results['filename'] is one image file,
// read as mmcv.imfrombytes(bytes, channel_order='rgb') does with the cv2 backend
// (cv2.imdecode with IMREAD_COLOR, then BGR -> RGB): imgs is a list of that one H x W x 3 frame.
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "data/decoding/decode_common.h"
#include "tubelet/data/transform.h"

namespace tubelet {
namespace {

class ImageDecode : public Transform {
 public:
  void apply(Sample& sample) override {
    const std::string filename = sample.need("filename", type()).as_str();
    cv::Mat img = decoding::read_image_file(filename, cv::IMREAD_COLOR, "image");
    cv::cvtColor(img, img, cv::COLOR_BGR2RGB);
    std::vector<cv::Mat> imgs;
    imgs.push_back(img);
    decoding::set_frames(sample, std::move(imgs), type());
  }
  std::string type() const override { return "ImageDecode"; }

  static std::shared_ptr<Transform> build(Args& args) {
    decoding::read_io_backend(args);
    decoding::read_decoding_backend(args);
    return std::make_shared<ImageDecode>();
  }
};

}  // namespace

TUBELET_REGISTER(PIPELINES, ImageDecode, ImageDecode::build);

}  // namespace tubelet
