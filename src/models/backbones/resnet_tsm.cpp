#include "tubelet/models/backbones/resnet_tsm.h"
#include "tubelet/models/freezing.h"

#include "tubelet/models/registries.h"

namespace tubelet {

TemporalShiftImpl::TemporalShiftImpl(torch::nn::AnyModule net, int64_t num_segments,
                                     int64_t shift_div)
    : net_(std::move(net)), num_segments_(num_segments), shift_div_(shift_div) {
  register_module("net", net_.ptr());
}

torch::Tensor TemporalShiftImpl::forward(const torch::Tensor& x) {
  return net_.forward(shift(x, num_segments_, shift_div_));
}

torch::Tensor TemporalShiftImpl::shift(const torch::Tensor& x, int64_t num_segments,
                                       int64_t shift_div) {
  int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  TORCH_CHECK(n % num_segments == 0, "TemporalShift: batch ", n, " is not a multiple of ",
              num_segments, " segments");
  torch::Tensor v = x.view({-1, num_segments, c, h * w});
  int64_t fold = c / shift_div;
  using torch::indexing::Slice;
  // Channels [0, fold) take the next segment's values, [fold, 2 fold) the previous one's;
  // the segment that has no neighbour gets zeros.
  torch::Tensor left = v.index({Slice(), Slice(), Slice(0, fold)});
  torch::Tensor mid = v.index({Slice(), Slice(), Slice(fold, 2 * fold)});
  torch::Tensor right = v.index({Slice(), Slice(), Slice(2 * fold, torch::indexing::None)});
  torch::Tensor left_blank = torch::zeros_like(left.index({Slice(), Slice(0, 1)}));
  torch::Tensor mid_blank = torch::zeros_like(mid.index({Slice(), Slice(0, 1)}));
  left = torch::cat({left.index({Slice(), Slice(1, torch::indexing::None)}), left_blank}, 1);
  mid = torch::cat({mid_blank, mid.index({Slice(), Slice(0, -1)})}, 1);
  return torch::cat({left, mid, right}, 2).view({n, c, h, w});
}

TemporalPoolImpl::TemporalPoolImpl(torch::nn::Sequential net, int64_t num_segments)
    : net_(register_module("net", std::move(net))), num_segments_(num_segments) {
  max_pool3d_ = register_module(
      "max_pool3d",
      torch::nn::MaxPool3d(
          torch::nn::MaxPool3dOptions({3, 1, 1}).stride({2, 1, 1}).padding({1, 0, 0})));
}

torch::Tensor TemporalPoolImpl::forward(const torch::Tensor& x) {
  int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  TORCH_CHECK(n % num_segments_ == 0, "TemporalPool: batch ", n, " is not a multiple of ",
              num_segments_, " segments");
  torch::Tensor t = x.view({n / num_segments_, num_segments_, c, h, w}).transpose(1, 2);
  t = max_pool3d_(t);  // [N / segments, C, segments / 2 (rounded up), H, W]
  // MMAction2 views the result as n / 2 frames, which needs an even segment count.
  TORCH_CHECK(t.numel() == (n / 2) * c * h * w, "TemporalPool: ", num_segments_,
              " segments do not halve evenly");
  return net_->forward(t.transpose(1, 2).contiguous().view({n / 2, c, h, w}));
}

NL3DWrapperImpl::NL3DWrapperImpl(torch::nn::AnyModule block, int64_t num_segments,
                                 const NonLocalOptions& non_local)
    : block_(std::move(block)), num_segments_(num_segments) {
  register_module("block", block_.ptr());
  non_local_block_ = register_module("non_local_block", NonLocal(3, non_local));
}

torch::Tensor NL3DWrapperImpl::forward(const torch::Tensor& input) {
  torch::Tensor x = block_.forward(input);
  int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  TORCH_CHECK(n % num_segments_ == 0, "NL3DWrapper: batch ", n, " is not a multiple of ",
              num_segments_, " segments");
  x = x.view({n / num_segments_, num_segments_, c, h, w}).transpose(1, 2).contiguous();
  x = non_local_block_(x);
  return x.transpose(1, 2).contiguous().view({n, c, h, w});
}

ResNetTSMImpl::ResNetTSMImpl(const ResNetOptions& resnet, const ResNetTSMOptions& tsm)
    : ResNetImpl(resnet), tsm_options(tsm), stages_(res_layers()) {
  if (tsm.is_shift()) make_temporal_shift();
  if (tsm.non_local_cfg()) make_non_local();
  if (tsm.temporal_pool()) make_temporal_pool();
}

void ResNetTSMImpl::replace_stage(size_t index, torch::nn::Sequential stage) {
  stages_[index] = replace_module("layer" + std::to_string(index + 1), stage);
}

void ResNetTSMImpl::make_temporal_shift() {
  const ResNetTSMOptions& tsm = tsm_options;
  // With temporal pooling, the stages after the first see half the segments.
  auto segments_of = [&](size_t stage) {
    return tsm.temporal_pool() && stage > 0 ? tsm.num_segments() / 2 : tsm.num_segments();
  };
  if (segments_of(3) <= 0)
    throw ConfigError(options.path() +
                      ": num_segments must leave a positive count for the "
                      "last stage");
  if (tsm.shift_place() == "block") {
    for (size_t s = 0; s < stages_.size(); ++s) {
      torch::nn::Sequential shifted;
      for (const auto& block : *stages_[s])
        shifted->push_back(TemporalShift(block, segments_of(s), tsm.shift_div()));
      replace_stage(s, shifted);
    }
    return;
  }
  if (tsm.shift_place().find("blockres") == std::string::npos)
    throw ConfigError(options.path() + ": shift_place must be 'block' or 'blockres', got '" +
                      tsm.shift_place() + "'");
  // Very deep stages shift every other block, as MMAction2 does for ResNet-101/152.
  int64_t every = stages_.size() > 2 && stages_[2]->size() >= 23 ? 2 : 1;
  for (size_t s = 0; s < stages_.size(); ++s) {
    for (size_t i = 0; i < stages_[s]->size(); ++i) {
      if (static_cast<int64_t>(i) % every != 0) continue;
      auto conv1 = stages_[s]->ptr(i)->named_children()["conv1"]->as<ConvModuleImpl>();
      conv1->replace_conv(torch::nn::AnyModule(
          TemporalShift(conv1->conv_layer(), segments_of(s), tsm.shift_div())));
    }
  }
}

void ResNetTSMImpl::make_non_local() {
  const auto& flags = tsm_options.non_local();
  if (flags.size() < stages_.size())
    throw ConfigError(options.path() + ": non_local needs one sequence of flags per stage");
  for (size_t s = 0; s < stages_.size(); ++s) {
    bool any = false;
    for (int64_t f : flags[s]) any = any || f != 0;
    if (!any) continue;
    if (flags[s].size() > stages_[s]->size())
      throw ConfigError(options.path() + ": non_local has more flags than layer" +
                        std::to_string(s + 1) + " has blocks");
    torch::nn::Sequential wrapped;
    for (size_t i = 0; i < stages_[s]->size(); ++i) {
      const torch::nn::AnyModule& block = *(stages_[s]->begin() + static_cast<std::ptrdiff_t>(i));
      if (i >= flags[s].size() || !flags[s][i]) {
        wrapped->push_back(block);
        continue;
      }
      // NonLocal3d's width is that of the block's last norm (Bottleneck's conv3).
      auto children = block.ptr()->named_children();
      auto* conv3 = children.contains("conv3") ? children["conv3"]->as<ConvModuleImpl>() : nullptr;
      if (!conv3)
        throw ConfigError(options.path() +
                          ": non-local blocks need Bottleneck blocks (conv3), "
                          "i.e. depth 50 or more and shift_place='blockres'");
      NonLocalOptions nl = *tsm_options.non_local_cfg();
      nl.in_channels(conv3->options.out_channels())
          .path(options.path() + ".layer" + std::to_string(s + 1) + "." + std::to_string(i) +
                ".non_local_block");
      wrapped->push_back(NL3DWrapper(block, tsm_options.num_segments(), nl));
    }
    replace_stage(s, wrapped);
  }
}

void ResNetTSMImpl::make_temporal_pool() {
  if (stages_.size() < 2)
    throw ConfigError(options.path() + ": temporal_pool needs layer2 (num_stages >= 2)");
  temporal_pool_ = replace_module("layer2", TemporalPool(stages_[1], tsm_options.num_segments()));
}

std::vector<torch::Tensor> ResNetTSMImpl::forward_features(const torch::Tensor& input) {
  auto stem = named_children();
  torch::Tensor x = stem["conv1"]->as<ConvModuleImpl>()->forward(input);
  x = stem["maxpool"]->as<torch::nn::MaxPool2dImpl>()->forward(x);
  std::vector<torch::Tensor> outs;
  const auto& wanted = options.out_indices();
  for (size_t i = 0; i < stages_.size(); ++i) {
    x = i == 1 && temporal_pool_ ? temporal_pool_(x) : stages_[i]->forward(x);
    if (std::find(wanted.begin(), wanted.end(), static_cast<int64_t>(i)) != wanted.end())
      outs.push_back(x);
  }
  return outs;
}

void ResNetTSMImpl::train(bool on) {
  ResNetImpl::train(on);
  for (int64_t i = 1; i <= options.frozen_stages() && i <= static_cast<int64_t>(stages_.size());
       ++i) {
    torch::nn::Module& stage = i == 2 && temporal_pool_
                                   ? static_cast<torch::nn::Module&>(*temporal_pool_)
                                   : *stages_[i - 1];
    freeze(stage);
  }
}

namespace {

// MMAction2's non_local: one sequence of 0/1 flags per stage.
std::vector<std::vector<int64_t>> read_non_local(Args& args, const Value& v) {
  std::vector<std::vector<int64_t>> out;
  auto fail = [&] {
    return args.error("non_local",
                      "non_local must hold one sequence of 0/1 flags per stage, "
                      "e.g. ((0, 0, 0), (1, 0, 1, 0), (1, 0, 1, 0, 1, 0), (0, 0, 0))");
  };
  if (!v.is_sequence()) throw fail();
  for (const Value& stage : v.as_list()) {
    auto flags = ArgConverter<std::vector<int64_t>>::from(stage);
    if (!flags) throw fail();
    out.push_back(*flags);
  }
  return out;
}

}  // namespace

ResNetTSMOptions read_resnet_tsm_options(Args& args, bool with_segments) {
  ResNetTSMOptions tsm;
  if (with_segments)
    tsm.num_segments(args.get<int64_t>("num_segments", 8))
        .shift_div(args.get<int64_t>("shift_div", 8));
  tsm.is_shift(args.get("is_shift", true))
      .shift_place(args.get("shift_place", "blockres"))
      .temporal_pool(args.get("temporal_pool", false));
  Value non_local = args.get("non_local", Value::tuple({Value(0), Value(0), Value(0), Value(0)}));
  Dict non_local_cfg = args.get("non_local_cfg", Dict());
  if (!non_local_cfg.empty()) {
    tsm.non_local(read_non_local(args, non_local));
    Args nl_args(Value(non_local_cfg), "NonLocal3d", args.path() + ".non_local_cfg");
    tsm.non_local_cfg(NonLocalOptions::from_config(nl_args, 0));
    nl_args.finish();
  }
  return tsm;
}

namespace {

std::shared_ptr<Backbone> build_resnet_tsm(Args& args) {
  ResNetTSMOptions tsm = read_resnet_tsm_options(args, /*with_segments=*/true);
  return std::make_shared<ResNetTSMImpl>(ResNetOptions::from_config(args), tsm);
}

}  // namespace

TUBELET_REGISTER(BACKBONES, ResNetTSM, build_resnet_tsm);

}  // namespace tubelet
