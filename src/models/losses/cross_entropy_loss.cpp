// MMAction2's CrossEntropyLoss: hard labels (class indices) or soft labels (a probability
// row per sample), optional class weights, times loss_weight.
#include <torch/nn/functional/loss.h>
#include <torch/torch.h>

#include "tubelet/models/loss.h"
#include "tubelet/models/registries.h"

namespace tubelet {

namespace {

class CrossEntropyLossImpl : public Loss {
 public:
  CrossEntropyLossImpl(double loss_weight, std::optional<std::vector<double>> class_weight)
      : loss_weight_(loss_weight) {
    // A plain tensor, not a buffer: MMAction2 keeps it out of the state_dict.
    if (class_weight) class_weight_ = torch::tensor(*class_weight);
  }

  torch::Tensor forward_loss(const torch::Tensor& score, const torch::Tensor& label) override {
    return loss_weight_ *
           (label.sizes() == score.sizes() ? soft(score, label) : hard(score, label));
  }

 private:
  torch::Tensor hard(const torch::Tensor& score, const torch::Tensor& label) {
    auto options = torch::nn::functional::CrossEntropyFuncOptions();
    if (class_weight_.defined()) options.weight(class_weight_);
    return torch::nn::functional::cross_entropy(score, label, options);
  }

  // -sum(label * log_softmax(score)) per sample; with class weights, MMAction2 weights each
  // class term and divides by the sum over samples of (weights * label).
  torch::Tensor soft(const torch::Tensor& score, const torch::Tensor& label) {
    torch::Tensor lsm = torch::log_softmax(score, 1);
    if (!class_weight_.defined()) return -(label * lsm).sum(1).mean();
    torch::Tensor w = class_weight_.unsqueeze(0);
    return -(label * lsm * w).sum(1).sum() / (w * label).sum();
  }

  double loss_weight_;
  torch::Tensor class_weight_;
};

std::shared_ptr<Loss> build_cross_entropy_loss(Args& args) {
  return std::make_shared<CrossEntropyLossImpl>(
      args.get("loss_weight", 1.0),
      args.get<std::optional<std::vector<double>>>("class_weight", std::nullopt));
}

}  // namespace

TUBELET_REGISTER(LOSSES, CrossEntropyLoss, build_cross_entropy_loss);

}  // namespace tubelet
