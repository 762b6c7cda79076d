// mmcv's cyclical LR policies: Cyclic (CLR with cosine or linear phases) and OneCycle. Both
// move the lr every iteration: by_epoch=True is refused.
#include <cmath>
#include <stdexcept>

#include "tubelet/engine/hooks/lr_updater_hook.h"
#include "tubelet/engine/runner.h"
#include "tubelet/optim/group_options.h"

namespace tubelet {

namespace {

void require_not_by_epoch(bool by_epoch) {
  if (by_epoch) throw std::invalid_argument("currently only support \"by_epoch\" = False");
}

// Cyclic learning rates (see CyclicSchedule in schedule.h): each cycle goes up from base_lr to
// target_ratio[0] * base_lr in the first step_ratio_up of it, then down to target_ratio[1] *
// base_lr; the amplitude shrinks by gamma each cycle.
class CyclicLrUpdaterHook : public LrUpdaterHook {
 public:
  CyclicLrUpdaterHook(const Options& options, CyclicSchedule schedule)
      : LrUpdaterHook(options), schedule_(std::move(schedule)) {}

  void before_run(Runner& runner) override {
    LrUpdaterHook::before_run(runner);
    schedule_.start(runner.max_iters());
  }

  double get_lr(const Runner& runner, double base_lr) const override {
    return schedule_.value(runner.iter(), runner.max_iters(), base_lr, type());
  }
  std::string type() const override { return "CyclicLrUpdaterHook"; }

 private:
  CyclicSchedule schedule_;
};

// Up from max_lr / div_factor to max_lr over pct_start of total_steps, then down to
// initial / final_div_factor (three_phase: back to the initial lr first, then down).
class OneCycleLrUpdaterHook : public LrUpdaterHook {
 public:
  struct Settings {
    Value max_lr;
    std::optional<int64_t> total_steps;
    double pct_start = 0.3;
    AnnealFunction anneal;
    double div_factor = 25;
    double final_div_factor = 1e4;
    bool three_phase = false;
  };
  struct Phase {
    double end_iter, start_lr, end_lr;
  };

  OneCycleLrUpdaterHook(const Options& options, Settings settings)
      : LrUpdaterHook(options), s_(std::move(settings)) {}

  void before_run(Runner& runner) override {
    const int64_t total_steps = s_.total_steps.value_or(runner.max_iters());
    if (total_steps < runner.max_iters())
      throw std::invalid_argument(
          "The total steps must be greater than or equal to max iterations " +
          std::to_string(runner.max_iters()) + " of runner, but total steps is " +
          std::to_string(total_steps) + ".");
    // The schedule starts from max_lr / div_factor whatever the optimizer's lr.
    auto& groups = runner.optimizer().param_groups();
    const std::string name = groups.empty() ? "optimizer" : optimizer_name_of(groups[0].options());
    std::vector<double> max_lr = per_group_values(name, groups.size(), s_.max_lr);
    base_lr().clear();
    for (double lr : max_lr) base_lr().push_back(lr / s_.div_factor);
    std::vector<double>& initial = runner.initial_lrs();
    for (size_t i = initial.size(); i < groups.size(); ++i) initial.push_back(base_lr()[i]);

    const double total = static_cast<double>(total_steps);
    const double up_end = s_.pct_start * total - 1;
    if (s_.three_phase)
      phases_ = {{up_end, 1, s_.div_factor},
                 {2 * s_.pct_start * total - 2, s_.div_factor, 1},
                 {total - 1, 1, 1 / s_.final_div_factor}};
    else
      phases_ = {{up_end, 1, s_.div_factor}, {total - 1, s_.div_factor, 1 / s_.final_div_factor}};
  }

