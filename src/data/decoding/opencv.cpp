// OpenCVInit and OpenCVDecode (MMAction2 0.24.1, pipelines/loading.py), served by the FFmpeg
// reader with OpenCV's own pixel conversion. OpenCVInit's copy of a remote file to a tmp dir
// is not needed: only io_backend='disk' is supported.
#include "data/decoding/decode_common.h"
#include "tubelet/data/transform.h"

namespace tubelet {
namespace {

class OpenCVInit : public Transform {
 public:
  void apply(Sample& sample) override {
    auto reader = decoding::open_video(sample, 1, type());
    sample.info.set("new_path", Value(reader->path()));
  }
  std::string type() const override { return "OpenCVInit"; }

  static std::shared_ptr<Transform> build(Args& args) {
    decoding::read_io_backend(args);
    // MMAction2's OpenCVInit(io_backend='disk', **kwargs) keeps its kwargs for a FileClient it
    // only makes for other backends, so with 'disk' they do nothing; its own
    // tsn_r50_video_inference config passes num_threads=1 (meant for DecordInit). Accepted and
    // unused here too: the reader decodes on one thread, as OpenCV's does.
    args.get<int64_t>("num_threads", 1);
    return std::make_shared<OpenCVInit>();
  }
};

class OpenCVDecode : public Transform {
 public:
  void apply(Sample& sample) override {
    auto reader = decoding::need_reader(sample, type());
    std::vector<int64_t> inds = decoding::frame_inds(sample, type());
    // mmcv.VideoReader counts negative indices from the end; one still out of range is an
    // IndexError there and an error from the reader here.
    for (int64_t& i : inds)
      if (i < 0 && i + reader->num_frames() >= 0) i += reader->num_frames();
    std::vector<cv::Mat> imgs = reader->frames(inds);
    sample.video_reader.reset();
    decoding::set_frames(sample, std::move(imgs), type());
  }
  std::string type() const override { return "OpenCVDecode"; }

  static std::shared_ptr<Transform> build(Args&) { return std::make_shared<OpenCVDecode>(); }
};

}  // namespace

TUBELET_REGISTER(PIPELINES, OpenCVInit, OpenCVInit::build);
TUBELET_REGISTER(PIPELINES, OpenCVDecode, OpenCVDecode::build);

}  // namespace tubelet
