// TRNHead against MMAction2's own trn_head.py (tests/fixtures/trn, made by
// tools/fixtures/make_trn_fixtures.py): keys, scores, the random relation subsample, the keys
// of the shipped TRN configs, init, errors, and training inside Recognizer2D.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <set>

#include "support/paths.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/heads/trn_head.h"
#include "tubelet/models/recognizers/recognizer2d.h"

namespace tubelet::trn_head_test {
namespace {

using checkpoint::StateDict;

std::filesystem::path trn_fixture(const std::string& file) {
  return test::source_dir() / "tests/fixtures/trn" / file;
}

std::shared_ptr<TRNHeadImpl> build_head(const std::string& args) {
  auto cfg = load_config_text("head = dict(type='TRNHead', " + args + ")\n", "/tmp/trn.py");
  return std::dynamic_pointer_cast<TRNHeadImpl>(build_model(cfg.at("head"), "head"));
}

std::string build_error(const std::string& args) {
  return test::error_of([&] { build_head(args); });
}

// A fixture file: the head's weights, and the other entries (input, output, ...) by name.
struct TrnFixture {
  StateDict weights;
  std::map<std::string, torch::Tensor> data;
};

TrnFixture load_fixture(const std::string& name) {
  TrnFixture f;
  for (const auto& item :
       checkpoint::load_checkpoint(trn_fixture(name + ".pth").string()).state_dict) {
    bool weight = item.key().rfind("consensus.", 0) == 0 || item.key().rfind("fc_cls.", 0) == 0;
    if (weight)
      f.weights.insert(item.key(), item.value());
    else
      f.data[item.key()] = item.value();
  }
  return f;
}

// Builds the head, checks its keys and shapes against MMAction2's, loads the weights.
std::shared_ptr<TRNHeadImpl> loaded_head(const std::string& args, const TrnFixture& f) {
  auto head = build_head(args);
  StateDict ours = checkpoint::state_dict(*head);
  EXPECT_EQ(ours.size(), f.weights.size());
  for (size_t i = 0; i < std::min(ours.size(), f.weights.size()); ++i) {
    EXPECT_EQ(ours[i].key(), f.weights[i].key());
    EXPECT_EQ(ours[i].value().sizes(), f.weights[i].value().sizes()) << ours[i].key();
  }
  auto report = checkpoint::load_state_dict(*head, f.weights);
  EXPECT_TRUE(report.missing_keys.empty());
  EXPECT_TRUE(report.unexpected_keys.empty());
  EXPECT_TRUE(report.size_mismatches.empty());
  head->eval();
  return head;
}

double max_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

TEST(TRNHead, MultiScaleMatchesMmaction2) {
  // 3 segments: scale 3 has one relation, scale 2 has three, all of which are taken.
  TrnFixture f = load_fixture("trn_multiscale_3");
  auto head = loaded_head("num_classes=5, in_channels=16, num_segments=3, hidden_dim=4", f);
  torch::NoGradGuard no_grad;
  torch::Tensor y = head->forward_scores(f.data.at("input"), 3);
  ASSERT_EQ(y.sizes(), f.data.at("output").sizes());
  RecordProperty("max_abs_diff", c10::str(max_diff(y, f.data.at("output"))));
  EXPECT_LT(max_diff(y, f.data.at("output")), 1e-5);
}

TEST(TRNHead, SingleScaleRelationModuleMatchesMmaction2) {
  TrnFixture f = load_fixture("trn_single_3");
  auto head = loaded_head(
      "num_classes=5, in_channels=16, num_segments=3, hidden_dim=4, relation_type='TRN'", f);
  EXPECT_EQ(f.weights[0].key(), "consensus.classifier.1.weight");
  torch::NoGradGuard no_grad;
  torch::Tensor y = head->forward_scores(f.data.at("input"), 3);
  ASSERT_EQ(y.sizes(), f.data.at("output").sizes());
  RecordProperty("max_abs_diff", c10::str(max_diff(y, f.data.at("output"))));
  EXPECT_LT(max_diff(y, f.data.at("output")), 1e-5);
}

// Whether `out` is the first relation's scores plus those of 3 distinct relations of each
// later scale (the fixture's per-relation scores, from MMAction2's modules).
bool is_a_draw(const torch::Tensor& out, const TrnFixture& f) {
  torch::Tensor rest = out - f.data.at("first");
  const torch::Tensor& r1 = f.data.at("relations.1");  // 4 relations of 3 frames
  const torch::Tensor& r2 = f.data.at("relations.2");  // 6 relations of 2 frames
  auto triples = [](int64_t n) {
    std::vector<torch::Tensor> picks;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = i + 1; j < n; ++j)
        for (int64_t k = j + 1; k < n; ++k) picks.push_back(torch::tensor({i, j, k}));
    return picks;
  };
  for (const auto& a : triples(r1.size(0)))
    for (const auto& b : triples(r2.size(0)))
      if (max_diff(rest, r1.index_select(0, a).sum(0) + r2.index_select(0, b).sum(0)) < 1e-5)
        return true;
  return false;
}

TEST(TRNHead, MultiScaleSumsThreeRandomRelationsPerLaterScale) {
  TrnFixture f = load_fixture("trn_multiscale_4");
  ASSERT_TRUE(is_a_draw(f.data.at("output"), f));  // MMAction2's own forward, as recorded
  auto head = loaded_head("num_classes=5, in_channels=16, num_segments=4, hidden_dim=4", f);
  torch::NoGradGuard no_grad;
  torch::manual_seed(3);
  std::set<double> outputs;
  for (int i = 0; i < 12; ++i) {
    torch::Tensor y = head->forward_scores(f.data.at("input"), 4);
    EXPECT_TRUE(is_a_draw(y, f)) << y;
    outputs.insert(y.sum().item<double>());
  }
  EXPECT_GT(outputs.size(), 1u) << "the relations are drawn at each forward";
  torch::manual_seed(3);
  torch::Tensor again = head->forward_scores(f.data.at("input"), 4);
  torch::manual_seed(3);
  EXPECT_TRUE(torch::equal(again, head->forward_scores(f.data.at("input"), 4)));
}

TEST(TRNHead, RelationsAreItertoolsCombinations) {
  RelationModuleMultiScale m(TRNRelationOptions(2, 4, 3));
  ASSERT_EQ(m->relations().size(), 3u);  // scales 4, 3, 2
  EXPECT_TRUE(torch::equal(m->relations()[0], torch::tensor({{0, 1, 2, 3}})));
  EXPECT_TRUE(
      torch::equal(m->relations()[1], torch::tensor({{0, 1, 2}, {0, 1, 3}, {0, 2, 3}, {1, 2, 3}})));
  EXPECT_TRUE(torch::equal(m->relations()[2],
                           torch::tensor({{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}})));
}

std::vector<std::pair<std::string, std::vector<int64_t>>> zoo_keys() {
  Value zoo = from_json(test::read_text(trn_fixture("trn_zoo_keys.json")));
  std::vector<std::pair<std::string, std::vector<int64_t>>> keys;
  for (const Value& row : zoo.as_dict().at("trn_r50_sthv").as_list()) {
    std::vector<int64_t> shape;
    for (const Value& d : row.as_list()[1].as_list()) shape.push_back(d.as_int());
    keys.emplace_back(row.as_list()[0].as_str(), shape);
  }
  return keys;
}

void expect_zoo_keys(const torch::nn::Module& head) {
  auto expected = zoo_keys();
  StateDict ours = checkpoint::state_dict(head);
  ASSERT_EQ(ours.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ("cls_head." + ours[i].key(), expected[i].first);
    EXPECT_EQ(ours[i].value().sizes().vec(), expected[i].second) << expected[i].first;
  }
}

TEST(TRNHead, ShippedConfigsGiveMmaction2sKeys) {
  for (const char* name : {"trn_r50_1x1x8_50e_sthv1_rgb.py", "trn_r50_1x1x8_50e_sthv2_rgb.py"}) {
    SCOPED_TRACE(name);
    Dict cfg = load_config((test::source_dir() / "configs/recognition/trn" / name).string());
    Value head_cfg = cfg.at("model").as_dict().at("cls_head");
    auto head = std::dynamic_pointer_cast<TRNHeadImpl>(build_model(head_cfg, "model.cls_head"));
    ASSERT_TRUE(head);
    EXPECT_EQ(head->options.num_classes(), 174);
    expect_zoo_keys(*head);
  }
  // MMAction2's defaults give the same head.
  expect_zoo_keys(*build_head("num_classes=174, in_channels=2048"));
}

TEST(TRNHead, InitialisesFcClsOnlyWithInitStd) {
  torch::manual_seed(0);
  auto head = build_head("num_classes=10, in_channels=512, hidden_dim=64, init_std=0.01");
  auto params = head->named_parameters();
  double std = params["fc_cls.weight"].std().item<double>();
  EXPECT_NEAR(std, 0.01, 0.001);
  EXPECT_EQ(params["fc_cls.bias"].abs().max().item<double>(), 0.0);
  // The relation MLPs keep PyTorch's default: uniform within 1/sqrt(fan_in).
  torch::Tensor w = params["consensus.fc_fusion_scales.0.1.weight"];  // fan_in 8 * 64
  double bound = 1.0 / std::sqrt(8.0 * 64);
  EXPECT_LE(w.abs().max().item<double>(), bound);
  EXPECT_GT(w.abs().max().item<double>(), 0.9 * bound);
}

TEST(TRNHead, RejectsBadArguments) {
  std::string e = build_error("num_classes=5, in_channels=16, relation_type='TRNx'");
  EXPECT_NE(e.find("TRNHead"), std::string::npos) << e;
  EXPECT_NE(e.find("relation_type"), std::string::npos) << e;
  EXPECT_NE(e.find("TRNx"), std::string::npos) << e;
  e = build_error("num_classes=5, in_channels=16, num_segments=1");
  EXPECT_NE(e.find("num_segments"), std::string::npos) << e;
  EXPECT_EQ(build_error("num_classes=5, in_channels=16, num_segments=1, relation_type='TRN'"),
            "no error");
  // TRNHead has no `consensus` argument (its consensus is the relation module).
  e = build_error("num_classes=5, in_channels=16, consensus=dict(type='AvgConsensus', dim=1)");
  EXPECT_NE(e.find("consensus"), std::string::npos) << e;
  EXPECT_NE(build_error("in_channels=16").find("num_classes"), std::string::npos);
}

TEST(TRNHead, FramesMustSplitIntoClips) {
  auto head = build_head("num_classes=5, in_channels=16, num_segments=3, hidden_dim=4");
  std::string e = test::error_of([&] { head->forward_scores(torch::randn({4, 16, 2, 2}), 4); });
  EXPECT_NE(e.find("num_segments=3"), std::string::npos) << e;
}

std::shared_ptr<Recognizer2DImpl> tiny_trn(const std::string& head_args) {
  auto cfg = load_config_text(
      "model = dict(type='Recognizer2D', backbone=dict(type='ResNet', depth=18, num_stages=1, "
      "out_indices=(0, ), strides=(1, ), dilations=(1, )), cls_head=dict(type='TRNHead', "
      "num_classes=3, in_channels=64, num_segments=3, hidden_dim=8" +
          head_args + "), test_cfg=dict(average_clips='prob'))\n",
      "/tmp/trn_model.py");
  return std::dynamic_pointer_cast<Recognizer2DImpl>(build_model(cfg.at("model")));
}

TEST(TRNHead, TrainsInRecognizer2D) {
  torch::manual_seed(0);
  auto model = tiny_trn(", dropout_ratio=0.0");
  ASSERT_TRUE(model);
  model->train();
  auto imgs = torch::randn({4, 3, 3, 16, 16});
  auto labels = torch::tensor({0, 1, 2, 1}, torch::kLong);
  torch::optim::SGD opt(model->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
  double first = 0, last = 0;
  for (int step = 0; step < 12; ++step) {
    opt.zero_grad();
    torch::Tensor loss = model->forward_train(imgs, labels).back().second;
    loss.backward();
    opt.step();
    (step == 0 ? first : last) = loss.item<double>();
  }
  EXPECT_LT(last, 0.5 * first) << "first " << first << " last " << last;
}

TEST(TRNHead, TestingAveragesTheViewsOfAVideo) {
  torch::manual_seed(0);
  auto model = tiny_trn("");
  model->eval();
  torch::NoGradGuard no_grad;
  // Two views of 3 frames per video: the head scores each view, average_clips merges them.
  torch::Tensor scores = model->forward_test(torch::randn({2, 6, 3, 16, 16}));
  ASSERT_EQ(scores.sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_LT(max_diff(scores.sum(1), torch::ones({2})), 1e-5);  // mean of probabilities
}

}  // namespace
}  // namespace tubelet::trn_head_test
