// The TPN neck, TPNHead and recognizers with a neck, against MMAction2's own sources run by
// Python's PyTorch (tests/fixtures/tpn/tpn.json, made by tools/fixtures/make_tpn_fixtures.py).
// Weights and inputs come from the formula both sides share (`fill`, `input_of`); the
// fixture holds the configs, state_dict keys in order, and samples of the outputs.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../support/paths.h"
#include "formula_fixture.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/heads/tpn_head.h"
#include "tubelet/models/necks/tpn.h"
#include "tubelet/models/recognizers/recognizer2d.h"
#include "tubelet/models/recognizers/recognizer3d.h"

namespace tubelet::tpn_test {
namespace {

using nlohmann::json;
using test::fill;
using test::input_of;

std::string sci(double v) {
  std::ostringstream s;
  s << std::scientific << std::setprecision(2) << v;
  return s.str();
}

const json& fixture() {
  static const json all =
      json::parse(test::read_text(test::source_dir() / "tests/fixtures/tpn/tpn.json"));
  return all;
}

const json& fixture_case(const std::string& name) {
  for (const auto& c : fixture()["cases"])
    if (c["name"] == name) return c;
  throw std::runtime_error("no fixture case " + name);
}

std::shared_ptr<torch::nn::Module> build(const std::string& model_text) {
  return build_model(load_config_text("model = " + model_text + "\n", "/tmp/tpn.py").at("model"));
}

// The module's state_dict keys and shapes, in PyTorch's order, against the fixture's (minus
// `skip`: keys MMAction2 adds lazily, such as TPNHead's new_cls after an fcn test).
void expect_keys_in_order(const torch::nn::Module& m, const json& keys,
                          const std::string& skip = "\x01") {
  std::vector<std::pair<std::string, std::vector<int64_t>>> want, got;
  for (const auto& kv : keys)
    if (kv[0].get<std::string>().find(skip) == std::string::npos)
      want.emplace_back(kv[0], kv[1].get<std::vector<int64_t>>());
  for (const auto& item : checkpoint::state_dict(m))
    got.emplace_back(item.key(), item.value().sizes().vec());
  EXPECT_EQ(got, want);
}

// Largest |ours - MMAction2| over the fixture's sample of `want`, relative to max(1, |want|).
double sample_diff(const torch::Tensor& got, const json& want) {
  EXPECT_EQ(got.sizes().vec(), want["shape"].get<std::vector<int64_t>>());
  if (got.sizes().vec() != want["shape"].get<std::vector<int64_t>>()) return 1e9;
  int64_t step = want["step"];
  torch::Tensor sample = got.detach().reshape({-1}).to(torch::kDouble).slice(0, 0, {}, step);
  torch::Tensor expected = torch::tensor(want["sample"].get<std::vector<double>>(), torch::kDouble);
  double scale = std::max(1.0, expected.abs().max().item<double>());
  EXPECT_NEAR(got.to(torch::kDouble).sum().item<double>(), want["sum"].get<double>(),
              1e-4 * std::max(1.0, want["abs_sum"].get<double>()));
  return (sample - expected).abs().max().item<double>() / scale;
}

void expect_sample(const torch::Tensor& got, const json& want, const std::string& what) {
  double diff = sample_diff(got, want);
  EXPECT_LT(diff, 1e-4) << what;
  ::testing::Test::RecordProperty(what + "_max_rel_diff", sci(diff));
}

torch::Tensor labels_of(const json& c) {
  return torch::tensor(c["labels"].get<std::vector<int64_t>>(), torch::kLong);
}

TEST(TPN, NeckMatchesMmaction2) {
  int checked = 0;
  for (const auto& c : fixture()["cases"]) {
    if (c["kind"] != "TPN") continue;
    SCOPED_TRACE(c["name"].get<std::string>());
    auto neck = std::dynamic_pointer_cast<TPNImpl>(build(c["cfg"]));
    ASSERT_TRUE(neck);
    expect_keys_in_order(*neck, c["keys"]);
    fill(*neck);
    neck->eval();
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> x;
    for (size_t k = 0; k < c["inputs"].size(); ++k)
      x.push_back(input_of(c["inputs"][k]) * static_cast<double>(k + 1));
    auto [out, losses] = neck->forward(x, labels_of(c));
    expect_sample(out, c["output"], c["name"].get<std::string>());
    ASSERT_EQ(losses.size(), c["losses"].size());
    for (const auto& [name, value] : losses) {
      double want = c["losses"][name];
      EXPECT_NEAR(value.item<double>(), want, 1e-5 * std::max(1.0, std::abs(want))) << name;
      ::testing::Test::RecordProperty(c["name"].get<std::string>() + "_" + name + "_abs_diff",
                                      sci(std::abs(value.item<double>() - want)));
    }
    // At test time (no target) the same map and no losses.
    auto [test_out, none] = neck->forward(x);
    EXPECT_TRUE(none.empty());
    EXPECT_TRUE(torch::equal(out, test_out));
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

TEST(TPN, CascadeAndParallelFlowsDiffer) {
  torch::NoGradGuard no_grad;
  const json& cascade = fixture_case("neck_pyramid_cascade");
  const json& parallel = fixture_case("neck_pyramid_parallel");
  EXPECT_GT(
      std::abs(cascade["output"]["sum"].get<double>() - parallel["output"]["sum"].get<double>()),
      1e-3);
}

TEST(TPN, InitIsMmaction2s) {
  torch::manual_seed(0);
  auto neck = std::dynamic_pointer_cast<TPNImpl>(build(fixture_case("neck_cascade")["cfg"]));
  ASSERT_TRUE(neck);
  auto params = neck->named_parameters();
  // Xavier uniform (gain 1): bound sqrt(6 / (fan_in + fan_out)).
  torch::Tensor w = params["pyramid_fusion.conv.weight"];  // [2048, 128, 1, 1, 1]
  double bound = std::sqrt(6.0 / (128 + 2048));
  EXPECT_LE(w.abs().max().item<double>(), bound);
  EXPECT_GT(w.abs().max().item<double>(), 0.9 * bound);
  torch::Tensor aux_conv = params["aux_head.conv.conv.weight"];  // [64, 32, 1, 3, 3]
  double aux_bound = std::sqrt(6.0 / (32 * 9 + 64 * 9));
  EXPECT_LE(aux_conv.abs().max().item<double>(), aux_bound);
  // AuxHead's fc: normal(0, 0.01), zero bias; norms 1 / 0.
  EXPECT_NEAR(params["aux_head.fc.weight"].std().item<double>(), 0.01, 0.003);
  EXPECT_EQ(params["aux_head.fc.bias"].abs().sum().item<double>(), 0.0);
  EXPECT_TRUE(torch::all(params["level_fusion_1.fusion_conv.bn.weight"] == 1).item<bool>());
  EXPECT_TRUE(torch::all(params["pyramid_fusion.bn.bias"] == 0).item<bool>());
}

TEST(TPNHead, MatchesMmaction2) {
  int checked = 0;
  for (const auto& c : fixture()["cases"]) {
    if (c["kind"] != "TPNHead") continue;
    SCOPED_TRACE(c["name"].get<std::string>());
    auto head = std::dynamic_pointer_cast<TPNHeadImpl>(build(c["cfg"]));
    ASSERT_TRUE(head);
    expect_keys_in_order(*head, c["keys"], "new_cls");
    fill(*head);
    head->eval();
    torch::NoGradGuard no_grad;
    torch::Tensor x = input_of(c["input"]);
    torch::Tensor out;
    if (c["num_segs"].is_string())
      out = head->forward_fcn(x);
    else
      out = head->forward_scores(x, c["num_segs"].is_null() ? 1 : c["num_segs"].get<int64_t>());
    expect_sample(out, c["output"], c["name"].get<std::string>());
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

void expect_losses(const LossDict& losses, const json& want, const std::string& what) {
  ASSERT_EQ(losses.size(), want.size()) << what;
  for (size_t i = 0; i < losses.size(); ++i) {
    EXPECT_EQ(losses[i].first, want[i][0].get<std::string>()) << what;
    double w = want[i][1];
    double got = losses[i].second.item<double>();
    EXPECT_NEAR(got, w, 1e-5 * std::max(1.0, std::abs(w))) << what << " " << losses[i].first;
    ::testing::Test::RecordProperty(what + "_" + losses[i].first + "_abs_diff",
                                    sci(std::abs(got - w)));
  }
}

TEST(TPNRecognizers, MatchMmaction2) {
  int checked = 0;
  for (const auto& c : fixture()["cases"]) {
    if (c["kind"] != "Recognizer3D" && c["kind"] != "Recognizer2D") continue;
    std::string name = c["name"];
    SCOPED_TRACE(name);
    auto model = std::dynamic_pointer_cast<BaseRecognizerImpl>(build(c["cfg"]));
    ASSERT_TRUE(model);
    ASSERT_TRUE(model->neck);
    expect_keys_in_order(*model, c["keys"], "cls_head.new_cls.");
    fill(*model);
    model->eval();
    torch::NoGradGuard no_grad;
    torch::Tensor imgs = input_of(c["input"]);
    expect_losses(model->forward_train(imgs, labels_of(c).view({-1, 1})), c["losses"], name);
    expect_sample(model->forward_dummy(imgs), c["dummy"], name + "_dummy");
    expect_sample(model->forward_test(input_of(c["test_input"])), c["test_scores"], name + "_test");
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

TEST(TPNRecognizers, TrainStepLogsLossAuxAndTrainsTheNeck) {
  torch::manual_seed(0);
  auto model = std::dynamic_pointer_cast<BaseRecognizerImpl>(
      build(fixture_case("recognizer3d_slowonly")["cfg"]));
  ASSERT_TRUE(model);
  model->train();
  Batch batch;
  batch.tensors = {{"imgs", torch::randn({2, 1, 3, 8, 32, 32})},
                   {"label", torch::tensor({{1}, {3}}, torch::kLong)}};
  StepOutputs out = model->train_step(batch);
  std::vector<std::string> names;
  double sum = 0;
  for (const auto& [name, value] : out.log_vars) {
    names.push_back(name);
    if (name == "loss_aux" || name == "loss_cls") sum += value;
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"loss_aux", "top1_acc", "top5_acc", "loss_cls", "loss"}));
  EXPECT_NEAR(out.loss.item<double>(), sum, 1e-5);
  out.loss.backward();
  auto params = model->named_parameters();
  for (const char* key : {"neck.aux_head.fc.weight", "neck.pyramid_fusion.conv.weight",
                          "neck.temporal_modulation_ops.0.conv.conv.weight",
                          "backbone.layer3.0.downsample.conv.weight", "cls_head.fc_cls.weight"}) {
    ASSERT_TRUE(params.find(key)) << key;
    ASSERT_TRUE(params[key].grad().defined()) << key;
    EXPECT_GT(params[key].grad().abs().sum().item<double>(), 0) << key;
  }
}

// The full-size models of MMAction2's TPN configs: neck and head keys, shapes and order as
// MMAction2's (the backbones' keys are checked by their own tests).
TEST(TPNConfigs, BuildFullSizeModelsWithMmaction2Keys) {
  auto model_of = [](const char* config) {
    Dict cfg = load_config((test::source_dir() / "configs/recognition/tpn" / config).string());
    Value model = cfg.at("model");
    Value backbone = model.as_dict().at("backbone");
    backbone.mutable_dict().set("pretrained", Value());
    model.mutable_dict().set("backbone", backbone);
    return model;
  };
  // The two SlowOnly configs differ only in the backbone's pretrained weights.
  EXPECT_EQ(model_of("tpn_slowonly_r50_8x8x1_150e_kinetics_rgb.py"),
            model_of("tpn_imagenet_pretrained_slowonly_r50_8x8x1_150e_kinetics_rgb.py"));
  for (const auto& [config, name] :
       {std::pair{"tpn_slowonly_r50_8x8x1_150e_kinetics_rgb.py", "tpn_slowonly_r50"},
        std::pair{"tpn_tsm_r50_1x1x8_150e_sthv1_rgb.py", "tpn_tsm_r50"}}) {
    SCOPED_TRACE(config);
    auto built = build_model(model_of(config));
    std::vector<std::pair<std::string, std::vector<int64_t>>> got, want;
    bool backbone_first = true, seen_neck = false;
    for (const auto& item : checkpoint::state_dict(*built)) {
      const std::string& key = item.key();
      if (key.rfind("backbone.", 0) == 0) {
        backbone_first = backbone_first && !seen_neck;
        continue;
      }
      seen_neck = true;
      got.emplace_back(key, item.value().sizes().vec());
    }
    for (const auto& kv : fixture()["full_size_keys"][name])
      want.emplace_back(kv[0], kv[1].get<std::vector<int64_t>>());
    EXPECT_TRUE(backbone_first);
    EXPECT_EQ(got, want);
  }
}

// Our _base_ model fragments hold MMAction2's model dicts (as mmcv parsed them).
TEST(TPNConfigs, BaseModelsEqualMmaction2s) {
  TUBELET_REQUIRE_SHARED();
  for (const char* name : {"tpn_slowonly_r50", "tpn_tsm_r50"}) {
    auto file =
        test::shared_dir() / "golden/config" / ("_base___models__" + std::string(name) + ".json");
    Value golden = test::decode_golden(from_json(test::read_text(file), file.string()));
    Dict ours = load_config(
        (test::source_dir() / "configs/_base_/models" / (std::string(name) + ".py")).string());
    EXPECT_EQ(ours.at("model"), golden.as_dict().at("model")) << name;
  }
}

std::string neck_text(const std::string& replace_from, const std::string& replace_to) {
  std::string text = fixture_case("neck_cascade")["cfg"];
  size_t at = text.find(replace_from);
  if (at == std::string::npos) throw std::runtime_error("no " + replace_from);
  return text.replace(at, replace_from.size(), replace_to);
}

TEST(TPNErrors, BadArgumentsAreNamed) {
  std::string e = test::error_of(
      [] { build(neck_text("{'type': 'TPN'", "{'type': 'TPN', 'flow_type': 'both'")); });
  EXPECT_NE(e.find("flow_type"), std::string::npos) << e;
  EXPECT_NE(e.find("'cascade' or 'parallel'"), std::string::npos) << e;
  e = test::error_of([] {
    build(neck_text("'downsample_scales': (4, 4)}", "'downsample_scales': (4, 4), 'x': 1}"));
  });
  EXPECT_NE(e.find("'x'"), std::string::npos) << e;
  e = test::error_of([] {
    build(neck_text("'downsample_scale': (1, 1, 1)}",
                    "'downsample_scale': (1, 1, 1), 'downsample_position': 'middle'}"));
  });
  EXPECT_NE(e.find("downsample_position"), std::string::npos) << e;
}

TEST(TPNErrors, WrongFeatureMapsAreReported) {
  auto neck = std::dynamic_pointer_cast<TPNImpl>(build(fixture_case("neck_cascade")["cfg"]));
  ASSERT_TRUE(neck);
  torch::NoGradGuard no_grad;
  torch::Tensor a = torch::randn({1, 32, 8, 4, 4}), b = torch::randn({1, 64, 8, 2, 2});
  std::string e = test::error_of([&] { neck->forward({b}); });
  EXPECT_NE(e.find("expects 2 feature maps"), std::string::npos) << e;
  e = test::error_of([&] { neck->forward({b, a}); });
  EXPECT_NE(e.find("feature map 0 must be [N, 32, T, H, W]"), std::string::npos) << e;
  e = test::error_of([&] { neck->forward({a.flatten(2), b}); });
  EXPECT_NE(e.find("feature map 0"), std::string::npos) << e;
  // Levels whose tempos the upsample cannot match.
  auto pyramid =
      std::dynamic_pointer_cast<TPNImpl>(build(fixture_case("neck_pyramid_cascade")["cfg"]));
  e = test::error_of([&] { pyramid->forward({a, torch::randn({1, 64, 4, 2, 2})}); });
  EXPECT_NE(e.find("upsampled level 1"), std::string::npos) << e;
  // Without temporal_modulation_cfg MMAction2 builds the neck but has nothing to fuse.
  auto bare = std::dynamic_pointer_cast<TPNImpl>(
      build(neck_text("'temporal_modulation_cfg': {'downsample_scales': (4, 4)}",
                      "'temporal_modulation_cfg': None")));
  e = test::error_of([&] { bare->forward({a, b}); });
  EXPECT_NE(e.find("without temporal_modulation_cfg"), std::string::npos) << e;
}

TEST(TPNErrors, FcnTestNeedsTpnHeadAndKnownSegments) {
  std::string text = fixture_case("recognizer2d_tsm")["cfg"];
  std::string tsn = text;
  tsn.replace(tsn.find("'TPNHead'"), 9, "'TSNHead'");
  auto model = std::dynamic_pointer_cast<Recognizer2DImpl>(build(tsn));
  ASSERT_TRUE(model);
  torch::NoGradGuard no_grad;
  std::string e = test::error_of([&] { model->forward_test(torch::randn({1, 4, 3, 32, 32})); });
  EXPECT_NE(e.find("fcn_test needs a head with an fcn test (TPNHead)"), std::string::npos) << e;
  e = test::error_of([&] {
    build(text.replace(text.find("'fcn_test': True"), 16,
                       "'fcn_test': True, 'feature_extraction': True"));
  });
  EXPECT_NE(e.find("fcn_test and feature_extraction"), std::string::npos) << e;
}

// A checkpoint MMAction2 saved after an fcn test also holds TPNHead's lazily made new_cls;
// like mmcv's non-strict load, those keys are reported as unexpected and the rest loads.
TEST(TPNRecognizers, LoadsAnMmaction2StateDictWithNewCls) {
  auto source =
      std::dynamic_pointer_cast<BaseRecognizerImpl>(build(fixture_case("recognizer2d_tsm")["cfg"]));
  auto target =
      std::dynamic_pointer_cast<BaseRecognizerImpl>(build(fixture_case("recognizer2d_tsm")["cfg"]));
  ASSERT_TRUE(source && target);
  fill(*source);
  checkpoint::StateDict sd = checkpoint::state_dict(*source);
  sd.insert("cls_head.new_cls.weight", torch::zeros({5, 2048, 1, 1, 1}));
  sd.insert("cls_head.new_cls.bias", torch::zeros({5}));
  auto report = checkpoint::load_state_dict(*target, sd);
  EXPECT_TRUE(report.missing_keys.empty());
  EXPECT_EQ(report.unexpected_keys,
            (std::vector<std::string>{"cls_head.new_cls.weight", "cls_head.new_cls.bias"}));
  auto params = target->named_parameters();
  EXPECT_TRUE(torch::equal(params["neck.pyramid_fusion.conv.weight"],
                           source->named_parameters()["neck.pyramid_fusion.conv.weight"]));
}

}  // namespace
}  // namespace tubelet::tpn_test