  double get_lr(const Runner& runner, double base_lr) const override {
    const double curr_iter = static_cast<double>(runner.iter());
    double start_iter = 0;
    for (const Phase& phase : phases_) {
      if (curr_iter <= phase.end_iter) {
        const double pct = (curr_iter - start_iter) / (phase.end_iter - start_iter);
        return s_.anneal(base_lr * phase.start_lr, base_lr * phase.end_lr, pct);
      }
      start_iter = phase.end_iter;
    }
    throw std::logic_error(type() + ": iteration " + std::to_string(runner.iter()) +
                           " is past total_steps");
  }
  std::string type() const override { return "OneCycleLrUpdaterHook"; }

 private:
  Settings s_;
  std::vector<Phase> phases_;
};

std::shared_ptr<Hook> build_cyclic(Args& args) {
  return build_checked(args, [&] {
    const bool by_epoch = args.get<bool>("by_epoch", false);
    const Value* ratio = args.find("target_ratio");
    auto target_ratio =
        cyclic_target_ratio(ratio ? *ratio : Value::tuple({Value(int64_t{10}), Value(1e-4)}));
    const int64_t cyclic_times = args.get<int64_t>("cyclic_times", 1);
    const double step_ratio_up = args.get<double>("step_ratio_up", 0.4);
    const double gamma = args.get<double>("gamma", 1.0);
    if (!(step_ratio_up >= 0 && step_ratio_up < 1.0))
      throw std::invalid_argument("\"step_ratio_up\" must be in range [0,1)");
    if (!(gamma > 0 && gamma <= 1))
      throw std::invalid_argument("\"gamma\" must be in range (0, 1]");
    AnnealFunction anneal = anneal_function(args.get("anneal_strategy", "cos"));
    require_not_by_epoch(by_epoch);
    if (cyclic_times <= 0) throw std::invalid_argument("\"cyclic_times\" must be positive");
    LrUpdaterHook::Options options = LrUpdaterHook::read_options(args, false);
    return std::make_shared<CyclicLrUpdaterHook>(
        options,
        CyclicSchedule(target_ratio, cyclic_times, step_ratio_up, std::move(anneal), gamma));
  });
}

std::shared_ptr<Hook> build_one_cycle(Args& args) {
  return build_checked(args, [&] {
    require_not_by_epoch(args.get<bool>("by_epoch", false));
    OneCycleLrUpdaterHook::Settings s;
    s.max_lr = args.required<Value>("max_lr");
    const bool number = s.max_lr.is_number();
    if (!number && !s.max_lr.is_list() && !s.max_lr.is_dict())
      throw std::invalid_argument("the type of max_lr must be the one of list or dict, but got " +
                                  std::string(s.max_lr.type_name()) + " " + repr(s.max_lr));
    if (const Value* total = args.find("total_steps"); total && !total->is_none()) {
      if (!total->is_int())
        throw std::invalid_argument("the type of total_steps must be int, but got " +
                                    std::string(total->type_name()) + " " + repr(*total));
      s.total_steps = total->as_int();
    }
    if (const Value* pct = args.find("pct_start")) {
      // mmcv accepts only a float here: 0 or 1 written as ints are refused.
      if (!pct->is_float() || pct->as_float() < 0 || pct->as_float() > 1)
        throw std::invalid_argument("expected float between 0 and 1 pct_start, but got " +
                                    repr(*pct));
      s.pct_start = pct->as_float();
    }
    s.anneal = anneal_function(args.get("anneal_strategy", "cos"));
    s.div_factor = args.get<double>("div_factor", 25);
    s.final_div_factor = args.get<double>("final_div_factor", 1e4);
    s.three_phase = args.get<bool>("three_phase", false);
    LrUpdaterHook::Options options = LrUpdaterHook::read_options(args, false);
    return std::make_shared<OneCycleLrUpdaterHook>(options, std::move(s));
  });
}

}  // namespace

TUBELET_REGISTER(HOOKS, CyclicLrUpdaterHook, build_cyclic);
TUBELET_REGISTER(HOOKS, OneCycleLrUpdaterHook, build_one_cycle);

}  // namespace tubelet
