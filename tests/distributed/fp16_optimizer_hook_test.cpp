#include "tubelet/engine/hooks/fp16_optimizer_hook.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "tubelet/config/config.h"
#include "tubelet/engine/hook.h"
#include "tubelet/engine/registries.h"

namespace tubelet::fp16_optimizer_hook_test {
namespace {

struct OneWeight {
  torch::Tensor w = torch::ones({2}, torch::requires_grad());
  torch::optim::SGD sgd{std::vector<torch::Tensor>{w}, torch::optim::SGDOptions(0.5)};
};

// GradScaler's arithmetic by hand: scale 8, grads of loss = sum(w * [1, 2]) are [1, 2].
TEST(LossScaler, ScalesUnscalesAndSteps) {
  OneWeight m;
  LossScaler scaler({8.0});
  auto loss = (m.w * torch::tensor({1.0f, 2.0f})).sum();
  EXPECT_FLOAT_EQ(scaler.scale(loss).item<float>(), 24.0f);
  scaler.scale(loss).backward();
  EXPECT_FALSE(scaler.unscale(m.sgd));
  EXPECT_TRUE(torch::allclose(m.w.grad(), torch::tensor({1.0f, 2.0f})));
  EXPECT_TRUE(scaler.step(m.sgd));
  EXPECT_TRUE(torch::allclose(m.w, torch::tensor({0.5f, 0.0f})));
}

TEST(LossScaler, NonFiniteGradientSkipsTheStepAndBacksOff) {
  OneWeight m;
  LossScaler scaler({1024.0, 2.0, 0.5, 2});
  (m.w * std::numeric_limits<float>::infinity()).sum().backward();
  EXPECT_FALSE(scaler.step(m.sgd));
  EXPECT_TRUE(torch::equal(m.w, torch::ones({2})));
  scaler.update();
  EXPECT_DOUBLE_EQ(scaler.current_scale(), 512.0);
  // growth_interval finite steps in a row double it.
  for (int i = 0; i < 2; ++i) {
    m.sgd.zero_grad();
    scaler.scale(m.w.sum()).backward();
    EXPECT_TRUE(scaler.step(m.sgd));
    scaler.update();
  }
  EXPECT_DOUBLE_EQ(scaler.current_scale(), 1024.0);
  EXPECT_EQ(scaler.state_dict().at("_growth_tracker").as_int(), 0);
  scaler.update(512.0);  // a static scale is put back after every step
  EXPECT_DOUBLE_EQ(scaler.current_scale(), 512.0);
}

TEST(LossScaler, StateRoundTrips) {
  LossScaler a({4.0, 3.0, 0.25, 7});
  a.update();
  LossScaler b;
  b.load_state_dict(a.state_dict());
  EXPECT_DOUBLE_EQ(b.current_scale(), 4.0);
  EXPECT_EQ(b.state_dict().at("growth_interval").as_int(), 7);
  EXPECT_EQ(b.state_dict().at("_growth_tracker").as_int(), 1);
  EXPECT_THROW(LossScaler({0.0}), std::invalid_argument);
}

TEST(Fp16OptimizerHook, BuildsWithMmcvsArguments) {
  for (const char* cfg :
       {"h = dict(type='Fp16OptimizerHook', loss_scale=512.)",
        "h = dict(type='Fp16OptimizerHook', loss_scale='dynamic', grad_clip=dict(max_norm=40))",
        "h = dict(type='Fp16OptimizerHook', coalesce=True, bucket_size_mb=-1, distributed=False, "
        "loss_scale=dict(init_scale=256., growth_interval=100))"}) {
    Dict c = load_config_text(cfg, "c.py");
    EXPECT_EQ(HOOKS().build(c.at("h"), BuildContext("optimizer_config"))->type(),
              "Fp16OptimizerHook")
        << cfg;
  }
  Dict bad = load_config_text("h = dict(type='Fp16OptimizerHook', loss_scale='static')", "c.py");
  EXPECT_THROW(HOOKS().build(bad.at("h"), BuildContext("optimizer_config")), std::exception);
}

}  // namespace
}  // namespace tubelet::fp16_optimizer_hook_test
