#include "tubelet/models/heads/audio_tsn_head.h"

#include <torch/torch.h>

#include "tubelet/models/heads/base_head.h"
#include "tubelet/models/registries.h"

namespace tubelet {

AudioTSNHeadImpl::AudioTSNHeadImpl(const AudioTSNHeadOptions& o, std::shared_ptr<Loss> loss,
                                   HeadLossOptions loss_options)
    : options(o) {
  set_loss(std::move(loss), std::move(loss_options));
  set_classifier(o.in_channels(), o.num_classes(), o.dropout_ratio(), o.init_std());
}

torch::Tensor AudioTSNHeadImpl::forward_scores(const torch::Tensor& input, int64_t /*num_segs*/) {
  TORCH_CHECK(input.dim() == 4, "AudioTSNHead expects [N, C, T, F] maps, got ", input.sizes());
  torch::Tensor x = input;
  if (options.spatial_type() == "avg") x = torch::adaptive_avg_pool2d(x, {1, 1});
  return classify(x);
}

namespace {

std::shared_ptr<Head> build_audio_tsn_head(Args& args) {
  AudioTSNHeadOptions o(args.required<int64_t>("num_classes"),
                        args.required<int64_t>("in_channels"));
  // None (or anything but "avg") means no pooling, as in MMAction2.
  o.spatial_type(args.get<std::optional<std::string>>("spatial_type", "avg").value_or(""))
      .dropout_ratio(args.get("dropout_ratio", 0.4))
      .init_std(args.get("init_std", 0.01));
  return std::make_shared<AudioTSNHeadImpl>(o, read_head_loss(args), read_head_loss_options(args));
}

}  // namespace

TUBELET_REGISTER(HEADS, AudioTSNHead, build_audio_tsn_head);

}  // namespace tubelet
