#include "tubelet/models/heads/stgcn_head.h"

#include <sstream>

#include "tubelet/models/heads/base_head.h"
#include "tubelet/models/registries.h"
#include "tubelet/models/weight_init.h"

namespace tubelet {

STGCNHeadImpl::STGCNHeadImpl(const STGCNHeadOptions& o, std::shared_ptr<Loss> loss,
                             HeadLossOptions loss_options)
    : options(o) {
  if (o.spatial_type() != "avg" && o.spatial_type() != "max")
    throw std::invalid_argument("STGCNHead: spatial_type must be 'avg' or 'max', not '" +
                                o.spatial_type() + "'");
  if (o.num_person() < 1 || o.num_classes() < 1 || o.in_channels() < 1)
    throw std::invalid_argument(
        "STGCNHead: num_classes, in_channels and num_person must be positive");
  set_loss(std::move(loss), std::move(loss_options));
  fc = register_module(
      "fc", torch::nn::Conv2d(torch::nn::Conv2dOptions(o.in_channels(), o.num_classes(), 1)));
  init_weights();
}

void STGCNHeadImpl::init_weights() {
  normal_init(*fc, 0, options.init_std());
}

torch::Tensor STGCNHeadImpl::forward_scores(const torch::Tensor& input, int64_t /*num_segs*/) {
  const int64_t m = options.num_person();
  if (input.dim() != 4 || input.size(0) % m != 0 || input.size(1) != options.in_channels()) {
    std::ostringstream s;
    s << "STGCNHead expects features [N * num_person, in_channels, T, V] with num_person = " << m
      << " and in_channels = " << options.in_channels() << ", got shape " << input.sizes();
    throw std::invalid_argument(s.str());
  }
  torch::Tensor x = options.spatial_type() == "avg"
                        ? torch::adaptive_avg_pool2d(input, {1, 1})
                        : std::get<0>(torch::adaptive_max_pool2d(input, {1, 1}));
  x = x.view({x.size(0) / m, m, -1, 1, 1}).mean(1);
  x = fc(x);
  return x.view({x.size(0), -1});
}

namespace {

std::shared_ptr<Head> build_stgcn_head(Args& args) {
  STGCNHeadOptions o(args.required<int64_t>("num_classes"), args.required<int64_t>("in_channels"));
  o.spatial_type(args.get("spatial_type", "avg"))
      .num_person(args.get<int64_t>("num_person", 2))
      .init_std(args.get("init_std", 0.01));
  if (o.spatial_type() != "avg" && o.spatial_type() != "max")
    throw args.error("spatial_type",
                     "spatial_type must be 'avg' or 'max' (MMAction2 raises "
                     "NotImplementedError), not '" +
                         o.spatial_type() + "'");
  if (o.num_person() < 1) throw args.error("num_person", "num_person must be positive");
  return std::make_shared<STGCNHeadImpl>(o, read_head_loss(args), read_head_loss_options(args));
}

}  // namespace

TUBELET_REGISTER(HEADS, STGCNHead, build_stgcn_head);

}  // namespace tubelet
