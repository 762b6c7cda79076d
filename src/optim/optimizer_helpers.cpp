// PyTorch's argument checks, shared by the optimizer builders.
#include "tubelet/optim/optimizer_helpers.h"

#include <vector>

namespace tubelet::optim {

void check_non_negative(Args& args, const char* key, double value, const char* what) {
  if (value < 0) throw args.error(key, std::string("Invalid ") + what + ": " + repr(Value(value)));
}

std::pair<double, double> read_betas(Args& args, std::pair<double, double> fallback) {
  std::vector<double> betas =
      args.get("betas", std::vector<double>{fallback.first, fallback.second});
  if (betas.size() != 2) throw args.error("betas", "betas must hold two floats");
  for (int i = 0; i < 2; ++i)
    if (betas[i] < 0 || betas[i] >= 1)
      throw args.error("betas", "Invalid beta parameter at index " + std::to_string(i) + ": " +
                                    repr(Value(betas[i])));
  return {betas[0], betas[1]};
}

void read_implementation_flags(Args& args, std::initializer_list<const char*> refused) {
  args.get<std::optional<bool>>("foreach", std::nullopt);  // a speed hint only
  for (const char* key : refused)
    if (args.get(key, false))
      throw args.error(key, std::string("'") + key + "=True' is not supported by " + args.module());
}

void check_gradient(const torch::Tensor& param, const torch::Tensor& grad, const char* optimizer) {
  TORCH_CHECK(!grad.is_sparse(), optimizer, " does not support sparse gradients");
  TORCH_CHECK(!param.is_complex(), optimizer, " here does not support complex parameters");
}

}  // namespace tubelet::optim
