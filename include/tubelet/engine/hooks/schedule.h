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
