// DecordInit and DecordDecode (MMAction2 0.24.1, pipelines/loading.py), served by the FFmpeg
// reader: decord numbers frames in presentation order and get_batch() returns them exactly.
#include <algorithm>

#include "data/decoding/decode_common.h"
#include "tubelet/data/transform.h"

namespace tubelet {
namespace {

class DecordInit : public Transform {
 public:
  explicit DecordInit(int num_threads) : num_threads_(num_threads) {}
  void apply(Sample& sample) override { decoding::open_video(sample, num_threads_, type()); }
  std::string type() const override { return "DecordInit"; }

  static std::shared_ptr<Transform> build(Args& args) {
    decoding::read_io_backend(args);
    const int64_t threads = args.get<int64_t>("num_threads", 1);
    if (threads < 0) throw args.error("num_threads", "num_threads must be >= 0");
    // decord's 0 means "let FFmpeg choose"; one thread per sample is what the loader wants.
    return std::make_shared<DecordInit>(static_cast<int>(std::max<int64_t>(threads, 1)));
  }

 private:
  int num_threads_;
};

// decord's 'efficient' mode: seek(idx) then next() for each index. seek() lands on the key
// frame before idx, but is skipped when idx is where the previous next() left off, and then
// next() gives the frame after the previous one.
std::vector<int64_t> efficient_frames(const FFmpegVideoReader& reader,
                                      const std::vector<int64_t>& inds) {
  std::vector<int64_t> out;
  int64_t position = 0, last = -1;
  const int64_t n = reader.num_frames();
  for (int64_t idx : inds) {
    const int64_t frame =
        idx == position ? last + 1 : reader.key_frame_of(std::clamp<int64_t>(idx, 0, n - 1));
    out.push_back(std::min(frame, n - 1));
    last = out.back();
    position = idx + 1;
  }
  return out;
}

class DecordDecode : public Transform {
 public:
  explicit DecordDecode(bool efficient) : efficient_(efficient) {}
  void apply(Sample& sample) override {
    auto reader = decoding::need_reader(sample, type());
    const std::vector<int64_t> inds = decoding::frame_inds(sample, type());
    auto* ffmpeg = dynamic_cast<FFmpegVideoReader*>(reader.get());
    std::vector<cv::Mat> imgs = !efficient_ ? reader->frames(inds)
                                : ffmpeg    ? reader->frames(efficient_frames(*ffmpeg, inds))
                                            : decoding::key_frames(*reader, inds);
    sample.video_reader.reset();
    decoding::set_frames(sample, std::move(imgs), type());
  }
  std::string type() const override { return "DecordDecode"; }

  static std::shared_ptr<Transform> build(Args& args) {
    const std::string mode = args.get<std::string>("mode", "accurate");
    if (mode != "accurate" && mode != "efficient")
      throw args.error("mode", "mode must be 'accurate' or 'efficient', got '" + mode + "'");
    return std::make_shared<DecordDecode>(mode == "efficient");
  }

 private:
  bool efficient_;
};

}  // namespace

TUBELET_REGISTER(PIPELINES, DecordInit, DecordInit::build);
TUBELET_REGISTER(PIPELINES, DecordDecode, DecordDecode::build);

}  // namespace tubelet
