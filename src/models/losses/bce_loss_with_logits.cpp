// MMAction2's BCELossWithLogits: binary cross entropy on logits against multi-hot labels,
// optionally weighting each class, mean over every element, times loss_weight.
#include <torch/nn/functional/loss.h>
#include <torch/torch.h>

#include "tubelet/models/loss.h"
#include "tubelet/models/registries.h"

namespace tubelet {

namespace {

class BCELossWithLogitsImpl : public Loss {
 public:
  BCELossWithLogitsImpl(double loss_weight, std::optional<std::vector<double>> class_weight)
      : loss_weight_(loss_weight) {
    // A plain tensor, not a buffer: MMAction2 keeps it out of the state_dict.
    if (class_weight) class_weight_ = torch::tensor(*class_weight, torch::kFloat);
  }

  torch::Tensor forward_loss(const torch::Tensor& score, const torch::Tensor& label) override {
    TORCH_CHECK(label.sizes() == score.sizes(), "BCELossWithLogits: label shape ", label.sizes(),
                " differs from score shape ", score.sizes());
    auto options = torch::nn::functional::BinaryCrossEntropyWithLogitsFuncOptions();
    if (class_weight_.defined()) options.weight(class_weight_.to(score.device()));
    return loss_weight_ *
           torch::nn::functional::binary_cross_entropy_with_logits(score, label, options);
  }

 private:
  double loss_weight_;
  torch::Tensor class_weight_;
};

std::shared_ptr<Loss> build_bce_loss_with_logits(Args& args) {
  return std::make_shared<BCELossWithLogitsImpl>(
      args.get("loss_weight", 1.0),
      args.get<std::optional<std::vector<double>>>("class_weight", std::nullopt));
}

}  // namespace

TUBELET_REGISTER(LOSSES, BCELossWithLogits, build_bce_loss_with_logits);

}  // namespace tubelet
