#include "tubelet/engine/log_buffer.h"

#include <algorithm>

namespace tubelet {

void LogBuffer::update(const std::vector<std::pair<std::string, double>>& vars, int64_t count) {
  for (const auto& [name, value] : vars) {
    auto [it, inserted] = history_.try_emplace(name);
    if (inserted) order_.push_back(name);
    it->second.emplace_back(value, count);
  }
}

void LogBuffer::average(int64_t n) {
  for (const std::string& name : order_) {
    const auto& values = history_.at(name);
    size_t first = n > 0 && static_cast<size_t>(n) < values.size() ? values.size() - n : 0;
    double sum = 0, weight = 0;
    for (size_t i = first; i < values.size(); ++i) {
      sum += values[i].first * values[i].second;
      weight += values[i].second;
    }
    set_output(name, weight > 0 ? sum / weight : 0.0);
  }
  ready_ = true;
}

void LogBuffer::clear() {
  order_.clear();
  history_.clear();
  clear_output();
}

void LogBuffer::clear_output() {
  output_.clear();
  ready_ = false;
}

std::optional<double> LogBuffer::take_output(const std::string& name) {
  auto it = std::find_if(output_.begin(), output_.end(),
                         [&](const auto& item) { return item.first == name; });
  if (it == output_.end()) return std::nullopt;
  double value = it->second;
  output_.erase(it);
  return value;
}

void LogBuffer::set_output(const std::string& name, double value) {
  auto it = std::find_if(output_.begin(), output_.end(),
                         [&](const auto& item) { return item.first == name; });
  if (it != output_.end())
    it->second = value;
  else
    output_.emplace_back(name, value);
}

}  // namespace tubelet
