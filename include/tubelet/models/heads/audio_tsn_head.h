// MMAction2's AudioTSNHead: TSN's classifier for audio clips, with no segment consensus: each
// clip's map [N * clips, C, T, F] is average-pooled (spatial_type "avg"), dropped out and
// classified by fc_cls (checkpoint keys cls_head.fc_cls.weight/bias); the recognizer averages
// the clips at test time.
#pragma once

#include <string>

#include "tubelet/args.h"
#include "tubelet/models/head.h"

namespace tubelet {

struct AudioTSNHeadOptions {
  AudioTSNHeadOptions(int64_t num_classes, int64_t in_channels)
      : num_classes_(num_classes), in_channels_(in_channels) {}
  TORCH_ARG(int64_t, num_classes);
  TORCH_ARG(int64_t, in_channels);
  /// "avg" pools T and F away; anything else keeps them (the input must then be 1x1).
  TORCH_ARG(std::string, spatial_type) = "avg";
  TORCH_ARG(double, dropout_ratio) = 0.4;
  TORCH_ARG(double, init_std) = 0.01;
};

class AudioTSNHeadImpl : public Head {
 public:
  AudioTSNHeadImpl(const AudioTSNHeadOptions& options, std::shared_ptr<Loss> loss_cls,
                   HeadLossOptions loss_options);
  // [N * clips, C, T, F] -> [N * clips, num_classes]; num_segs is not used (no consensus).
  torch::Tensor forward_scores(const torch::Tensor& x, int64_t num_segs) override;

  AudioTSNHeadOptions options;
};
TORCH_MODULE(AudioTSNHead);

}  // namespace tubelet
