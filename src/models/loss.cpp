#include "tubelet/models/loss.h"

#include <stdexcept>

namespace tubelet {

torch::Tensor Loss::forward_loss(const torch::Tensor&, const torch::Tensor&) {
  throw std::runtime_error(name() +
                           " has no forward_loss(score, label): it is a loss for its own model "
                           "(a localizer), not one a head can take as loss_cls");
}

}  // namespace tubelet
