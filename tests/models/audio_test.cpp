// MMAction2's audio recognition on features: ResNetAudio (ConvAudio), AudioTSNHead and
// AudioRecognizer against tests/fixtures/audio, written by tools/fixtures/make_audio_fixtures.py
// from MMAction2's own source (two tiny models: random weights and statistics, eval mode),
// the full-size state_dict layout of configs/_base_/models/audioonly_r50.py, and the
// training-side behaviour (frozen_stages, norm_eval, zero_init_residual, a train step).
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "support/paths.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"
#include "tubelet/data/transform.h"
#include "tubelet/models/backbones/resnet_audio.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/heads/audio_tsn_head.h"
#include "tubelet/models/recognizers/audio_recognizer.h"

namespace tubelet::audio_test {
namespace {

// Kept in step with MODELS in tools/fixtures/make_audio_fixtures.py.
const char* kDefaultModel = R"(dict(type='AudioRecognizer',
    backbone=dict(type='ResNetAudio', depth=50, pretrained=None, base_channels=2),
    cls_head=dict(type='AudioTSNHead', num_classes=5, in_channels=64, dropout_ratio=0.5),
    test_cfg=dict(average_clips='prob')))";
const char* kVariantModel = R"(dict(type='AudioRecognizer',
    backbone=dict(type='ResNetAudio', depth=50, pretrained=None, base_channels=2, num_stages=3,
                  strides=(1, 2, 1), dilations=(1, 1, 2), conv1_kernel=5, conv1_stride=2,
                  factorize=(0, 1, 0)),
    cls_head=dict(type='AudioTSNHead', num_classes=3, in_channels=32, dropout_ratio=0.0),
    test_cfg=dict(average_clips='prob')))";

std::shared_ptr<AudioRecognizerImpl> build(const std::string& model) {
  auto m = build_model(load_config_text("model = " + model + "\n", "/tmp/audio.py").at("model"));
  auto recognizer = std::dynamic_pointer_cast<AudioRecognizerImpl>(m);
  EXPECT_TRUE(recognizer);
  return recognizer;
}

checkpoint::Checkpoint fixture(const std::string& name) {
  return checkpoint::load_checkpoint(
      (test::source_dir() / "tests/fixtures/audio" / (name + ".pth")).string());
}

torch::Tensor entry(const checkpoint::Checkpoint& c, const char* key) {
  return c.raw.root->get(key)->tensor;
}

// Within 1e-4 of the reference's largest magnitude; returns the max |diff|.
double expect_close(const torch::Tensor& ours, const torch::Tensor& ref, const std::string& what) {
  EXPECT_EQ(ours.sizes(), ref.sizes()) << what;
  if (ours.sizes() != ref.sizes()) return INFINITY;
  double scale = std::max(ref.abs().max().item<double>(), 1e-6);
  double diff = (ours - ref).abs().max().item<double>();
  EXPECT_LE(diff, 1e-4 * scale) << what << ": max |diff| " << diff << ", max |ref| " << scale;
  return diff;
}

// The same keys in the same order, with the same shapes.
void expect_same_layout(const torch::nn::Module& module, const checkpoint::StateDict& ref) {
  checkpoint::StateDict ours = checkpoint::state_dict(module);
  ASSERT_EQ(ours.keys(), ref.keys());
  for (const auto& item : ref)
    EXPECT_EQ(ours[item.key()].sizes(), item.value().sizes()) << item.key();
}

void expect_parity(const std::string& name, const std::string& model_text) {
  auto model = build(model_text);
  checkpoint::Checkpoint ref = fixture(name);
  expect_same_layout(*model, ref.state_dict);
  checkpoint::LoadReport report = checkpoint::load_state_dict(*model, ref.state_dict, true);
  EXPECT_TRUE(report.ok()) << report.message();
  model->eval();
  torch::NoGradGuard no_grad;
  torch::Tensor audios = entry(ref, "input");
  torch::Tensor flat = audios.reshape({-1, audios.size(2), audios.size(3), audios.size(4)});
  torch::Tensor feat = model->extract_feat(flat);
  double d1 = expect_close(feat, entry(ref, "feat"), name + " backbone features");
  double d2 = expect_close(model->cls_head->forward_scores(feat, audios.size(1)),
                           entry(ref, "scores"), name + " head scores");
  double d3 = expect_close(model->forward_test(audios), entry(ref, "avg_prob"),
                           name + " clip-averaged probabilities");
  std::cout << name << ": max |diff| features " << d1 << ", scores " << d2 << ", probs " << d3
            << "\n";
}

