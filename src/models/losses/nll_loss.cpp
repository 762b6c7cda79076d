// MMAction2's NLLLoss: the negative log-likelihood of log-probabilities `score` at the class
// indices `label` (mean over samples), times loss_weight.
#include <torch/nn/functional/loss.h>

#include "tubelet/models/loss.h"
#include "tubelet/models/registries.h"

namespace tubelet {

namespace {

class NLLLossImpl : public Loss {
 public:
  explicit NLLLossImpl(double loss_weight) : loss_weight_(loss_weight) {}

  torch::Tensor forward_loss(const torch::Tensor& score, const torch::Tensor& label) override {
    return loss_weight_ * torch::nn::functional::nll_loss(score, label);
  }

 private:
  double loss_weight_;
};

std::shared_ptr<Loss> build_nll_loss(Args& args) {
  return std::make_shared<NLLLossImpl>(args.get("loss_weight", 1.0));
}

}  // namespace

TUBELET_REGISTER(LOSSES, NLLLoss, build_nll_loss);

}  // namespace tubelet
