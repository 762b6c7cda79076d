#include "tubelet/data/sample.h"

#include <stdexcept>

namespace tubelet {

const Value& Sample::need(const std::string& key, const std::string& who) const {
  const Value* v = info.find(key);
  if (!v) throw std::invalid_argument("the sample has no '" + key + "' (needed by " + who + ")");
  return *v;
}

const torch::Tensor* Sample::tensor(const std::string& name) const {
  for (const auto& item : tensors)
    if (item.first == name) return &item.second;
  return nullptr;
}

void Sample::set_tensor(const std::string& name, torch::Tensor value) {
  for (auto& item : tensors)
    if (item.first == name) {
      item.second = std::move(value);
      return;
    }
  tensors.emplace_back(name, std::move(value));
}

double uniform01(Sample& sample) {
  return std::uniform_real_distribution<double>(0.0, 1.0)(sample.rng);
}

}  // namespace tubelet
