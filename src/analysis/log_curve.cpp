#include "tubelet/analysis/log_curve.h"

#include <stdexcept>

namespace tubelet::analysis {

namespace {

const Value* number(const Dict& entry, const std::string& key) {
  const Value* v = entry.find(key);
  return v && v->is_number() && !v->is_bool() ? v : nullptr;
}

int64_t entry_iter(const Dict& entry) {
  const Value* iter = number(entry, "iter");
  return iter ? iter->as_int() : 0;
}

// Iterations counted per epoch (EpochBasedRunner's by-epoch logs) restart in each epoch;
// an iteration-numbered log (IterBasedRunner) keeps counting, and needs no offset.
bool restarts_each_epoch(const JsonLog& log) {
  int64_t last = -1;
  for (const EpochLog& epoch : log.epochs) {
    bool first = true;
    for (const Dict& entry : epoch.entries) {
      if (entry_mode(entry) != "train") continue;
      const int64_t iter = entry_iter(entry);
      if (first && last >= 0 && iter <= last) return true;
      first = false;
      last = iter;
    }
  }
  return false;
}

int64_t last_train_iter(const EpochLog& epoch) {
  int64_t last = 0;
  for (const Dict& entry : epoch.entries)
    if (entry_mode(entry) == "train") last = entry_iter(entry);
  return last;
}

bool logged_in_train(const JsonLog& log, const std::string& key) {
  for (const EpochLog& epoch : log.epochs)
    for (const Dict& entry : epoch.entries)
      if (entry_mode(entry) == "train" && number(entry, key)) return true;
  return false;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

LogCurve log_curve(const JsonLog& log, const std::string& key) {
  LogCurve curve;
  curve.key = key;
  curve.validation = !logged_in_train(log, key);
  const bool offset = restarts_each_epoch(log);
  double last_train_x = 0;
  for (const EpochLog& epoch : log.epochs) {
    const double base =
        offset ? static_cast<double>((epoch.epoch - 1) * last_train_iter(epoch)) : 0.0;
    for (const Dict& entry : epoch.entries) {
      const bool train = entry_mode(entry) == "train";
      if (train) last_train_x = base + static_cast<double>(entry_iter(entry));
      const Value* value = number(entry, key);
      if (!value || train == curve.validation) continue;
      curve.iters.push_back(last_train_x);
      curve.epochs.push_back(static_cast<double>(epoch.epoch));
      curve.values.push_back(value->as_float());
    }
  }
  if (curve.values.empty())
    throw std::invalid_argument(log.path.string() + " does not contain metric " + key +
                                " (keys in the log: " + joined(log.keys()) + ")");
  return curve;
}

}  // namespace tubelet::analysis