TEST(AudioRecognition, DefaultResNetAudioMatchesMMAction2) {
  expect_parity("default_r50", kDefaultModel);
}

TEST(AudioRecognition, FactorizeStridesDilationsAndStemMatchMMAction2) {
  expect_parity("variant_r50", kVariantModel);
}

TEST(AudioRecognition, FullSizeConfigHasMMAction2sKeys) {
  Dict cfg = load_config((test::source_dir() / "configs/_base_/models/audioonly_r50.py").string());
  auto model = build_model(cfg.at("model"));
  auto file = test::source_dir() / "tests/fixtures/audio/full_size_keys.json";
  Value rows = from_json(test::read_text(file), file.string());
  checkpoint::StateDict ref;
  for (const Value& row : rows.as_list()) {
    std::vector<int64_t> shape;
    for (const Value& d : row.as_list()[1].as_list()) shape.push_back(d.as_int());
    ref.insert(row.as_list()[0].as_str(), torch::empty(shape));
  }
  expect_same_layout(*model, ref);
  auto* backbone = dynamic_cast<ResNetAudioImpl*>(
      std::dynamic_pointer_cast<AudioRecognizerImpl>(model)->backbone.get());
  ASSERT_TRUE(backbone);
  EXPECT_EQ(backbone->feat_dim(), 1024);
}

// Both shipped configs build their model and pipelines, and the models score 128 x 80 clips.
TEST(AudioRecognition, ShippedConfigsBuildAndRun) {
  for (const char* name :
       {"configs/recognition_audio/resnet/tsn_r18_64x1x1_100e_kinetics400_audio_feature.py",
        "configs/recognition_audio/audioonly/"
        "audioonly_r50_64x1x1_100e_kinetics400_audio_feature.py"}) {
    Dict cfg = load_config((test::source_dir() / name).string());
    auto model = std::dynamic_pointer_cast<AudioRecognizerImpl>(build_model(cfg.at("model")));
    ASSERT_TRUE(model) << name;
    const Dict& data = cfg.at("data").as_dict();
    for (const char* phase : {"train", "val", "test"})
      EXPECT_NO_THROW(Compose(data.at(phase).as_dict().at("pipeline"), phase)) << name;
    model->eval();
    torch::NoGradGuard no_grad;
    torch::Tensor scores = model->forward_test(torch::rand({1, 2, 1, 128, 80}));
    EXPECT_EQ(scores.sizes(), (std::vector<int64_t>{1, 400})) << name;
    EXPECT_NEAR(scores.sum().item<double>(), 1.0, 1e-5) << name;  // average_clips='prob'
  }
}

TEST(AudioRecognition, InitialisationZeroesTheLastNormOfEachBlock) {
  auto model = build(kDefaultModel);
  auto params = model->named_parameters();
  EXPECT_EQ(params["backbone.layer1.0.conv3.bn.weight"].abs().sum().item<double>(), 0.0);
  EXPECT_EQ(params["backbone.layer1.0.conv1.bn.weight"].min().item<double>(), 1.0);
  EXPECT_EQ(params["backbone.conv1.conv.conv_1.bn.weight"].min().item<double>(), 1.0);
}

TEST(AudioRecognition, FrozenStagesAndNormEval) {
  auto model = build(R"(dict(type='AudioRecognizer',
      backbone=dict(type='ResNetAudio', depth=50, pretrained=None, base_channels=2,
                    frozen_stages=1),
      cls_head=dict(type='AudioTSNHead', num_classes=5, in_channels=64)))");
  model->train();
  auto mods = model->named_modules();
  auto params = model->named_parameters();
  // MMAction2 freezes every stem parameter but puts only the stem's own norm in eval mode.
  EXPECT_FALSE(params["backbone.conv1.conv.conv_1.conv.weight"].requires_grad());
  EXPECT_FALSE(params["backbone.conv1.bn.weight"].requires_grad());
  EXPECT_FALSE(mods["backbone.conv1.bn"]->is_training());
  EXPECT_TRUE(mods["backbone.conv1.conv.conv_1.bn"]->is_training());
  EXPECT_FALSE(params["backbone.layer1.2.conv3.conv.weight"].requires_grad());
  EXPECT_FALSE(mods["backbone.layer1.0.conv1.bn"]->is_training());
  EXPECT_TRUE(params["backbone.layer2.0.conv1.conv.weight"].requires_grad());
  EXPECT_TRUE(mods["backbone.layer2.0.conv1.bn"]->is_training());

  auto norm_eval = build(R"(dict(type='AudioRecognizer',
      backbone=dict(type='ResNetAudio', depth=50, pretrained=None, base_channels=2,
                    norm_eval=True),
      cls_head=dict(type='AudioTSNHead', num_classes=5, in_channels=64)))");
  norm_eval->train();
  auto nmods = norm_eval->named_modules();
  EXPECT_FALSE(nmods["backbone.layer2.0.conv1.bn"]->is_training());
  EXPECT_FALSE(nmods["backbone.conv1.conv.conv_1.bn"]->is_training());
  EXPECT_TRUE(nmods["backbone.layer2.0.conv1.conv"]->is_training());
  EXPECT_TRUE(norm_eval->named_parameters()["backbone.layer2.0.conv1.bn.weight"].requires_grad());
}

