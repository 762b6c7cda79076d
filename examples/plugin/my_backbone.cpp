// MyBackbone, the backbone of MMAction2's tutorial "Adding New Modules", as a plugin: one
// class derived from tubelet::Backbone (so that a recognizer can hold it) and one
// registration line.
#include <torch/nn/modules/conv.h>

#include <tubelet/models/backbone.h>
#include <tubelet/models/registries.h>
#include <tubelet/models/weight_init.h>

namespace my_plugin {

class MyBackbone : public tubelet::Backbone {
 public:
  // arg1: input channels, arg2: output channels of the single convolution.
  MyBackbone(int64_t arg1, int64_t arg2)
      : conv_(register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(arg1, arg2, 3)))) {
    // MMAction2's init_weights(): Tubelet modules initialise their layers when built.
    tubelet::kaiming_init(*conv_);
  }

  // Recognizer2D gives [N * num_segs, arg1, H, W]; one map [N * num_segs, arg2, H - 2, W - 2].
  std::vector<torch::Tensor> forward_features(const torch::Tensor& x) override {
    return {torch::relu(conv_(x))};
  }

 private:
  torch::nn::Conv2d conv_;
};

// The only code that reads the config: typed arguments out, a module back.
std::shared_ptr<MyBackbone> build_my_backbone(tubelet::Args& args) {
  return std::make_shared<MyBackbone>(args.required<int64_t>("arg1"),
                                      args.required<int64_t>("arg2"));
}

}  // namespace my_plugin

TUBELET_REGISTER(BACKBONES, MyBackbone, my_plugin::build_my_backbone);
