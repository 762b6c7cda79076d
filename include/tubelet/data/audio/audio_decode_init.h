// AudioDecodeInit(io_backend='disk', sample_rate=16000, pad_method='zero'): reads
// results['audio_path'] as librosa.load(path, sr=sample_rate) would (audio_file.h: FFmpeg,
// channels averaged, resampled with libswresample) into "audios" ([length] float32), and sets
// `length` and `sample_rate`. A path that does not exist stands for a video without audio: as
// MMAction2, 10 s of zeros ('zero') or of uniform [-1, 1) draws ('random'), with a warning.
// A file that exists but cannot be decoded is an error naming it.
#pragma once

#include <string>

#include "tubelet/args.h"
#include "tubelet/data/transform.h"

namespace tubelet {

class AudioDecodeInit : public Transform {
 public:
  explicit AudioDecodeInit(int64_t sample_rate = 16000, std::string pad_method = "zero");
  void apply(Sample& sample) override;
  std::string type() const override { return "AudioDecodeInit"; }
  static std::shared_ptr<Transform> from_config(Args& args);

  // MMAction2 pads a missing file with int(round(10.0 * sample_rate)) samples.
  static constexpr double kPadSeconds = 10.0;

 private:
  int64_t sample_rate_;
  std::string pad_method_;
};

}  // namespace tubelet
