#include "tubelet/data/audio/audio_decode_init.h"

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "data/decoding/decode_common.h"
#include "tubelet/data/audio/audio_file.h"

namespace tubelet {

namespace {

bool valid_pad_method(const std::string& m) {
  return m == "zero" || m == "random";
}

// _zero_pad / _random_pad: np.random.rand(n).astype(np.float32) * 2 - 1 for 'random'.
torch::Tensor pad_audio(Sample& sample, int64_t length, const std::string& pad_method) {
  torch::Tensor audio = torch::zeros({length}, torch::kFloat32);
  if (pad_method == "random") {
    float* data = audio.data_ptr<float>();
    for (int64_t i = 0; i < length; ++i)
      data[i] = static_cast<float>(uniform01(sample)) * 2.0f - 1.0f;
  }
  return audio;
}

}  // namespace

AudioDecodeInit::AudioDecodeInit(int64_t sample_rate, std::string pad_method)
    : sample_rate_(sample_rate), pad_method_(std::move(pad_method)) {
  if (sample_rate_ < 1)
    throw std::invalid_argument("AudioDecodeInit: sample_rate must be positive, got " +
                                std::to_string(sample_rate_));
  if (!valid_pad_method(pad_method_))
    throw std::invalid_argument("AudioDecodeInit: pad_method '" + pad_method_ +
                                "' is not implemented ('zero' or 'random')");
}

void AudioDecodeInit::apply(Sample& sample) {
  const Value& path_value = sample.need("audio_path", type());
  if (!path_value.is_str())
    throw std::invalid_argument("AudioDecodeInit: audio_path must be a str, got " +
                                repr(path_value));
  const std::string& path = path_value.as_str();
  torch::Tensor audio;
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    audio = audio::load_audio(path, sample_rate_).samples;
  } else {
    const auto length = static_cast<int64_t>(
        std::nearbyint(kPadSeconds * static_cast<double>(sample_rate_)));  // Python's round
    std::cerr << "AudioDecodeInit: warning: '" << path << "' does not exist; using " << pad_method_
              << " padding of " << length << " samples (10 s, a video without "
              << "audio)\n";
    audio = pad_audio(sample, length, pad_method_);
  }
  sample.info.set("length", Value(audio.size(0)));
  sample.info.set("sample_rate", Value(sample_rate_));
  sample.set_tensor("audios", audio);
}

std::shared_ptr<Transform> AudioDecodeInit::from_config(Args& args) {
  decoding::read_io_backend(args);
  const auto sample_rate = args.get<int64_t>("sample_rate", 16000);
  if (sample_rate < 1) throw args.error("sample_rate", "sample_rate must be positive");
  const std::string pad_method = args.get("pad_method", "zero");
  if (!valid_pad_method(pad_method))
    throw args.error("pad_method", "pad_method must be 'zero' or 'random', got '" + pad_method +
                                       "' (NotImplementedError)");
  return std::make_shared<AudioDecodeInit>(sample_rate, pad_method);
}

TUBELET_REGISTER(PIPELINES, AudioDecodeInit, AudioDecodeInit::from_config);

}  // namespace tubelet
