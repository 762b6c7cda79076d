// AudioFeatureDataset and its pipeline (LoadAudioFeature, SampleFrames, AudioFeatureSelector,
// FormatAudioShape) against tests/fixtures/audio/pipeline.pth, written by
// tools/fixtures/make_audio_fixtures.py with MMAction2's own transforms on feature.npy; the
// annotation format and error messages; and a tiny `tubelet train --test-last` run (train()) of
// an AudioRecognizer on .npy features written here.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "support/paths.h"
#include "tubelet/apis/train.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/config.h"
#include "tubelet/data/datasets/audio_feature_dataset.h"
#include "tubelet/data/localization/feature_file_writers.h"
#include "tubelet/data/transform.h"

namespace tubelet::audio_feature_test {
namespace {

std::filesystem::path fixtures() {
  return test::source_dir() / "tests/fixtures/audio";
}

Value pipeline(const std::string& text) {
  return load_config_text("p = " + text + "\n", "/tmp/audio_pipeline.py").at("p");
}

struct Case {
  const char* name;
  int64_t clip_len, num_clips, total_frames, fixed_length;
  std::vector<int64_t> frame_inds;  // set: SampleFrames is skipped
  bool missing = false;
};

// Kept in step with CASES in tools/fixtures/make_audio_fixtures.py.
const std::vector<Case> kCases = {
    {"three_clips", 8, 3, 40, 10, {}},
    {"truncate", 8, 2, 40, 6, {}},
    {"long_video", 16, 2, 100, 128, {}},
    {"short_video", 8, 1, 5, 8, {}},
    {"given_inds", 0, 2, 40, 12, {38, 39, 40, 41, 0, 3, 4, 30}},
    {"missing_file", 64, 1, 300, 128, {}, true},
};

Sample run_case(const Case& c) {
  Sample s;
  s.info.set("audio_path", Value(c.missing ? std::string("/nonexistent/x.npy")
                                           : (fixtures() / "feature.npy").string()));
  s.info.set("total_frames", Value(c.total_frames));
  s.info.set("start_index", Value(int64_t{1}));
  s.info.set("modality", Value("Audio"));
  s.info.set("label", Value(int64_t{0}));
  std::string select =
      "dict(type='AudioFeatureSelector', fixed_length=" + std::to_string(c.fixed_length) + ")";
  std::string format = "dict(type='FormatAudioShape', input_format='NCTF')";
  if (c.frame_inds.empty()) {
    Compose(pipeline("[dict(type='LoadAudioFeature'), dict(type='SampleFrames', clip_len=" +
                     std::to_string(c.clip_len) +
                     ", frame_interval=1, num_clips=" + std::to_string(c.num_clips) +
                     ", test_mode=True), " + select + ", " + format + "]"),
            "pipeline")
        .apply(s);
  } else {
    Compose(pipeline("[dict(type='LoadAudioFeature')]"), "pipeline").apply(s);
    List inds;
    for (int64_t i : c.frame_inds) inds.emplace_back(i);
    s.info.set("frame_inds", Value::list(inds));
    s.info.set("num_clips", Value(c.num_clips));
    Compose(pipeline("[" + select + ", " + format + "]"), "pipeline").apply(s);
  }
  return s;
}

TEST(AudioFeaturePipeline, MatchesMMAction2) {
  checkpoint::Checkpoint ref =
      checkpoint::load_checkpoint((fixtures() / "pipeline.pth").string(), {});
  for (const Case& c : kCases) {
    Sample s = run_case(c);
    const torch::Tensor* audios = s.tensor("audios");
    ASSERT_TRUE(audios) << c.name;
    torch::Tensor expected = ref.raw.root->get(std::string(c.name) + ".audios")->tensor;
    torch::Tensor inds = ref.raw.root->get(std::string(c.name) + ".frame_inds")->tensor;
    ASSERT_EQ(audios->sizes(), expected.sizes()) << c.name;
    EXPECT_EQ(audios->dtype(), expected.dtype()) << c.name;
    EXPECT_EQ((*audios - expected).abs().max().item<double>(), 0.0) << c.name;
    std::vector<int64_t> ours;
    for (const Value& v : s.info.at("frame_inds").as_list()) ours.push_back(v.as_int());
    EXPECT_EQ(ours, std::vector<int64_t>(inds.data_ptr<int64_t>(),
                                         inds.data_ptr<int64_t>() + inds.numel()))
        << c.name;
    EXPECT_EQ(s.info.at("input_shape").as_list().size(), 4u) << c.name;
  }
}

TEST(AudioFeaturePipeline, MissingFileIsZerosOfMMAction2sShape) {
  Sample s;
  s.info.set("audio_path", Value("/nonexistent/audio.npy"));
  Compose(pipeline("[dict(type='LoadAudioFeature')]"), "pipeline").apply(s);
  EXPECT_EQ(s.info.at("length").as_int(), 640);
  EXPECT_EQ(s.tensor("audios")->sizes(), (std::vector<int64_t>{640, 80}));
  EXPECT_EQ(s.tensor("audios")->abs().sum().item<double>(), 0.0);
}

TEST(AudioFeaturePipeline, Errors) {
  test::TempDir dir;
  std::string bad = (dir.path() / "bad.npy").string();
  save_npy(bad, torch::zeros({2, 3, 4}));
  Sample s;
  s.info.set("audio_path", Value(bad));
  std::string err = test::error_of(
      [&] { Compose(pipeline("[dict(type='LoadAudioFeature')]"), "pipeline").apply(s); });
  EXPECT_NE(err.find(bad), std::string::npos) << err;
  EXPECT_NE(err.find("2-D"), std::string::npos) << err;
  err = test::error_of(
      [] { Compose(pipeline("[dict(type='LoadAudioFeature', pad_method='mean')]"), "pipeline"); });
  EXPECT_NE(err.find("pad_method"), std::string::npos) << err;
  err = test::error_of([] {
    Compose(pipeline("[dict(type='FormatAudioShape', input_format='NCHW')]"), "pipeline");
  });
  EXPECT_NE(err.find("The input format NCHW is invalid."), std::string::npos) << err;
}

std::shared_ptr<AudioFeatureDataset> dataset(const std::string& ann, const std::string& extra) {
  Value cfg = load_config_text("d = dict(type='AudioFeatureDataset', ann_file='" + ann +
                                   "', pipeline=[]" + extra + ")\n",
                               "/tmp/audio_dataset.py")
                  .at("d");
  return std::dynamic_pointer_cast<AudioFeatureDataset>(DATASETS().build(cfg, {"data.train"}));
}

TEST(AudioFeatureDataset, ReadsLinesAsMMAction2) {
  test::TempDir dir;
  std::string ann = dir.write("ann.txt", "a/x 100 3\nb/y.npy 50 1\n").string();
  auto plain = dataset(ann, "");
  ASSERT_EQ(plain->size(), 2);
  EXPECT_EQ(plain->info(0).at("audio_path").as_str(), "a/x");  // no prefix: taken as it is
  EXPECT_EQ(plain->info(0).at("total_frames").as_int(), 100);
  EXPECT_EQ(plain->info(0).at("label").as_int(), 3);
  auto prefixed = dataset(ann, ", data_prefix='/feat'");
  EXPECT_EQ(prefixed->info(0).at("audio_path").as_str(), "/feat/a/x.npy");
  EXPECT_EQ(prefixed->info(1).at("audio_path").as_str(), "/feat/b/y.npy");
  Sample s = plain->get(0, 0);
  EXPECT_EQ(s.info.at("modality").as_str(), "Audio");
  EXPECT_EQ(s.info.at("start_index").as_int(), 1);
  auto multi =
      dataset(dir.write("multi.txt", "a 10 0 2\n").string(), ", multi_class=True, num_classes=4");
  EXPECT_EQ(multi->get(0, 0).tensor("label")->sum().item<double>(), 2.0);
}

TEST(AudioFeatureDataset, BadLinesNameFileAndLine) {
  test::TempDir dir;
  std::string ann = dir.write("ann.txt", "a 100 3\nb 50\n").string();
  std::string err = test::error_of([&] { dataset(ann, ""); });
  EXPECT_NE(err.find(ann + ":2"), std::string::npos) << err;
  EXPECT_NE(err.find("missing label"), std::string::npos) << err;
  ann = dir.write("ann2.txt", "a x 3\n").string();
  err = test::error_of([&] { dataset(ann, ""); });
  EXPECT_NE(err.find(ann + ":1: total_frames 'x' is not an integer"), std::string::npos) << err;
  err = test::error_of([&] { dataset(ann, ", modality='RGB'"); });
  EXPECT_NE(err.find("modality"), std::string::npos) << err;
}

// Six videos of 2 classes whose features differ in sign; clips of 8 rows of 6 bins, one in
// training, two (averaged as probabilities) at test time.
const char* kTrainConfig = R"(
model = dict(
    type='AudioRecognizer',
    backbone=dict(type='ResNetAudio', depth=50, pretrained=None, base_channels=2,
                  num_stages=1, strides=(1, ), dilations=(1, ), conv1_kernel=3),
    cls_head=dict(type='AudioTSNHead', num_classes=2, in_channels=8, dropout_ratio=0.0),
    train_cfg=None,
    test_cfg=dict(average_clips='prob'))
train_pipeline = [
    dict(type='LoadAudioFeature'),
    dict(type='SampleFrames', clip_len=4, frame_interval=1, num_clips=1),
    dict(type='AudioFeatureSelector', fixed_length=8),
    dict(type='FormatAudioShape', input_format='NCTF'),
    dict(type='Collect', keys=['audios', 'label'], meta_keys=[]),
    dict(type='ToTensor', keys=['audios'])
]
test_pipeline = [
    dict(type='LoadAudioFeature'),
    dict(type='SampleFrames', clip_len=4, frame_interval=1, num_clips=2, test_mode=True),
    dict(type='AudioFeatureSelector', fixed_length=8),
    dict(type='FormatAudioShape', input_format='NCTF'),
    dict(type='Collect', keys=['audios', 'label'], meta_keys=[]),
    dict(type='ToTensor', keys=['audios'])
]
data = dict(
    videos_per_gpu=3, workers_per_gpu=0,
    train=dict(type='AudioFeatureDataset', ann_file='ANN', data_prefix='ROOT',
               pipeline=train_pipeline),
    test=dict(type='AudioFeatureDataset', ann_file='ANN', data_prefix='ROOT',
              pipeline=test_pipeline))
optimizer = dict(type='SGD', lr=0.05, momentum=0.9)
optimizer_config = dict(grad_clip=dict(max_norm=40, norm_type=2))
lr_config = dict(policy='CosineAnnealing', min_lr=0)
total_epochs = 2
checkpoint_config = dict(interval=2)
log_config = dict(interval=1, hooks=[dict(type='TextLoggerHook')])
workflow = [('train', 1)]
evaluation = dict(interval=2, metrics=['top_k_accuracy'])
)";

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size())
    s.replace(p, from.size(), to);
  return s;
}

