#include "tubelet/data/audio/format_audio_shape.h"

#include <torch/torch.h>

#include <stdexcept>

#include "tubelet/data/transforms/common.h"

namespace tubelet {

FormatAudioShape::FormatAudioShape(std::string input_format)
    : input_format_(std::move(input_format)) {
  if (input_format_ != "NCTF")
    throw std::invalid_argument("FormatAudioShape: The input format " + input_format_ +
                                " is invalid.");
}

void FormatAudioShape::apply(Sample& sample) {
  const torch::Tensor* audios = sample.tensor("audios");
  if (!audios) throw std::invalid_argument("FormatAudioShape: the sample has no 'audios'");
  if (audios->dim() != 3)
    throw std::invalid_argument("FormatAudioShape: 'audios' must be [clips, T, F], got " +
                                c10::str(audios->sizes()));
  torch::Tensor out = audios->unsqueeze(1).contiguous();
  sample.info.set("input_shape", transforms::int_tuple(out.sizes().vec()));
  sample.set_tensor("audios", out);
}

std::shared_ptr<Transform> FormatAudioShape::from_config(Args& args) {
  std::string format = args.required<std::string>("input_format");
  if (format != "NCTF")
    throw args.error("input_format", "The input format " + format + " is invalid.");
  return std::make_shared<FormatAudioShape>(format);
}

TUBELET_REGISTER(PIPELINES, FormatAudioShape, FormatAudioShape::from_config);

}  // namespace tubelet
