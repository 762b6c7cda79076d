// Every model family on the GPU against the CPU: the same weights and inputs, the training
// forward (outputs, losses and batch-norm statistics), the backward (every parameter's
// gradient) and the evaluation forward must agree within float32 rounding (see
// device_under_test.h for the tolerance and why). Tiny configs, so the CPU side stays cheap.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <functional>
#include <limits>
#include <map>

#include "cuda/device_under_test.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/config.h"
#include "tubelet/distributed/device.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/common/drop_path.h"
#include "tubelet/models/localizers/bmn.h"
#include "tubelet/models/localizers/pem.h"
#include "tubelet/models/localizers/tem.h"
#include "tubelet/models/recognizers/base_recognizer.h"

namespace tubelet::cuda_model_parity_test {
namespace {

struct Family {
  std::string name;
  std::string model;             // the config's model = dict(...)
  std::function<Batch()> batch;  // made on the CPU; the same draws for every run
};

std::ostream& operator<<(std::ostream& out, const Family& f) {
  return out << f.name;
}

// A clip batch of `shape` with labels 0, 1, ... (key "imgs", or "audios").
std::function<Batch()> clips(std::vector<int64_t> shape, std::string key = "imgs") {
  return [shape, key] {
    auto gen = torch::make_generator<torch::CPUGeneratorImpl>(7);
    Batch b;
    b.tensors = {{key, torch::randn(shape, gen)},
                 {"label", torch::arange(shape[0], torch::kLong) % 3}};
    return b;
  };
}

Batch localization_features(int64_t feat_dim, int64_t temporal_dim) {
  auto gen = torch::make_generator<torch::CPUGeneratorImpl>(7);
  Batch b;
  b.tensors = {{"raw_feature", torch::randn({2, feat_dim, temporal_dim}, gen)}};
  b.lists = {{"gt_bbox", {torch::tensor({{0.1, 0.4}, {0.5, 0.9}}), torch::tensor({{0.2, 0.7}})}}};
  return b;
}

Batch proposal_features() {
  auto gen = torch::make_generator<torch::CPUGeneratorImpl>(7);
  Batch b;
  b.lists = {{"bsp_feature", {torch::randn({4, 6}, gen), torch::randn({3, 6}, gen)}}};
  return b;
}

// One small model per family MMAction2 0.24 has, with inputs just large enough for its strides
// (batch norm in training needs more than one value per channel).
std::vector<Family> families() {
  const std::string tsn_r18 =
      "backbone=dict(type='ResNet', depth=18, num_stages=2, out_indices=(1, ), strides=(1, 2), "
      "dilations=(1, 1))";
  const std::string tpn =
      "dict(type='Recognizer3D', backbone=dict(type='ResNet3dSlowOnly', depth=18, "
      "pretrained=None, lateral=False, base_channels=8, out_indices=(2, 3), "
      "conv1_kernel=(1, 7, 7), conv1_stride_t=1, pool1_stride_t=1, inflate=(0, 0, 1, 1), "
      "norm_eval=False), neck=dict(type='TPN', in_channels=(32, 64), out_channels=32, "
      "spatial_modulation_cfg=dict(in_channels=(32, 64), out_channels=64), "
      "temporal_modulation_cfg=dict(downsample_scales=(4, 4)), "
      "upsample_cfg=dict(scale_factor=(1, 1, 1)), downsample_cfg=dict(downsample_scale=(1, 1, 1)), "
      "level_fusion_cfg=dict(in_channels=(32, 32), mid_channels=(32, 32), out_channels=64, "
      "downsample_scales=((1, 1, 1), (1, 1, 1))), aux_head_cfg=dict(out_channels=5, "
      "loss_weight=0.5)), cls_head=dict(type='TPNHead', num_classes=5, in_channels=2048, "
      "spatial_type='avg', consensus=dict(type='AvgConsensus', dim=1)), "
      "test_cfg=dict(average_clips='prob'))";
  return {
      {"tsn",
       "dict(type='Recognizer2D', " + tsn_r18 +
           ", cls_head=dict(type='TSNHead', num_classes=3, in_channels=128), "
           "test_cfg=dict(average_clips='prob'))",
       clips({2, 3, 3, 32, 32})},
      {"tsm",
       "dict(type='Recognizer2D', backbone=dict(type='ResNetTSM', depth=18, num_segments=4, "
       "shift_div=8), cls_head=dict(type='TSMHead', num_classes=3, in_channels=512, "
       "num_segments=4))",
       clips({1, 4, 3, 32, 32})},
      {"tin",
       "dict(type='Recognizer2D', backbone=dict(type='ResNetTIN', depth=18, num_segments=4), "
       "cls_head=dict(type='TSMHead', num_classes=3, in_channels=512, num_segments=4, "
       "is_shift=False))",
       clips({1, 4, 3, 32, 32})},
      {"tanet",
       "dict(type='Recognizer2D', backbone=dict(type='TANet', depth=50, num_segments=3), "
       "cls_head=dict(type='TSMHead', num_classes=3, in_channels=2048, num_segments=3))",
       clips({1, 3, 3, 32, 32})},
      {"trn",
       "dict(type='Recognizer2D', " + tsn_r18 +
           ", cls_head=dict(type='TRNHead', num_classes=3, in_channels=128, num_segments=4, "
           "hidden_dim=16, relation_type='TRNMultiScale'))",
       clips({2, 4, 3, 32, 32})},
      {"mobilenet_v2_tsm",
       "dict(type='Recognizer2D', backbone=dict(type='MobileNetV2TSM', widen_factor=0.1, "
       "num_segments=2), cls_head=dict(type='TSMHead', num_segments=2, num_classes=3, "
       "in_channels=1280))",
       clips({2, 2, 3, 32, 32})},
      {"i3d",
       "dict(type='Recognizer3D', backbone=dict(type='ResNet3d', depth=18, pretrained=None, "
       "base_channels=4, num_stages=2, out_indices=(1, ), spatial_strides=(1, 2), "
       "temporal_strides=(1, 1), dilations=(1, 1), zero_init_residual=False, "
       "non_local=((0, 0), (0, 1)), non_local_cfg=dict(sub_sample=True, use_scale=False, "
       "norm_cfg=dict(type='BN3d', requires_grad=True), mode='embedded_gaussian')), "
       "cls_head=dict(type='I3DHead', num_classes=3, in_channels=8))",
       clips({2, 1, 3, 4, 16, 16})},
      {"slowonly",
       "dict(type='Recognizer3D', backbone=dict(type='ResNet3dSlowOnly', depth=50, "
       "pretrained=None, base_channels=4, stage_blocks=(1, 1, 1, 1), lateral=False, "
       "conv1_kernel=(1, 7, 7), conv1_stride_t=1, pool1_stride_t=1, inflate=(0, 0, 1, 1), "
       "norm_eval=False), cls_head=dict(type='I3DHead', num_classes=3, in_channels=128))",
       clips({2, 1, 3, 4, 32, 32})},
      {"slowfast",
       "dict(type='Recognizer3D', backbone=dict(type='ResNet3dSlowFast', pretrained=None, "
       "resample_rate=4, speed_ratio=2, channel_ratio=2, slow_pathway=dict(type='resnet3d', "
       "depth=18, pretrained=None, lateral=True, base_channels=2, conv1_kernel=(1, 7, 7), "
       "conv1_stride_t=1, pool1_stride_t=1, inflate=(0, 0, 1, 1), stage_blocks=(1, 1, 1, 1)), "
       "fast_pathway=dict(type='resnet3d', depth=18, pretrained=None, lateral=False, "
       "base_channels=1, conv1_kernel=(5, 7, 7), conv1_stride_t=1, pool1_stride_t=1, "
       "stage_blocks=(1, 1, 1, 1))), cls_head=dict(type='SlowFastHead', in_channels=24, "
       "num_classes=5, spatial_type='avg'))",
       clips({2, 1, 3, 8, 16, 16})},
      {"x3d",
       "dict(type='Recognizer3D', backbone=dict(type='X3D', gamma_w=0.25, gamma_d=0.5, "
       "num_stages=2, spatial_strides=(2, 2)), cls_head=dict(type='X3DHead', in_channels=16, "
       "num_classes=3), test_cfg=dict(average_clips='prob'))",
       clips({2, 1, 3, 2, 16, 16})},
      {"c3d",
       "dict(type='Recognizer3D', backbone=dict(type='C3D', pretrained=None, style='pytorch', "
       "conv_cfg=dict(type='Conv3d'), norm_cfg=None, act_cfg=dict(type='ReLU'), "
       "init_std=0.005), cls_head=dict(type='I3DHead', num_classes=3, in_channels=4096, "
       "spatial_type=None), test_cfg=dict(average_clips='score'))",
       clips({1, 1, 3, 16, 112, 112})},
      {"ircsn",
       "dict(type='Recognizer3D', backbone=dict(type='ResNet3dCSN', pretrained2d=False, "
       "pretrained=None, depth=50, base_channels=4, stage_blocks=(1, 1, 1, 1), "
       "with_pool2=False, bottleneck_mode='ir', norm_eval=False, zero_init_residual=False), "
       "cls_head=dict(type='I3DHead', num_classes=3, in_channels=128))",
       clips({2, 1, 3, 8, 32, 32})},
      {"r2plus1d",
       "dict(type='Recognizer3D', backbone=dict(type='ResNet2Plus1d', depth=18, "
       "pretrained=None, pretrained2d=False, base_channels=2, stage_blocks=(1, 1, 1, 1), "
       "norm_eval=False, conv_cfg=dict(type='Conv2plus1d'), norm_cfg=dict(type='SyncBN', "
       "requires_grad=True, eps=1e-3), conv1_kernel=(3, 7, 7), conv1_stride_t=1, "
       "pool1_stride_t=1, inflate=(1, 1, 1, 1), spatial_strides=(1, 2, 2, 2), "
       "temporal_strides=(1, 2, 2, 2), zero_init_residual=False), "
       "cls_head=dict(type='I3DHead', num_classes=3, in_channels=16))",
       clips({2, 1, 3, 8, 16, 16})},
      {"tpn", tpn, clips({2, 1, 3, 8, 32, 32})},
      {"timesformer",
       "dict(type='Recognizer3D', backbone=dict(type='TimeSformer', num_frames=2, img_size=8, "
       "patch_size=4, embed_dims=8, num_heads=2, num_transformer_layers=2), "
       "cls_head=dict(type='TimeSformerHead', num_classes=5, in_channels=8), "
       "test_cfg=dict(average_clips='prob'))",
       clips({2, 1, 3, 2, 8, 8})},
      {"audio",
       "dict(type='AudioRecognizer', backbone=dict(type='ResNetAudio', depth=50, "
       "pretrained=None, base_channels=2), cls_head=dict(type='AudioTSNHead', num_classes=5, "
       "in_channels=64), test_cfg=dict(average_clips='prob'))",
       clips({2, 1, 1, 32, 32}, "audios")},  // one clip per sample, as MMAction2 trains
      {"bmn",
       "dict(type='BMN', temporal_dim=8, boundary_ratio=0.5, num_samples=4, "
       "num_samples_per_bin=2, feat_dim=8, soft_nms_alpha=0.4, soft_nms_low_threshold=0.5, "
       "soft_nms_high_threshold=0.9, post_process_top_k=6, feature_extraction_interval=16, "
       "hidden_dim_1d=8, hidden_dim_2d=4, hidden_dim_3d=8)",
       [] { return localization_features(8, 8); }},
      {"bsn_tem",
       "dict(type='TEM', temporal_dim=8, boundary_ratio=0.1, tem_feat_dim=6, tem_hidden_dim=5, "
       "tem_match_threshold=0.5, conv3_ratio=0.5)",
       [] { return localization_features(6, 8); }},
      {"bsn_pem",
       "dict(type='PEM', pem_feat_dim=6, pem_hidden_dim=5, pem_u_ratio_m=1, pem_u_ratio_l=2, "
       "pem_high_temporal_iou_threshold=0.6, pem_low_temporal_iou_threshold=0.2, "
       "soft_nms_alpha=0.75, soft_nms_low_threshold=0.65, soft_nms_high_threshold=0.9, "
       "post_process_top_k=12, fc1_ratio=1.0, fc2_ratio=1.0)",
       proposal_features},
  };
}

std::shared_ptr<torch::nn::Module> build(const Family& f) {
  return build_model(load_config_text("model = " + f.model + "\n", "/tmp/parity.py").at("model"));
}

// Dropout and stochastic depth draw from the device's generator, which differs between the CPU
// and a GPU; what they do is not under test here, so they are switched off.
void switch_off_randomness(torch::nn::Module& model) {
  for (const auto& m : model.modules()) {
    if (auto* d = m->as<torch::nn::Dropout>()) d->options.p(0.0);
    if (auto* d = m->as<torch::nn::Dropout2d>()) d->options.p(0.0);
    if (auto* d = m->as<torch::nn::Dropout3d>()) d->options.p(0.0);
    if (auto* a = m->as<torch::nn::MultiheadAttention>()) a->options.dropout(0.0);
    if (auto* d = m->as<DropPath>()) d->drop_prob = 0.0;
  }
}

Batch to(const Batch& batch, const torch::Device& device) {
  Batch out = batch;
  for (auto& [name, t] : out.tensors) t = t.to(device);
  for (auto& [name, list] : out.lists)
    for (auto& t : list) t = t.to(device);
  return out;
}

// What the model computes from `batch`, by name. Training: a recognizer's head scores and its
// training loss (head, neck and loss functions), BMN's maps, TEM's curves and loss (its labels
// are made on the device too), PEM's scores; BMN's and PEM's losses draw random samples on the
// device, so they are left out. Evaluation: a recognizer's test scores, the localizers' maps.
NamedTensors outputs(torch::nn::Module& model, const Batch& batch, bool training) {
  if (auto* r = dynamic_cast<BaseRecognizerImpl*>(&model)) {
    const torch::Tensor& x = batch.has("audios") ? batch.at("audios") : batch.at("imgs");
    if (!training) return {{"test_scores", r->test_step(batch)}};
    return {{"scores", r->forward_dummy(x)}, {"loss", r->train_step(batch).loss}};
  }
  if (auto* bmn = dynamic_cast<BMNImpl*>(&model)) {
    BMNOutputs o = bmn->forward(batch.at("raw_feature"));
    return {{"confidence_map", o.confidence_map}, {"start", o.start}, {"end", o.end}};
  }
  if (auto* tem = dynamic_cast<TEMImpl*>(&model)) {
    NamedTensors out{{"tem_output", tem->forward(batch.at("raw_feature"))}};
    if (training) out.emplace_back("loss", tem->train_step(batch).loss);
    return out;
  }
  if (auto* pem = dynamic_cast<PEMImpl*>(&model))
    return {{"pem_output", pem->forward(*batch.list("bsp_feature"))}};
  throw std::logic_error("no parity probe for this model");
}

// Each output weighted by fixed random numbers (made on the CPU, so the same on every device)
// and summed: every element of every output reaches the gradients, which a plain sum would not
// do (softmax outputs, batch-normed maps sum to constants).
torch::Tensor probe_loss(const NamedTensors& outs) {
  auto gen = torch::make_generator<torch::CPUGeneratorImpl>(11);
  torch::Tensor total = torch::zeros({}, outs.front().second.options());
  for (const auto& [name, t] : outs)
    total = total + (t * torch::randn(t.sizes(), gen).to(t.device())).sum();
  return total;
}

struct RunResult {
  NamedTensors train, eval;
  std::map<std::string, torch::Tensor> grads, buffers;
};

RunResult run_on(const Family& f, const checkpoint::StateDict& weights,
                 const torch::Device& device) {
  auto model = build(f);
  switch_off_randomness(*model);
  checkpoint::load_state_dict(*model, weights, /*strict=*/true);
  model->to(device);
  model->train();
  Batch batch = to(f.batch(), device);
  RunResult r;
  torch::manual_seed(3);  // draws made on the CPU (TRN's relation sampling) repeat
  r.train = outputs(*model, batch, /*training=*/true);
  probe_loss(r.train).backward();
  for (const auto& p : model->named_parameters())
    r.grads[p.key()] = p.value().grad().defined() ? p.value().grad().cpu() : torch::Tensor();
  for (const auto& b : model->named_buffers()) r.buffers[b.key()] = b.value().cpu();
  model->eval();
  torch::NoGradGuard no_grad;
  torch::manual_seed(3);
  r.eval = outputs(*model, batch, /*training=*/false);
  for (auto& [name, t] : r.train) t = t.detach().cpu();
  for (auto& [name, t] : r.eval) t = t.cpu();
  return r;
}

void expect_same_outputs(const NamedTensors& got, const NamedTensors& want,
                         const std::string& phase) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_TRUE(test::device_close(got[i].second, want[i].second, phase + " " + want[i].first));
}

void expect_same_tensors(const std::map<std::string, torch::Tensor>& got,
                         const std::map<std::string, torch::Tensor>& want,
                         const std::string& what) {
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [name, t] : want)
    EXPECT_TRUE(test::device_close(got.at(name), t, what + " " + name));
}

