// MMAction2's TSMOptimizerConstructor: seven groups in a fixed order — first conv weight,
// first conv bias (2x lr, no decay), other weights, other biases (2x lr, no decay), norm
// parameters (no decay), and with fc_lr5 the last linear layer's weight (5x lr) and bias
// (10x lr, no decay). Empty groups are kept, as there.
#include <torch/nn/modules/normalization.h>

#include "tubelet/config/error.h"
#include "tubelet/module_kinds.h"
#include "tubelet/optim/optimizer_constructor.h"

namespace tubelet {

namespace {

struct NamedParams {
  std::vector<torch::Tensor> params;
  std::vector<std::string> names;
  void add(const torch::Tensor& p, const std::string& name) {
    params.push_back(p);
    names.push_back(name);
  }
};

class TSMOptimizerConstructor : public OptimizerConstructor {
 public:
  using OptimizerConstructor::OptimizerConstructor;

 protected:
  void add_params(std::vector<ParamGroupSpec>& groups,
                  const torch::nn::Module& model) const override {
    const Value* fc_lr5 = paramwise_cfg_.find("fc_lr5");
    if (!fc_lr5) throw ConfigError(path_ + ".paramwise_cfg: KeyError: 'fc_lr5'");
    NamedParams first_conv_weight, first_conv_bias, normal_weight, normal_bias, bn;
    int conv_count = 0;
    for (const auto& item : model.named_modules()) {
      const torch::nn::Module& m = *item.value();
      auto own = m.named_parameters();  // a layer's weight, then its bias
      auto name = [&](size_t i) { return join(item.key(), own[i].key()); };
      if (is_conv(m) || is_linear(m)) {
        const bool first = is_conv(m) && ++conv_count == 1;
        (first ? first_conv_weight : normal_weight).add(own[0].value(), name(0));
        if (own.size() == 2) (first ? first_conv_bias : normal_bias).add(own[1].value(), name(1));
      } else if (is_batch_norm(m) || m.as<torch::nn::GroupNorm>()) {
        for (size_t i = 0; i < own.size(); ++i)
          if (own[i].value().requires_grad()) bn.add(own[i].value(), name(i));
      } else if (m.children().empty() && !own.is_empty()) {
        throw ConfigError(path_ + ": New atomic module type: " + m.name() +
                          ". Need to give it a learning policy");
      }
    }
    if (normal_weight.params.empty() || normal_bias.params.empty())
      throw ConfigError(path_ +
                        ": TSMOptimizerConstructor needs a last layer with a weight and a bias");
    NamedParams lr5_weight, lr10_bias;
    // The last weight and bias found are the classifier's.
    NamedParams& weight_to = is_truthy(*fc_lr5) ? lr5_weight : normal_weight;
    NamedParams& bias_to = is_truthy(*fc_lr5) ? lr10_bias : normal_bias;
    move_last(normal_weight, weight_to);
    move_last(normal_bias, bias_to);

    const Value lr = base_lr_.value_or(Value());
    const Value wd = base_wd_.value_or(Value());
    add(groups, first_conv_weight, lr, wd);
    add(groups, first_conv_bias, times(lr, 2), Value(int64_t{0}));
    add(groups, normal_weight, lr, wd);
    add(groups, normal_bias, times(lr, 2), Value(int64_t{0}));
    add(groups, bn, lr, Value(int64_t{0}));
    add(groups, lr5_weight, times(lr, 5), wd);
    add(groups, lr10_bias, times(lr, 10), Value(int64_t{0}));
  }

 private:
  static std::string join(const std::string& prefix, const std::string& name) {
    return prefix.empty() ? name : prefix + "." + name;
  }
  static void move_last(NamedParams& from, NamedParams& to) {
    torch::Tensor p = from.params.back();
    std::string n = from.names.back();
    from.params.pop_back();
    from.names.pop_back();
    to.add(p, n);
  }
  Value times(const Value& lr, int64_t k) const {
    if (lr.is_none())
      throw ConfigError(path_ + ": TSMOptimizerConstructor needs the optimizer's lr");
    return python_multiply(lr, Value(k));
  }
  static void add(std::vector<ParamGroupSpec>& groups, NamedParams& p, const Value& lr,
                  const Value& wd) {
    ParamGroupSpec g{std::move(p.params), std::move(p.names), {}};
    g.options.set("lr", lr);
    g.options.set("weight_decay", wd);
    groups.push_back(std::move(g));
  }
};

std::shared_ptr<OptimizerConstructor> build_tsm(Args& args) {
  Value cfg = args.required<Value>("optimizer_cfg");
  auto paramwise = args.get<std::optional<Dict>>("paramwise_cfg", std::nullopt);
  return std::make_shared<TSMOptimizerConstructor>(cfg, paramwise.value_or(Dict{}), args.path());
}

}  // namespace

TUBELET_REGISTER(OPTIMIZER_BUILDERS, TSMOptimizerConstructor, build_tsm);

}  // namespace tubelet