TEST(AudioRecognition, TrainStepReadsAudiosAndLearns) {
  torch::manual_seed(0);
  auto model = build(kVariantModel);
  model->train();
  Batch batch;
  batch.tensors = {{"audios", torch::randn({4, 1, 1, 12, 10})},
                   {"label", torch::tensor({0, 1, 2, 1}, torch::kLong)}};
  StepOutputs out = model->train_step(batch);
  EXPECT_EQ(out.num_samples, 4);
  EXPECT_TRUE(torch::isfinite(out.loss).item<bool>());
  out.loss.backward();
  auto params = model->named_parameters();
  EXPECT_GT(params["cls_head.fc_cls.weight"].grad().abs().sum().item<double>(), 0.0);
  EXPECT_GT(params["backbone.conv1.conv.conv_2.conv.weight"].grad().abs().sum().item<double>(),
            0.0);
  std::vector<std::string> names;
  for (const auto& [name, value] : out.log_vars) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"top1_acc", "top5_acc", "loss_cls", "loss"}));
  model->eval();
  torch::NoGradGuard no_grad;
  torch::Tensor scores = model->test_step(batch);
  EXPECT_EQ(scores.sizes(), (std::vector<int64_t>{4, 3}));
}

// pretrained: a local checkpoint of the backbone's own keys, loaded not strictly.
TEST(AudioRecognition, PretrainedLoadsTheBackbone) {
  auto source = build(kVariantModel);
  checkpoint::Checkpoint ref = fixture("variant_r50");
  checkpoint::load_state_dict(*source, ref.state_dict, true);
  test::TempDir dir;
  std::string path = (dir.path() / "audio_backbone.pth").string();
  checkpoint::save_checkpoint(path, checkpoint::state_dict(*source->backbone));
  std::string text = kVariantModel;
  text.replace(text.find("pretrained=None"), 15, "pretrained='" + path + "'");
  auto model = build(text);
  auto ours = model->backbone->named_parameters();
  for (const auto& item : source->backbone->named_parameters())
    EXPECT_TRUE(torch::equal(ours[item.key()], item.value())) << item.key();
  EXPECT_TRUE(torch::equal(model->backbone->named_buffers()["layer2.0.conv3.bn.running_var"],
                           source->backbone->named_buffers()["layer2.0.conv3.bn.running_var"]));
}

TEST(AudioRecognition, ConfigErrors) {
  std::string err = test::error_of([] {
    build(R"(dict(type='AudioRecognizer',
        backbone=dict(type='ResNetAudio', depth=18, pretrained=None),
        cls_head=dict(type='AudioTSNHead', num_classes=5, in_channels=64)))");
  });
  EXPECT_NE(err.find("invalid depth 18"), std::string::npos) << err;
  err = test::error_of([] {
    build(R"(dict(type='AudioRecognizer',
        backbone=dict(type='ResNetAudio', depth=50),
        cls_head=dict(type='AudioTSNHead', num_classes=5, in_channels=64)))");
  });
  EXPECT_NE(err.find("pretrained"), std::string::npos) << err;
  err = test::error_of([] {
    build(R"(dict(type='AudioRecognizer',
        backbone=dict(type='ResNetAudio', depth=50, pretrained=None, base_channels=2,
                      factorize=((1, 0), 1, 0, 0)),
        cls_head=dict(type='AudioTSNHead', num_classes=5, in_channels=64)))");
  });
  EXPECT_NE(err.find("factorize lists 2 values for a stage of 3 blocks"), std::string::npos) << err;
  err = test::error_of([] {
    build(R"(dict(type='AudioRecognizer',
        backbone=dict(type='ResNetAudio', depth=50, pretrained=None, base_channels=2),
        cls_head=dict(type='AudioTSNHead', num_classes=5, in_channels=64, consensus=None)))");
  });
  EXPECT_NE(err.find("consensus"), std::string::npos) << err;
}

}  // namespace
}  // namespace tubelet::audio_test
