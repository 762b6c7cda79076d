// MMAction2's CBFocalLoss (BABEL's class-balanced focal loss): binary cross entropy on the
// one-hot labels, modulated by exp(-gamma * (y * x + log(1 + exp(-x)))) and weighted per
// sample by its class's effective-number weight, summed and divided by the number of labels;
// times loss_weight.
#include <torch/nn/functional/loss.h>
#include <torch/torch.h>

#include <cmath>

#include "tubelet/models/loss.h"
#include "tubelet/models/registries.h"

namespace tubelet {

namespace {

class CBFocalLossImpl : public Loss {
 public:
  CBFocalLossImpl(double loss_weight, const std::vector<double>& samples_per_cls, double beta,
                  double gamma)
      : loss_weight_(loss_weight), gamma_(gamma) {
    // (1 - beta) / (1 - beta^n) per class, normalised to sum to the class count; computed in
    // double, as MMAction2 does with numpy, then used as float.
    std::vector<double> w;
    double total = 0;
    for (double n : samples_per_cls) {
      w.push_back((1.0 - beta) / (1.0 - std::pow(beta, n)));
      total += w.back();
    }
    for (double& v : w) v = v / total * static_cast<double>(w.size());
    weights_ = torch::tensor(w, torch::kDouble).to(torch::kFloat);
  }

  torch::Tensor forward_loss(const torch::Tensor& score, const torch::Tensor& label) override {
    int64_t classes = weights_.size(0);
    torch::Tensor one_hot = torch::one_hot(label.to(torch::kLong), classes).to(torch::kFloat);
    // Each sample's weight is its class's, repeated over the classes.
    torch::Tensor weights = (weights_.to(score.device()).unsqueeze(0) * one_hot).sum(1, true);
    torch::Tensor bce = torch::nn::functional::binary_cross_entropy_with_logits(
        score, one_hot,
        torch::nn::functional::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kNone));
    torch::Tensor loss = bce;
    if (gamma_ != 0)
      loss =
          torch::exp(-gamma_ * one_hot * score - gamma_ * torch::log(1 + torch::exp(-score))) * bce;
    return loss_weight_ * ((weights * loss).sum() / one_hot.sum());
  }

 private:
  double loss_weight_, gamma_;
  torch::Tensor weights_;
};

std::shared_ptr<Loss> build_cb_focal_loss(Args& args) {
  return std::make_shared<CBFocalLossImpl>(args.get("loss_weight", 1.0),
                                           args.get("samples_per_cls", std::vector<double>{}),
                                           args.get("beta", 0.9999), args.get("gamma", 2.0));
}

}  // namespace

TUBELET_REGISTER(LOSSES, CBFocalLoss, build_cb_focal_loss);

}  // namespace tubelet
