// PyAVInit and PyAVDecode (MMAction2 0.24.1, pipelines/loading.py), served by the FFmpeg
// reader.
#include "data/decoding/decode_common.h"
#include "tubelet/data/transform.h"

namespace tubelet {
namespace {

class PyAVInit : public Transform {
 public:
  void apply(Sample& sample) override { decoding::open_video(sample, 1, type()); }
  std::string type() const override { return "PyAVInit"; }

  static std::shared_ptr<Transform> build(Args& args) {
    decoding::read_io_backend(args);
    return std::make_shared<PyAVInit>();
  }
};

class PyAVDecode : public Transform {
 public:
  explicit PyAVDecode(bool efficient) : efficient_(efficient) {}
  void apply(Sample& sample) override {
    auto reader = decoding::need_reader(sample, type());
    std::vector<int64_t> inds = decoding::frame_inds(sample, type());
    std::vector<cv::Mat> imgs;
    if (efficient_) {
      imgs = decoding::key_frames(*reader, inds);
    } else {
      // PyAV decodes up to max(frame_inds) + 1 and indexes what it got modulo its length:
      // an index past the end wraps around (Python's %, so never negative).
      const int64_t n = reader->num_frames();
      for (int64_t& i : inds) i = ((i % n) + n) % n;
      imgs = reader->frames(inds);
    }
    sample.video_reader.reset();
    decoding::set_frames(sample, std::move(imgs), type());
  }
  std::string type() const override { return "PyAVDecode"; }

  static std::shared_ptr<Transform> build(Args& args) {
    // multi_thread only changes PyAV's speed, never its pixels: read and accepted.
    args.get<bool>("multi_thread", false);
    const std::string mode = args.get<std::string>("mode", "accurate");
    if (mode != "accurate" && mode != "efficient")
      throw args.error("mode", "mode must be 'accurate' or 'efficient', got '" + mode + "'");
    return std::make_shared<PyAVDecode>(mode == "efficient");
  }

 private:
  bool efficient_;
};

}  // namespace

TUBELET_REGISTER(PIPELINES, PyAVInit, PyAVInit::build);
TUBELET_REGISTER(PIPELINES, PyAVDecode, PyAVDecode::build);

}  // namespace tubelet
