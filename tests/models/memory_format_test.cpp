// The `channels_last = True` key: 4-D weights in NHWC, 5-D weights in NDHWC, the same numbers
// as the default layout (within 1e-4, the bound; float32 convolutions summed in another
// order differ by ~1e-6 here), forward and backward.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "tubelet/config/config.h"
#include "tubelet/config/error.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/memory_format.h"
#include "tubelet/models/recognizers/base_recognizer.h"

namespace tubelet::memory_format_test {
namespace {

const char* k2d =
    "dict(type='Recognizer2D', backbone=dict(type='ResNet', depth=18, num_stages=2, "
    "out_indices=(1, ), strides=(1, 2), dilations=(1, 1)), cls_head=dict(type='TSNHead', "
    "num_classes=5, in_channels=128, dropout_ratio=0.0))";
const char* k3d =
    "dict(type='Recognizer3D', backbone=dict(type='ResNet3d', depth=18, pretrained=None, "
    "base_channels=8, num_stages=2, out_indices=(1, ), spatial_strides=(1, 2), "
    "temporal_strides=(1, 1), dilations=(1, 1), zero_init_residual=False), "
    "cls_head=dict(type='I3DHead', num_classes=5, in_channels=16, dropout_ratio=0.0))";

std::shared_ptr<BaseRecognizerImpl> build(const std::string& text) {
  torch::manual_seed(0);
  auto m = build_model(load_config_text("model = " + text + "\n", "/tmp/mf.py").at("model"));
  return std::dynamic_pointer_cast<BaseRecognizerImpl>(m);
}

// The training loss and the gradient of every parameter, in the default layout.
struct Step {
  torch::Tensor loss;
  std::vector<torch::Tensor> grads;
};

Step train_step(BaseRecognizerImpl& model, const torch::Tensor& imgs) {
  model.train();
  model.zero_grad();
  torch::Tensor loss = model.forward_train(imgs, torch::tensor({1, 3}, torch::kLong)).back().second;
  loss.backward();
  Step s{loss.detach(), {}};
  for (const auto& p : model.parameters()) s.grads.push_back(p.grad().contiguous());
  return s;
}

void expect_same_numbers(const char* config, const torch::Tensor& imgs,
                         torch::MemoryFormat format) {
  auto plain = build(config);
  auto fast = build(config);
  to_channels_last(*fast);
  bool converted = false;
  for (const auto& p : fast->parameters())
    if (p.dim() == imgs.dim() - 1) {
      EXPECT_TRUE(p.is_contiguous(format));
      converted = true;
    }
  EXPECT_TRUE(converted);
  const Step a = train_step(*plain, imgs);
  const Step b = train_step(*fast, imgs);
  EXPECT_NEAR(a.loss.item<double>(), b.loss.item<double>(), 1e-4);
  ASSERT_EQ(a.grads.size(), b.grads.size());
  for (size_t i = 0; i < a.grads.size(); ++i)
    EXPECT_TRUE(torch::allclose(a.grads[i], b.grads[i], 1e-4, 1e-4)) << "parameter " << i;
}

TEST(ChannelsLast, TwoDModelKeepsItsNumbers) {
  torch::manual_seed(1);
  expect_same_numbers(k2d, torch::randn({2, 2, 3, 32, 32}), torch::MemoryFormat::ChannelsLast);
}

TEST(ChannelsLast, ThreeDModelKeepsItsNumbers) {
  torch::manual_seed(1);
  expect_same_numbers(k3d, torch::randn({2, 1, 3, 4, 16, 16}), torch::MemoryFormat::ChannelsLast3d);
}

TEST(ChannelsLast, ConfigKeyIsABool) {
  EXPECT_FALSE(channels_last_requested(load_config_text("x = 1\n", "/tmp/a.py")));
  EXPECT_TRUE(channels_last_requested(load_config_text("channels_last = True\n", "/tmp/a.py")));
  EXPECT_FALSE(channels_last_requested(load_config_text("channels_last = False\n", "/tmp/a.py")));
  try {
    channels_last_requested(load_config_text("channels_last = 'yes'\n", "/tmp/a.py"));
    FAIL() << "a string was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("channels_last must be True or False, not str"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace tubelet::memory_format_test
