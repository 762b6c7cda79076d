#include "tubelet/data/audio/audio_amplify.h"

#include <torch/torch.h>

#include <stdexcept>

namespace tubelet {

AudioAmplify::AudioAmplify(double ratio) : ratio_(ratio) {}

void AudioAmplify::apply(Sample& sample) {
  const torch::Tensor* audios = sample.tensor("audios");
  if (!audios) throw std::invalid_argument("AudioAmplify: the sample has no 'audios'");
  torch::Tensor out = audios->clone();
  // numpy multiplies a float32 array by a Python float in float32.
  if (out.scalar_type() == torch::kFloat32)
    out.mul_(static_cast<float>(ratio_));
  else
    out.mul_(ratio_);
  sample.set_tensor("audios", out);
  sample.info.set("amplify_ratio", Value(ratio_));
}

std::shared_ptr<Transform> AudioAmplify::from_config(Args& args) {
  const Value* ratio = args.find("ratio");
  if (!ratio) throw args.error("ratio", "missing required argument 'ratio'");
  if (!ratio->is_float())
    throw args.error("ratio", std::string("Amplification ratio should be float (TypeError), got ") +
                                  ratio->type_name() + " " + repr(*ratio));
  return std::make_shared<AudioAmplify>(ratio->as_float());
}

TUBELET_REGISTER(PIPELINES, AudioAmplify, AudioAmplify::from_config);

}  // namespace tubelet