// The comparison itself, on any machine: float32 rounding passes, what a fault gives fails.
TEST(CudaDeviceClose, PassesRoundingAndCatchesFaults) {
  auto gen = torch::make_generator<torch::CPUGeneratorImpl>(1);
  const torch::Tensor want = torch::randn({4, 16}, gen);
  EXPECT_TRUE(test::device_close(want * (1 + 1e-6), want, "rounding"));
  EXPECT_TRUE(test::device_close(want + 1e-4 * want.abs().max(), want, "within 1e-3"));
  torch::Tensor one_off = want.clone();
  one_off[2][3] += 0.01 * want.abs().max().item<double>();
  EXPECT_FALSE(test::device_close(one_off, want, "one element 1% off"));
  EXPECT_FALSE(test::device_close(want.t().contiguous().view({4, 16}), want, "a wrong layout"));
  EXPECT_FALSE(test::device_close(want.view({16, 4}), want, "shape"));
  EXPECT_FALSE(test::device_close(want.to(torch::kDouble), want, "dtype"));
  EXPECT_FALSE(test::device_close(torch::Tensor(), want, "undefined"));
  EXPECT_TRUE(test::device_close(torch::Tensor(), torch::Tensor(), "both undefined"));
  torch::Tensor nan = want.clone();
  nan[0][0] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_FALSE(test::device_close(nan, want, "nan"));
  EXPECT_TRUE(test::device_close(torch::tensor({3}), torch::tensor({3}), "int"));
  EXPECT_FALSE(test::device_close(torch::tensor({3}), torch::tensor({4}), "int"));
}

