#include "tubelet/models/recognizers/audio_recognizer.h"

#include "tubelet/models/registries.h"

namespace tubelet {

namespace {
// [N, clips, ...] -> [N * clips, ...].
torch::Tensor flatten_clips(const torch::Tensor& audios) {
  TORCH_CHECK(audios.dim() >= 3, "AudioRecognizer expects [N, clips, C, T, F] audios, got ",
              audios.sizes());
  std::vector<int64_t> shape{-1};
  for (int64_t d = 2; d < audios.dim(); ++d) shape.push_back(audios.size(d));
  return audios.reshape(shape);
}
}  // namespace

HeadInput AudioRecognizerImpl::head_input(const torch::Tensor& audios,
                                          const torch::Tensor& /*target*/) {
  return {extract_feats(flatten_clips(audios)), audios.size(1), {}};
}

torch::Tensor AudioRecognizerImpl::forward_dummy(const torch::Tensor& audios) {
  HeadInput in = head_input(audios, {});
  return cls_head->forward_scores_from(in.feats, in.num_segs);
}

torch::Tensor AudioRecognizerImpl::forward_test(const torch::Tensor& audios) {
  HeadInput in = head_input(audios, {});
  return average_clip(cls_head->forward_scores_from(in.feats, in.num_segs), in.num_segs);
}

StepOutputs AudioRecognizerImpl::train_step(const Batch& batch) {
  return parse_losses(forward_train(batch.at("audios"), batch.at("label")), batch.size());
}

StepOutputs AudioRecognizerImpl::val_step(const Batch& batch) {
  return train_step(batch);
}

torch::Tensor AudioRecognizerImpl::test_step(const Batch& batch) {
  return forward_test(batch.at("audios"));
}

namespace {
std::shared_ptr<BaseRecognizerImpl> build_audio_recognizer(Args& args) {
  RecognizerParts p = read_recognizer_parts(args);
  if (p.neck)
    throw ConfigError(args.path() +
                      ": AudioRecognizer does not use a neck (MMAction2's ignores "
                      "it); remove `neck`");
  return std::make_shared<AudioRecognizerImpl>(p.backbone, p.cls_head, p.test_cfg);
}
}  // namespace

TUBELET_REGISTER(RECOGNIZERS, AudioRecognizer, build_audio_recognizer);

}  // namespace tubelet
