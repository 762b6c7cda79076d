// MMAction2's AudioRecognizer: audio feature clips [N, clips, 1, T, F] (the batch key
// "audios") through the backbone one clip at a time, the head's score per clip, and test_cfg's
// average over the clips. As in MMAction2, train_cfg's blending is not applied, and test_cfg's
// feature_extraction is not read by the forward.
#pragma once

#include "tubelet/models/recognizers/base_recognizer.h"

namespace tubelet {

class AudioRecognizerImpl : public BaseRecognizerImpl {
 public:
  using BaseRecognizerImpl::BaseRecognizerImpl;
  // audios [N, clips, C, T, F] -> [N, num_classes].
  torch::Tensor forward_test(const torch::Tensor& audios) override;
  torch::Tensor forward_dummy(const torch::Tensor& audios) override;
  // forward_train on the batch's "audios" and "label".
  StepOutputs train_step(const Batch& batch) override;
  StepOutputs val_step(const Batch& batch) override;
  torch::Tensor test_step(const Batch& batch) override;

 protected:
  HeadInput head_input(const torch::Tensor& audios, const torch::Tensor& target) override;
};
TORCH_MODULE(AudioRecognizer);

}  // namespace tubelet