class CudaModelParity : public test::DeviceTest, public ::testing::WithParamInterface<Family> {};

TEST_P(CudaModelParity, ForwardBackwardAndEvalMatchTheCpu) {
  const Family& f = GetParam();
  // C3D's 16x112x112 input (its fc6 fixes the size) costs ~0.5 TFLOP per comparison: seconds
  // on the GPU machine's 16 cores, half a minute on 2, where CPU against CPU shows nothing
  // tests/models/c3d_test.cpp does not.
  if (f.name == "c3d" && device.is_cpu()) GTEST_SKIP() << "c3d is compared on a GPU only";
  torch::manual_seed(0);
  checkpoint::StateDict weights;
  for (const auto& item : checkpoint::state_dict(*build(f)))
    weights.insert(item.key(), item.value().detach().clone());
  RunResult cpu = run_on(f, weights, torch::kCPU);
  RunResult dev = run_on(f, weights, device);
  expect_same_outputs(dev.train, cpu.train, "train");
  expect_same_tensors(dev.grads, cpu.grads, "gradient of");
  expect_same_tensors(dev.buffers, cpu.buffers, "buffer");
  expect_same_outputs(dev.eval, cpu.eval, "eval");
  // A probe that sees nothing would pass any device: the gradients must not all be zero.
  double grad_norm = 0;
  for (const auto& [name, g] : cpu.grads)
    if (g.defined()) grad_norm += g.to(torch::kDouble).pow(2).sum().item<double>();
  EXPECT_GT(grad_norm, 0.0);
}

INSTANTIATE_TEST_SUITE_P(Families, CudaModelParity, ::testing::ValuesIn(families()),
                         [](const ::testing::TestParamInfo<Family>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace tubelet::cuda_model_parity_test
