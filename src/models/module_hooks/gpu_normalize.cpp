// MMAction2's GPUNormalize: the pipeline leaves frames as uint8 (no Normalize), and the model
// normalizes them on its device, (x - mean) / std over the channel axis of input_format.
#include <torch/torch.h>

#include "tubelet/args.h"
#include "tubelet/models/module_hook.h"

namespace tubelet {

namespace {

class GPUNormalize : public ModuleHook {
 public:
  GPUNormalize(const std::string& input_format, const std::vector<double>& mean,
               const std::vector<double>& std) {
    // Where the channel axis is, and the input's rank, for each format MMAction2 knows.
    int64_t rank = 0, channel = 0;
    if (input_format == "NCTHW") {
      rank = 5, channel = 1;
    } else if (input_format == "NCHW" || input_format == "NCHW_Flow") {
      rank = 4, channel = 1;
    } else if (input_format == "NPTCHW") {
      rank = 6, channel = 3;
    } else {
      throw std::invalid_argument("GPUNormalize: The input format " + input_format +
                                  " is invalid.");
    }
    std::vector<int64_t> shape(static_cast<size_t>(rank), 1);
    shape[static_cast<size_t>(channel)] = -1;
    mean_ = torch::tensor(mean, torch::kFloat32).view(shape);
    std_ = torch::tensor(std, torch::kFloat32).view(shape);
    format_ = input_format;
  }

  torch::Tensor forward_pre(const torch::Tensor& x) const override {
    if (x.scalar_type() != torch::kUInt8)
      throw std::invalid_argument(
          "GPUNormalize: The previous augmentation should use uint8 data type to speed up "
          "computation, but get " +
          std::string(c10::toString(x.scalar_type())) +
          " (leave Normalize out of the pipeline when the model normalizes)");
    if (x.dim() != mean_.dim())
      throw std::invalid_argument("GPUNormalize: a " + format_ + " input has " +
                                  std::to_string(mean_.dim()) + " dimensions, got " +
                                  std::to_string(x.dim()));
    torch::NoGradGuard no_grad;
    return x.to(torch::kFloat32).sub_(mean_.to(x.device())).div_(std_.to(x.device()));
  }

 private:
  torch::Tensor mean_, std_;
  std::string format_;
};

std::shared_ptr<ModuleHook> build_gpu_normalize(Args& args) {
  auto format = args.required<std::string>("input_format");
  auto mean = args.required<std::vector<double>>("mean");
  auto std = args.required<std::vector<double>>("std");
  if (mean.size() != std.size())
    throw args.error("std", "mean and std must have as many values (one per channel)");
  return std::make_shared<GPUNormalize>(format, mean, std);
}

}  // namespace

TUBELET_REGISTER(MODULE_HOOKS, GPUNormalize, build_gpu_normalize);

}  // namespace tubelet
