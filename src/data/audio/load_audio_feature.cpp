#include "tubelet/data/audio/load_audio_feature.h"

#include <torch/torch.h>

#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "tubelet/data/localization/feature_files.h"

namespace tubelet {

LoadAudioFeature::LoadAudioFeature(std::string pad_method) : pad_method_(std::move(pad_method)) {
  if (pad_method_ != "zero" && pad_method_ != "random")
    throw std::invalid_argument("LoadAudioFeature: pad_method '" + pad_method_ +
                                "' is not implemented ('zero' or 'random')");
}

void LoadAudioFeature::apply(Sample& sample) {
  const Value& path_value = sample.need("audio_path", type());
  if (!path_value.is_str())
    throw std::invalid_argument("LoadAudioFeature: audio_path must be a str, got " +
                                repr(path_value));
  const std::string& path = path_value.as_str();
  torch::Tensor feature;
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    feature = load_npy(path);
    if (feature.dim() != 2)
      throw std::invalid_argument("LoadAudioFeature: '" + path + "' holds an array of shape " +
                                  c10::str(feature.sizes()) +
                                  "; audio features must be 2-D [time, frequency]");
  } else {
    std::cerr << "LoadAudioFeature: warning: '" << path << "' does not exist; using " << pad_method_
              << " padding of shape (" << kPadLength << ", " << kPadBins
              << ") (a video without audio)\n";
    feature = torch::zeros({kPadLength, kPadBins}, torch::kFloat32);
    if (pad_method_ == "random") {
      auto* data = feature.data_ptr<float>();
      for (int64_t i = 0; i < feature.numel(); ++i) data[i] = static_cast<float>(uniform01(sample));
    }
  }
  sample.info.set("length", Value(feature.size(0)));
  sample.set_tensor("audios", feature);
}

std::shared_ptr<Transform> LoadAudioFeature::from_config(Args& args) {
  std::string pad_method = args.get("pad_method", "zero");
  if (pad_method != "zero" && pad_method != "random")
    throw args.error("pad_method", "pad_method must be 'zero' or 'random' (NotImplementedError)");
  return std::make_shared<LoadAudioFeature>(pad_method);
}

TUBELET_REGISTER(PIPELINES, LoadAudioFeature, LoadAudioFeature::from_config);

}  // namespace tubelet
