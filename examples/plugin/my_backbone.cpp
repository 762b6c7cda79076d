// MyBackbone, the example of MMAction2's tutorial "Adding New Modules", as a plugin:
// one class and one registration line.
#include <torch/torch.h>

#include <tubelet/models/registries.h>

namespace my_plugin {

struct MyBackboneImpl : torch::nn::Module {
  // arg1: input channels, arg2: output channels of the single convolution.
  MyBackboneImpl(int64_t arg1, int64_t arg2)
      : conv(register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(arg1, arg2, 3)))) {}

  torch::Tensor forward(torch::Tensor x) { return torch::relu(conv(x)); }

  // The only code that reads the config: typed arguments out, a module back.
  static std::shared_ptr<torch::nn::Module> from_config(tubelet::Args& args) {
    return std::make_shared<MyBackboneImpl>(args.required<int64_t>("arg1"),
                                            args.required<int64_t>("arg2"));
  }

  torch::nn::Conv2d conv;
};

TUBELET_REGISTER(BACKBONES, MyBackbone, MyBackboneImpl::from_config);

}  // namespace my_plugin
