#include <cfenv>
#include <cmath>
#include <stdexcept>

#include "tubelet/engine/hooks/schedule.h"

namespace tubelet {

double annealing_cos(double start, double end, double factor, double weight) {
  const double cos_out = std::cos(M_PI * factor) + 1;
  // Python's left-to-right order: end + ((0.5 * weight) * (start - end)) * cos_out.
  return end + 0.5 * weight * (start - end) * cos_out;
}

double annealing_linear(double start, double end, double factor) {
  return start + (end - start) * factor;
}

AnnealFunction anneal_function(const std::string& strategy) {
  if (strategy == "cos") return [](double s, double e, double f) { return annealing_cos(s, e, f); };
  if (strategy == "linear") return annealing_linear;
  throw std::invalid_argument("anneal_strategy must be one of \"cos\" or \"linear\", instead got " +
                              strategy);
}

int64_t round_half_even(double x) {
  // nearbyint follows the rounding mode, whose default is to-nearest-even; say it explicitly.
  const int mode = std::fegetround();
  std::fesetround(FE_TONEAREST);
  const double r = std::nearbyint(x);
  std::fesetround(mode);
  return static_cast<int64_t>(r);
}

StepMilestones::StepMilestones(const Value& step) {
  if (step.is_list()) {
    std::vector<int64_t> steps;
    for (const Value& s : step.as_list()) {
      if (!s.is_int()) throw std::invalid_argument("\"step\" must be a list of integers");
      if (s.as_int() <= 0) throw std::invalid_argument("every \"step\" must be positive");
      steps.push_back(s.as_int());
    }
    step_ = std::move(steps);
  } else if (step.is_int()) {
    if (step.as_int() <= 0) throw std::invalid_argument("\"step\" must be positive");
    step_ = step.as_int();
  } else {
    throw std::invalid_argument("\"step\" must be a list or integer, not " +
                                std::string(step.type_name()) + " " + repr(step));
  }
}

int64_t StepMilestones::exponent(int64_t progress) const {
  if (const int64_t* interval = std::get_if<int64_t>(&step_)) {
    // Python's floor division (progress is never negative here, but keep the semantics).
    int64_t q = progress / *interval;
    if ((progress % *interval != 0) && ((progress < 0) != (*interval < 0))) --q;
    return q;
  }
  const auto& steps = std::get<std::vector<int64_t>>(step_);
  for (size_t i = 0; i < steps.size(); ++i)
    if (progress < steps[i]) return static_cast<int64_t>(i);
  return static_cast<int64_t>(steps.size());
}

std::pair<double, double> cyclic_target_ratio(const Value& target_ratio) {
  if (target_ratio.is_float()) return {target_ratio.as_float(), target_ratio.as_float() / 1e5};
  if (!target_ratio.is_tuple())
    throw std::invalid_argument("target_ratio should be either float or tuple, got " +
                                std::string(target_ratio.type_name()) + " " + repr(target_ratio));
  const List& items = target_ratio.as_list();
  for (const Value& v : items)
    if (!v.is_number())
      throw std::invalid_argument("\"target_ratio\" must be list or tuple of two floats");
  if (items.size() == 1) return {items[0].as_float(), items[0].as_float() / 1e5};
  if (items.size() != 2)
    throw std::invalid_argument("\"target_ratio\" must be list or tuple of two floats");
  return {items[0].as_float(), items[1].as_float()};
}

std::vector<double> per_group_values(const std::string& optimizer, size_t groups,
                                     const Value& param) {
  if (param.is_number() && !param.is_bool()) return std::vector<double>(groups, param.as_float());
  if (param.is_sequence()) {
    const List& items = param.as_list();
    if (items.size() != groups)
      throw std::invalid_argument("expected " + std::to_string(groups) + " values for " +
                                  optimizer + ", got " + std::to_string(items.size()));
    std::vector<double> out;
    for (const Value& v : items) {
      if (!v.is_number()) throw std::invalid_argument("expected numbers, got " + repr(param));
      out.push_back(v.as_float());
    }
    return out;
  }
  if (param.is_dict()) {
    const Value* mine = param.as_dict().find(optimizer);
    if (!mine) throw std::invalid_argument(optimizer + " is not found in " + repr(param));
    return per_group_values(optimizer, groups, *mine);
  }
  throw std::invalid_argument("expected a number, a list or a dict, got " + repr(param));
}

CyclicSchedule::CyclicSchedule(std::pair<double, double> target_ratio, int64_t cyclic_times,
                               double step_ratio_up, AnnealFunction anneal, double gamma)
    : target_ratio_(target_ratio),
      cyclic_times_(cyclic_times),
      step_ratio_up_(step_ratio_up),
      anneal_(std::move(anneal)),
      gamma_(gamma) {}

void CyclicSchedule::start(int64_t max_iters) {
  max_iter_per_phase_ = max_iters / cyclic_times_;
  const auto up = static_cast<int64_t>(step_ratio_up_ * static_cast<double>(max_iter_per_phase_));
  phases_ = {{0, up, 1, target_ratio_.first},
             {up, max_iter_per_phase_, target_ratio_.first, target_ratio_.second}};
}

double CyclicSchedule::value(int64_t iter, int64_t max_iters, double base,
                             const std::string& who) const {
  if (max_iter_per_phase_ <= 0)
    throw std::invalid_argument(who + ": max_iters " + std::to_string(max_iters) +
                                " is less than cyclic_times " + std::to_string(cyclic_times_));
  const int64_t curr_iter = iter % max_iter_per_phase_;
  const int64_t curr_cycle = iter / max_iter_per_phase_;
  const double scale = std::pow(gamma_, static_cast<double>(curr_cycle));
  for (Phase phase : phases_) {
    if (phase.start_iter <= curr_iter && curr_iter < phase.end_iter) {
      // Scale the distance from the base to the phase's peak by gamma ** cycle.
      if (phase.start_iter == 0)
        phase.end_ratio = 1 - scale + phase.end_ratio * scale;
      else
        phase.start_ratio = 1 - scale + phase.start_ratio * scale;
      const double progress = static_cast<double>(curr_iter - phase.start_iter);
      return anneal_(base * phase.start_ratio, base * phase.end_ratio,
                     progress / static_cast<double>(phase.end_iter - phase.start_iter));
    }
  }
  throw std::logic_error(who + ": iteration " + std::to_string(iter) + " falls in no phase");
}

}  // namespace tubelet