TEST(AudioFeatureDataset, TrainAndTestEndToEnd) {
  test::TempDir dir;
  std::string ann;
  for (int i = 0; i < 6; ++i) {
    float sign = i % 2 ? 1.0f : -1.0f;
    std::string name = "v" + std::to_string(i);
    save_npy((dir.path() / (name + ".npy")).string(), sign * (torch::rand({20, 6}) + 0.5f));
    ann += name + " 16 " + std::to_string(i % 2) + "\n";
  }
  std::string cfg = replace_all(kTrainConfig, "ANN", dir.write("ann.txt", ann).string());
  cfg = replace_all(cfg, "ROOT", dir.path().string());
  TrainOptions o;
  o.config = dir.write("cfg.py", cfg).string();
  o.work_dir = (dir.path() / "work").string();
  o.seed = 0;
  o.device = "cpu";
  o.test_last = true;
  train(o);
  ASSERT_TRUE(std::filesystem::exists(dir.path() / "work" / "epoch_2.pth"));
  // --test-last: data.test with the final weights, scores written and evaluated.
  std::string log;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "work"))
    if (entry.path().extension() == ".log") log = test::read_text(entry.path());
  EXPECT_NE(log.find("Testing results of the last checkpoint"), std::string::npos) << log;
  EXPECT_NE(log.find("top1_acc"), std::string::npos) << log;
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "work" / "last_pred.json"));
}

}  // namespace
}  // namespace tubelet::audio_feature_test
