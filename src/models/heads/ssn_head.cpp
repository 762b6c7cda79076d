#include "tubelet/models/heads/ssn_head.h"

#include <torch/torch.h>

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "tubelet/models/registries.h"
#include "tubelet/models/weight_init.h"

namespace tubelet {

using torch::indexing::Slice;

int64_t SSNConsensusOptions::stage_multiplier(size_t stage) const {
  const SSNStageParts& parts = stpp_stage.at(stage);
  return std::accumulate(parts.begin(), parts.end(), int64_t{0});
}

int64_t SSNConsensusOptions::num_multipliers() const {
  int64_t total = 0;
  for (size_t s = 0; s < stpp_stage.size(); ++s) total += stage_multiplier(s);
  return total;
}

namespace {

// STPPTrain._extract_stage_feature: each part's mean over its segments, divided by the stage's
// multiplier and (starting and ending stages) scaled per sample.
void ssn_extract_stage_feature(const torch::Tensor& stage_feat, const SSNStageParts& parts,
                               int64_t multiplier, const torch::Tensor& scale_factors,
                               std::vector<torch::Tensor>& out) {
  const int64_t stage_len = stage_feat.size(1);
  for (int64_t stage_part : parts) {
    // torch.arange(0, stage_len + 1e-5, stage_len / stage_part).int(), in float32.
    torch::Tensor ticks = torch::arange(0, double(stage_len) + 1e-5,
                                        double(stage_len) / double(stage_part), torch::kFloat)
                              .to(torch::kInt);
    auto t = ticks.accessor<int, 1>();
    for (int64_t i = 0; i < stage_part; ++i) {
      torch::Tensor part_feat =
          stage_feat.index({Slice(), Slice(t[i], t[i + 1]), Slice()}).mean(1) /
          static_cast<double>(multiplier);
      if (scale_factors.defined()) part_feat = part_feat * scale_factors.view({-1, 1});
      out.push_back(part_feat);
    }
  }
}

// STPPTest._pyramids_pooling for one proposal: adds each part's mean score (scaled) to `out`.
void ssn_pyramids_pooling(torch::Tensor out, const torch::Tensor& raw_scores,
                          const std::vector<int64_t>& ticks, const torch::Tensor& scale_factors,
                          int64_t score_len, const std::vector<SSNStageParts>& stpp_stage) {
  int64_t offset = 0;
  const size_t num_stages = stpp_stage.size();
  for (size_t stage = 0; stage < num_stages; ++stage) {
    torch::Tensor scale_factor;
    if (stage == 0)
      scale_factor = scale_factors[0];
    else if (stage == num_stages - 1)
      scale_factor = scale_factors[1];
    const SSNStageParts& cfg = stpp_stage[stage];
    const int64_t sum_parts = std::accumulate(cfg.begin(), cfg.end(), int64_t{0});
    const int64_t tick_left = ticks[stage];
    const auto tick_right = static_cast<double>(std::max(ticks[stage] + 1, ticks[stage + 1]));
    if (tick_right <= 0 || tick_left >= raw_scores.size(0)) {
      offset += sum_parts;
      continue;
    }
    for (int64_t num_parts : cfg) {
      // MMAction2 computes the step as a float32 tensor: (tick_right - tick_left) / num_parts.
      const float step =
          static_cast<float>(tick_right - static_cast<double>(tick_left)) / float(num_parts);
      torch::Tensor part_ticks =
          torch::arange(torch::Scalar(tick_left), torch::Scalar(tick_right + 1e-5),
                        torch::Scalar(double(step)), torch::kFloat)
              .to(torch::kInt);
      auto pt = part_ticks.accessor<int, 1>();
      for (int64_t i = 0; i < num_parts; ++i) {
        if (pt[i + 1] - pt[i] >= 1) {
          torch::Tensor raw_score = raw_scores.index(
              {Slice(pt[i], pt[i + 1]), Slice(offset * score_len, (offset + 1) * score_len)});
          torch::Tensor scaled = raw_score.mean(0);
          scaled = scale_factor.defined() ? scaled * scale_factor : scaled * 1.0;
          out.add_(scaled.detach().cpu());
        }
        offset += 1;
      }
    }
  }
}

}  // namespace

std::tuple<torch::Tensor, torch::Tensor> ssn_stpp_train(const SSNConsensusOptions& o,
                                                        const torch::Tensor& x_in,
                                                        const torch::Tensor& scale_factors_in) {
  const int64_t x0 = o.num_segments_list.at(0);
  const int64_t x1 = x0 + o.num_segments_list.at(1);
  const int64_t num_segments = x1 + o.num_segments_list.at(2);
  const int64_t feat_dim = x_in.size(1);
  if (x_in.numel() % (num_segments * feat_dim) != 0)
    throw std::invalid_argument("STPPTrain: features of shape " + c10::str(x_in.sizes()) +
                                " do not split into samples of sum(num_segments_list) = " +
                                std::to_string(num_segments) + " segments");
  torch::Tensor x = x_in.reshape({-1, num_segments, feat_dim});
  const int64_t num_samples = x.size(0);
  torch::Tensor scale_factors = scale_factors_in.reshape({-1, 2});
  if (scale_factors.size(0) != num_samples)
    throw std::invalid_argument("STPPTrain: " + std::to_string(scale_factors.size(0)) +
                                " proposal_scale_factor rows for " + std::to_string(num_samples) +
                                " sampled proposals");
  std::vector<torch::Tensor> feats;
  ssn_extract_stage_feature(x.index({Slice(), Slice(0, x0), Slice()}), o.stpp_stage[0],
                            o.stage_multiplier(0), scale_factors.select(1, 0), feats);
  ssn_extract_stage_feature(x.index({Slice(), Slice(x0, x1), Slice()}), o.stpp_stage[1],
                            o.stage_multiplier(1), torch::Tensor(), feats);
  ssn_extract_stage_feature(x.index({Slice(), Slice(x1), Slice()}), o.stpp_stage[2],
                            o.stage_multiplier(2), scale_factors.select(1, 1), feats);
  torch::Tensor stpp_feat = torch::cat(feats, 1);
  torch::Tensor course_feat = x.index({Slice(), Slice(x0, x1), Slice()}).mean(1);
  return {course_feat, stpp_feat};
}

SSNTestScores ssn_stpp_test(const SSNConsensusOptions& o, int64_t num_classes,
                            const torch::Tensor& x, const torch::Tensor& proposal_ticks,
                            const torch::Tensor& scale_factors) {
  const int64_t activity_len = num_classes + 1, complete_len = num_classes,
                reg_len = num_classes * 2, mult = o.num_multipliers();
  const int64_t feat_dim = activity_len + mult * (complete_len + (o.use_regression ? reg_len : 0));
  if (x.dim() != 2 || x.size(1) != feat_dim)
    throw std::invalid_argument("STPPTest: expects scores [num_ticks, " + std::to_string(feat_dim) +
                                "], got " + c10::str(x.sizes()));
  const int64_t num_ticks = proposal_ticks.size(0);
  if (proposal_ticks.dim() != 2 || proposal_ticks.size(1) != 4)
    throw std::invalid_argument("STPPTest: proposal_tick_list must be [num_proposals, 4], got " +
                                c10::str(proposal_ticks.sizes()));
  if (scale_factors.size(0) != num_ticks)
    throw std::invalid_argument("STPPTest: scale_factor_list has " +
                                std::to_string(scale_factors.size(0)) + " rows for " +
                                std::to_string(num_ticks) + " proposals");
  auto cpu = torch::TensorOptions().dtype(x.dtype());
  SSNTestScores out;
  out.test_scores = x;
  out.activity = torch::zeros({num_ticks, activity_len}, cpu);
  out.completeness = torch::zeros({num_ticks, complete_len}, cpu);
  torch::Tensor raw_activity = x.index({Slice(), Slice(0, activity_len)});
  torch::Tensor raw_complete =
      x.index({Slice(), Slice(activity_len, activity_len + complete_len * mult)});
  torch::Tensor raw_reg;
  if (o.use_regression) {
    out.bbox_preds = torch::zeros({num_ticks, reg_len}, cpu);
    raw_reg = x.index({Slice(), Slice(activity_len + complete_len * mult,
                                      activity_len + (complete_len + reg_len) * mult)});
  }
  torch::Tensor ticks_all = proposal_ticks.to(torch::kCPU, torch::kLong).contiguous();
  auto t = ticks_all.accessor<int64_t, 2>();
  for (int64_t i = 0; i < num_ticks; ++i) {
    std::vector<int64_t> ticks{t[i][0], t[i][1], t[i][2], t[i][3]};
    out.activity[i] =
        raw_activity.index({Slice(ticks[1], std::max(ticks[1] + 1, ticks[2])), Slice()})
            .mean(0)
            .cpu();
    ssn_pyramids_pooling(out.completeness[i], raw_complete, ticks, scale_factors[i], complete_len,
                         o.stpp_stage);
    if (o.use_regression)
      ssn_pyramids_pooling(out.bbox_preds[i], raw_reg, ticks, scale_factors[i], reg_len,
                           o.stpp_stage);
  }
  return out;
}

SSNHeadImpl::SSNHeadImpl(SSNHeadOptions o) : options(std::move(o)) {
  if (options.dropout_ratio() != 0)
    dropout = register_module("dropout", torch::nn::Dropout(options.dropout_ratio()));
  const int64_t in = options.in_channels(), n = options.num_classes();
  const int64_t in_complete = options.consensus().num_multipliers() * in;
  activity_fc = register_module("activity_fc", torch::nn::Linear(in, n + 1));
  completeness_fc = register_module("completeness_fc", torch::nn::Linear(in_complete, n));
  if (options.use_regression())
    regressor_fc = register_module("regressor_fc", torch::nn::Linear(in_complete, n * 2));
  // init_weights
  normal_init(*activity_fc, 0, options.init_std());
  normal_init(*completeness_fc, 0, options.init_std());
  if (regressor_fc) normal_init(*regressor_fc, 0, options.init_std());
}

torch::Tensor SSNHeadImpl::forward_scores(const torch::Tensor&, int64_t) {
  throw std::logic_error(
      "SSNHead gives no class scores for a recognizer; the SSN localizer calls its "
      "forward_train / forward_test");
}

SSNTrainScores SSNHeadImpl::forward_train(const torch::Tensor& x,
                                          const torch::Tensor& proposal_scale_factor) {
  if (!options.consensus().train)
    throw std::logic_error("SSNHead: forward_train needs consensus type 'STPPTrain'");
  auto [activity_feat, completeness_feat] =
      ssn_stpp_train(options.consensus(), x, proposal_scale_factor);
  if (dropout) {
    activity_feat = dropout(activity_feat);
    completeness_feat = dropout(completeness_feat);
  }
  SSNTrainScores out;
  out.activity = activity_fc(activity_feat);
  out.completeness = completeness_fc(completeness_feat);
  if (regressor_fc)
    out.bbox_preds = regressor_fc(completeness_feat).view({-1, options.num_classes(), 2});
  return out;
}

bool SSNHeadImpl::prepare_test_fc(int64_t mult) {
  torch::NoGradGuard no_grad;
  const int64_t in = activity_fc->options.in_features();
  auto reorganise = [&](const torch::nn::Linear& fc, torch::Tensor& weight, torch::Tensor& bias) {
    const int64_t out = fc->options.out_features();
    weight = fc->weight.detach().view({out, mult, in}).transpose(0, 1).contiguous().view({-1, in});
    bias = fc->bias.detach().view({1, -1}).expand({mult, out}).contiguous().view(-1) /
           static_cast<double>(mult);
  };
  torch::Tensor complete_weight, complete_bias;
  reorganise(completeness_fc, complete_weight, complete_bias);
  torch::Tensor weight = torch::cat({activity_fc->weight.detach(), complete_weight});
  torch::Tensor bias = torch::cat({activity_fc->bias.detach(), complete_bias});
  if (regressor_fc) {
    torch::Tensor reg_weight, reg_bias;
    reorganise(regressor_fc, reg_weight, reg_bias);
    weight = torch::cat({weight, reg_weight});
    bias = torch::cat({bias, reg_bias});
  }
  test_fc_weight = weight;
  test_fc_bias = bias;
  return true;
}

SSNTestScores SSNHeadImpl::forward_test(const torch::Tensor& x,
                                        const torch::Tensor& proposal_tick_list,
                                        const torch::Tensor& scale_factor_list) {
  if (options.consensus().train)
    throw std::logic_error("SSNHead: forward_test needs consensus type 'STPPTest'");
  if (!test_fc_weight.defined())
    throw std::logic_error("SSNHead: forward_test before prepare_test_fc");
  torch::Tensor test_scores = torch::nn::functional::linear(x, test_fc_weight, test_fc_bias);
  return ssn_stpp_test(options.consensus(), options.num_classes(), test_scores, proposal_tick_list,
                       scale_factor_list);
}

namespace {

SSNStageParts ssn_read_stage(Args& args, const std::string& key, const Value& v) {
  if (v.is_int()) {
    if (v.as_int() < 1) throw args.error(key, key + ": every stage needs at least one part");
    return {v.as_int()};
  }
  if (v.is_sequence()) {
    SSNStageParts parts;
    for (const Value& p : v.as_list()) {
      if (!p.is_int() || p.as_int() < 1)
        throw args.error(key, key + "'s tuples must hold positive ints");
      parts.push_back(p.as_int());
    }
    if (parts.empty()) throw args.error(key, key + ": a stage cannot be empty");
    return parts;
  }
  throw args.error(
      key, "Incorrect STPP config: each stage of " + key + " must be an int or a tuple of ints");
}

SSNConsensusOptions ssn_read_consensus(Args& head_args) {
  const Value* v = head_args.find("consensus");
  if (!v || !v->is_dict())
    throw head_args.error("consensus",
                          "SSNHead needs consensus=dict(type='STPPTrain' or 'STPPTest', ...) (the "
                          "default of MMAction2 0.24.1 does not build either)");
  const Value* type = v->as_dict().find("type");
  const std::string t = type && type->is_str() ? type->as_str() : "";
  if (t != "STPPTrain" && t != "STPPTest")
    throw head_args.error("consensus",
                          "consensus type must be 'STPPTrain' or 'STPPTest', got '" + t + "'");
  Args args(*v, t, head_args.path() + ".consensus");
  args.find("type");
  SSNConsensusOptions o;
  o.train = t == "STPPTrain";
  if (const Value* s = args.find("stpp_stage")) {
    if (!s->is_sequence() || s->as_list().size() != 3)
      throw args.error("stpp_stage", "stpp_stage must be a tuple of 3 stages");
    o.stpp_stage.clear();
    for (const Value& stage : s->as_list())
      o.stpp_stage.push_back(ssn_read_stage(args, "stpp_stage", stage));
  }
  if (o.train) {
    o.num_segments_list = args.get("num_segments_list", o.num_segments_list);
    if (o.num_segments_list.size() != 3)
      throw args.error("num_segments_list", "num_segments_list must hold 3 segment counts");
    for (int64_t n : o.num_segments_list)
      if (n < 1) throw args.error("num_segments_list", "every segment count must be positive");
  } else {
    o.use_regression = args.get("use_regression", true);
  }
  args.finish();
  return o;
}

std::shared_ptr<Head> build_ssn_head(Args& args) {
  SSNHeadOptions o;
  o.dropout_ratio(args.get("dropout_ratio", o.dropout_ratio()))
      .in_channels(args.get("in_channels", o.in_channels()))
      .num_classes(args.get("num_classes", o.num_classes()))
      .use_regression(args.get("use_regression", o.use_regression()))
      .init_std(args.get("init_std", o.init_std()));
  if (o.in_channels() < 1) throw args.error("in_channels", "in_channels must be positive");
  if (o.num_classes() < 1) throw args.error("num_classes", "num_classes must be positive");
  if (o.dropout_ratio() < 0 || o.dropout_ratio() > 1)
    throw args.error("dropout_ratio", "dropout_ratio must be in [0, 1]");
  o.consensus(ssn_read_consensus(args));
  return std::make_shared<SSNHeadImpl>(o);
}

}  // namespace

TUBELET_REGISTER(HEADS, SSNHead, build_ssn_head);

}  // namespace tubelet
