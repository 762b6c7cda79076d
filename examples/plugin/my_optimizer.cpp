// MyOptimizer(a, b, c), the optimizer of MMAction2's tutorial "Adding New Modules", as a
// plugin. The tutorial leaves its rule open; this one is momentum on the gradient's sign
// (signum) with decoupled weight decay, small enough to read in one go:
//
//   m <- b * m + (1 - b) * grad        (m starts at 0)
//   p <- p * (1 - a * c) - a * sign(m)
//
// a: the learning rate (each weight moves by at most a per step), b: momentum in [0, 1),
// c: weight decay. What a plugin optimizer needs besides its update: options that LR
// schedules can change (get_lr/set_lr), per-parameter state that torch::save/torch::load
// round-trip, and its options under their names for hooks (TUBELET_REGISTER_GROUP_OPTIONS).
#include <torch/optim/serialize.h>
#include <torch/torch.h>

#include <tubelet/optim/group_options.h>
#include <tubelet/optim/registries.h>
#include <tubelet/torch_compat.h>

namespace my_plugin {

struct MyOptimizerOptions : torch::optim::OptimizerCloneableOptions<MyOptimizerOptions> {
  MyOptimizerOptions(double a = 0) : a_(a) {}
  TORCH_ARG(double, a);
  TORCH_ARG(double, b) = 0;
  TORCH_ARG(double, c) = 0;

 public:
  double get_lr() const override { return a(); }
  void set_lr(const double lr) override { a(lr); }
  void serialize(torch::serialize::OutputArchive& archive) const override {
    _TORCH_OPTIM_SERIALIZE_TORCH_ARG(a);
    _TORCH_OPTIM_SERIALIZE_TORCH_ARG(b);
    _TORCH_OPTIM_SERIALIZE_TORCH_ARG(c);
  }
  void serialize(torch::serialize::InputArchive& archive) override {
    _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, a);
    _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, b);
    _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, c);
  }
};

struct MyOptimizerParamState : torch::optim::OptimizerCloneableParamState<MyOptimizerParamState> {
  TORCH_ARG(torch::Tensor, momentum);

 public:
  void serialize(torch::serialize::OutputArchive& archive) const override {
    _TORCH_OPTIM_SERIALIZE_TORCH_ARG(momentum);
  }
  void serialize(torch::serialize::InputArchive& archive) override {
    _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, momentum);
  }
};

class MyOptimizer : public torch::optim::Optimizer {
 public:
  MyOptimizer(std::vector<torch::optim::OptimizerParamGroup> groups, MyOptimizerOptions options)
      : Optimizer(std::move(groups), std::make_unique<MyOptimizerOptions>(options)) {}

  torch::Tensor step(LossClosure closure = nullptr) override {
    torch::NoGradGuard no_grad;
    torch::Tensor loss;
    if (closure) {
      at::AutoGradMode enable_grad(true);
      loss = closure();
    }
    for (auto& group : param_groups_) {
      auto& o = static_cast<MyOptimizerOptions&>(group.options());
      for (auto& p : group.params()) {
        if (!p.grad().defined()) continue;
        auto& slot = state_[tubelet::compat::optimizer_state_key(p)];
        if (!slot) {
          slot = std::make_unique<MyOptimizerParamState>();
          static_cast<MyOptimizerParamState&>(*slot).momentum(torch::zeros_like(p));
        }
        auto& m = static_cast<MyOptimizerParamState&>(*slot).momentum();
        m.mul_(o.b()).add_(p.grad(), 1 - o.b());
        p.mul_(1 - o.a() * o.c()).add_(m.sign(), -o.a());
      }
    }
    return loss;
  }

  void save(torch::serialize::OutputArchive& archive) const override {
    torch::optim::serialize<MyOptimizerParamState, MyOptimizerOptions>(archive, *this);
  }
  void load(torch::serialize::InputArchive& archive) override {
    torch::optim::serialize<MyOptimizerParamState, MyOptimizerOptions>(archive, *this);
  }

  // The only code that reads the config: `dict(type='MyOptimizer', a=..., b=..., c=...)`.
  static std::shared_ptr<torch::optim::Optimizer> from_config(tubelet::Args& args,
                                                              tubelet::ParamGroups groups) {
    MyOptimizerOptions o(args.required<double>("a"));
    o.b(args.required<double>("b")).c(args.required<double>("c"));
    if (o.a() < 0) throw args.error("a", "a (the learning rate) must be >= 0");
    if (o.b() < 0 || o.b() >= 1) throw args.error("b", "b (momentum) must be in [0, 1)");
    if (o.c() < 0) throw args.error("c", "c (weight decay) must be >= 0");
    return std::make_shared<MyOptimizer>(std::move(groups), o);
  }
};

TUBELET_REGISTER(OPTIMIZERS, MyOptimizer, MyOptimizer::from_config);
// `param_group['a']` for hooks and param-group configs, as PyTorch's dict view would show it.
TUBELET_REGISTER_GROUP_OPTIONS(MyOptimizerOptions, tubelet::GroupOptionFields<MyOptimizerOptions>()
                                                       .real(TUBELET_GROUP_OPTION(a))
                                                       .real(TUBELET_GROUP_OPTION(b))
                                                       .real(TUBELET_GROUP_OPTION(c)));

}  // namespace my_plugin
