#include "tubelet/models/trainable.h"

namespace tubelet {

torch::Tensor Trainable::test_step(const Batch&) {
  throw std::logic_error("this model has no test_step");
}

List Trainable::test_records(const Batch&) {
  throw std::logic_error("this model gives score rows, not records (test_step)");
}

StepOutputs parse_losses(const NamedTensors& losses, int64_t num_samples) {
  StepOutputs out;
  torch::Tensor total;
  for (const auto& [name, value] : losses) {
    torch::Tensor mean = value.mean();
    if (name.find("loss") != std::string::npos) total = total.defined() ? total + mean : mean;
  }
  if (!total.defined())
    throw std::invalid_argument("the model returned no entry whose name contains 'loss'");
  bool replaced = false;
  for (const auto& [name, value] : losses) {
    // An entry already called "loss" keeps its place and takes the total, as a dict would.
    double logged = name == "loss" ? total.item<double>() : value.mean().item<double>();
    replaced = replaced || name == "loss";
    out.log_vars.emplace_back(name, logged);
  }
  if (!replaced) out.log_vars.emplace_back("loss", total.item<double>());
  out.loss = total;
  out.num_samples = num_samples;
  return out;
}

}  // namespace tubelet
