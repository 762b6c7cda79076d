// ImageDecode (MMAction2 0.24.1, pipelines/loading.py): results['filename'] is one image file,
// read as mmcv.imfrombytes(bytes, channel_order='rgb') does with the cv2 backend
// (cv2.imdecode with IMREAD_COLOR, then BGR -> RGB): imgs is a list of that one H x W x 3 frame.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "data/decoding/decode_common.h"
#include "tubelet/data/transform.h"

namespace tubelet {
namespace {

std::vector<uchar> read_bytes(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw std::runtime_error("image '" + path + "' does not exist");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read image '" + path + "'");
  return std::vector<uchar>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class ImageDecode : public Transform {
 public:
  void apply(Sample& sample) override {
    const std::string filename = sample.need("filename", type()).as_str();
    std::vector<uchar> bytes = read_bytes(filename);
    cv::Mat img = bytes.empty() ? cv::Mat() : cv::imdecode(bytes, cv::IMREAD_COLOR);
    if (img.empty()) throw std::runtime_error("cannot decode image '" + filename + "'");
    cv::cvtColor(img, img, cv::COLOR_BGR2RGB);
    std::vector<cv::Mat> imgs;
    imgs.push_back(img);
    decoding::set_frames(sample, std::move(imgs), type());
  }
  std::string type() const override { return "ImageDecode"; }

  static std::shared_ptr<Transform> build(Args& args) {
    decoding::read_io_backend(args);
    // mmcv.use_backend's choices; all decode with OpenCV here.
    const std::string backend = args.get<std::string>("decoding_backend", "cv2");
    if (backend != "cv2" && backend != "pillow" && backend != "turbojpeg" && backend != "tifffile")
      throw args.error("decoding_backend",
                       "decoding_backend must be one of 'cv2', 'turbojpeg', "
                       "'pillow', 'tifffile', got '" +
                           backend + "'");
    return std::make_shared<ImageDecode>();
  }
};

}  // namespace

TUBELET_REGISTER(PIPELINES, ImageDecode, ImageDecode::build);

}  // namespace tubelet
