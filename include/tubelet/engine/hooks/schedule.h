// Pieces the LR and momentum updater hooks share (mmcv's lr_updater.py helpers), computed
// with Python's float arithmetic in the same order so schedules match mmcv to the last bit.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "tubelet/args.h"
#include "tubelet/config/value.h"
#include "tubelet/engine/hook.h"

namespace tubelet {

// Cosine from `weight * start + (1 - weight) * end` down to `end` as `factor` goes 0 -> 1.
double annealing_cos(double start, double end, double factor, double weight = 1.0);
// Straight line from `start` to `end` as `factor` goes 0 -> 1.
double annealing_linear(double start, double end, double factor);

using AnnealFunction = std::function<double(double, double, double)>;
// 'cos' or 'linear'; throws std::invalid_argument with mmcv's message otherwise.
AnnealFunction anneal_function(const std::string& strategy);

// Python's round() of a float: halves go to the even neighbour.
int64_t round_half_even(double x);

// The `step` of Step schedules: an interval (int) or milestones (list of ints), all positive.
class StepMilestones {
 public:
  // Throws std::invalid_argument as mmcv does (a tuple or float is a TypeError there).
  explicit StepMilestones(const Value& step);
  // How many decays happened by `progress`.
  int64_t exponent(int64_t progress) const;

 private:
  std::variant<int64_t, std::vector<int64_t>> step_;
};

// Cyclic's target_ratio: a float r is (r, r / 1e5); a 1-tuple likewise; a 2-tuple as given.
// Anything else (int, list) is refused as mmcv refuses it.
std::pair<double, double> cyclic_target_ratio(const Value& target_ratio);

// Cyclic's schedule, shared by CyclicLrUpdaterHook and CyclicMomentumUpdaterHook: each cycle
// of max_iters / cyclic_times iterations goes from the base value to target_ratio[0] * base in
// the first step_ratio_up of it, then to target_ratio[1] * base; the distance from the base
// shrinks by gamma each cycle.
class CyclicSchedule {
 public:
  CyclicSchedule(std::pair<double, double> target_ratio, int64_t cyclic_times, double step_ratio_up,
                 AnnealFunction anneal, double gamma);
  // Sets the phases once max_iters is known (before_run).
  void start(int64_t max_iters);
  // The value at iteration `iter` for a group whose base value is `base`; `who` names the
  // hook in errors.
  double value(int64_t iter, int64_t max_iters, double base, const std::string& who) const;

 private:
  struct Phase {
    int64_t start_iter, end_iter;
    double start_ratio, end_ratio;
  };
  std::pair<double, double> target_ratio_;
  int64_t cyclic_times_;
  double step_ratio_up_;
  AnnealFunction anneal_;
  double gamma_;
  int64_t max_iter_per_phase_ = 0;
  std::vector<Phase> phases_;
};

// mmcv's format_param: one value per param group from a number, a per-group list or tuple,
// or a dict keyed by optimizer name holding one of those (`optimizer` names the optimizer).
// Throws std::invalid_argument with mmcv's message on a length mismatch or a missing key.
std::vector<double> per_group_values(const std::string& optimizer, size_t groups,
                                     const Value& param);

// A hook builder's guard: runs `make` and turns its std::invalid_argument into a ConfigError
// naming the module and where its config is (mmcv prefixes the class name the same way).
template <class Make>
std::shared_ptr<Hook> build_checked(Args& args, Make make) {
  try {
    return make();
  } catch (const std::invalid_argument& e) {
    throw args.error("", e.what());
  }
}

}  // namespace tubelet
