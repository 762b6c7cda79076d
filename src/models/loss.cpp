#include "tubelet/models/loss.h"

#include <stdexcept>

namespace tubelet {

torch::Tensor Loss::forward_loss(const torch::Tensor&, const torch::Tensor&) {
  throw std::runtime_error(name() +
                           " has no forward_loss(score, label): it is a loss for its own model "
                           "(a localizer), not one a head can take as loss_cls");
}

std::vector<std::pair<std::string, torch::Tensor>> Loss::forward_with_aux(
    const torch::Tensor& score, const torch::Tensor& label,
    const std::vector<std::pair<std::string, torch::Tensor>>& aux) {
  if (!aux.empty())
    throw std::invalid_argument(name() +
                                " takes no extra inputs, but train_cfg.aux_info gives it '" +
                                aux.front().first + "'");
  return {{"loss_cls", forward_loss(score, label)}};
}

}  // namespace tubelet
