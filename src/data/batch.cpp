#include "tubelet/data/batch.h"

#include <stdexcept>

namespace tubelet {

const torch::Tensor& Batch::at(const std::string& name) const {
  for (const auto& [key, tensor] : tensors)
    if (key == name) return tensor;
  std::string keys;
  for (const auto& item : tensors) keys += (keys.empty() ? "" : ", ") + item.first;
  throw std::out_of_range("the batch has no '" + name + "' (it has: " + keys + ")");
}

bool Batch::has(const std::string& name) const {
  for (const auto& item : tensors)
    if (item.first == name) return true;
  return false;
}

const std::vector<torch::Tensor>* Batch::list(const std::string& name) const {
  for (const auto& item : lists)
    if (item.first == name) return &item.second;
  return nullptr;
}

int64_t Batch::size() const {
  if (tensors.empty())
    return lists.empty() ? static_cast<int64_t>(metas.size())
                         : static_cast<int64_t>(lists.front().second.size());
  const torch::Tensor& first = tensors.front().second;
  return first.dim() == 0 ? 1 : first.size(0);
}

}  // namespace tubelet
