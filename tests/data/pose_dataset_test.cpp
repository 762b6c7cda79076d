// PoseDataset (MMAction2 0.24.1, datasets/pose_dataset.py) on annotation .pkl files that
// mmcv.dump (pickle protocol 2) and pickle protocols 4 and 5 wrote (tests/fixtures/pose, from
// tools/fixtures/make_pose_fixtures.py): records, data_prefix, split, valid_ratio/box_thr
// thresholding, class_prob, evaluation against MMAction2's numbers, and the errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/paths.h"
#include "tubelet/checkpoint/pth.h"
#include "tubelet/checkpoint/results_pickle.h"
#include "tubelet/config/config.h"
#include "tubelet/data/dataset.h"
#include "tubelet/data/datasets/pose_dataset.h"

namespace tubelet::pose_dataset_test {
namespace {

std::filesystem::path fixture(const std::string& name) {
  return test::source_dir() / "tests/fixtures/pose" / name;
}

torch::Tensor expected(const std::string& name) {
  static const checkpoint::Pickle p = checkpoint::read_pth(fixture("expected.pth").string());
  const checkpoint::PyObject* o = p.root->get(name);
  if (!o) throw std::runtime_error("no case " + name + " in expected.pth");
  return o->tensor;
}

std::shared_ptr<Dataset> build(const std::string& ann, const std::string& extra = "") {
  Dict cfg = load_config_text(
      "dataset = dict(type='PoseDataset', ann_file='" + ann + "', pipeline=[]" + extra + ")\n",
      "/tmp/pose_dataset_test.py");
  return DATASETS().build(cfg.at("dataset"), BuildContext("data.train"));
}

std::shared_ptr<Dataset> build_fixture(const std::string& file, const std::string& extra = "") {
  return build(fixture(file).string(), ", data_prefix=''" + extra);
}

std::vector<int64_t> labels(const Dataset& ds) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < ds.size(); ++i) out.push_back(ds.info(i).at("label").as_int());
  return out;
}

std::vector<int64_t> ints(const torch::Tensor& t) {
  torch::Tensor c = t.to(torch::kLong).contiguous();
  return {c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel()};
}

TEST(PoseDataset, RecordsOfEveryProtocol) {
  auto ds = build_fixture("ann_2d.pkl");
  ASSERT_EQ(ds->size(), 4);
  const Dict& info = ds->info(0);
  EXPECT_EQ(info.at("frame_dir").as_str(), "S001C001P001R001A001");
  EXPECT_EQ(info.at("label"), Value(0));
  EXPECT_EQ(ds->info(1).at("label"), Value(1));  // a numpy int64 in the file
  EXPECT_EQ(info.at("img_shape"), Value::tuple({1080, 1920}));
  EXPECT_EQ(info.at("total_frames"), Value(20));
  EXPECT_FALSE(info.contains("keypoint"));
  Sample s = ds->get(0, 0);
  EXPECT_EQ(s.info.at("modality").as_str(), "Pose");
  EXPECT_EQ(s.info.at("start_index").as_int(), 0);
  ASSERT_NE(s.tensor("keypoint"), nullptr);
  EXPECT_EQ(s.tensor("keypoint")->sizes(), (std::vector<int64_t>{2, 20, 17, 2}));
  EXPECT_EQ(s.tensor("keypoint")->scalar_type(), torch::kFloat);
  EXPECT_EQ(s.tensor("keypoint_score")->sizes(), (std::vector<int64_t>{2, 20, 17}));
  auto* pose = dynamic_cast<PoseDataset*>(ds.get());
  ASSERT_NE(pose, nullptr);
  EXPECT_EQ(pose->arrays(2).size(), 2u);
  for (const char* other : {"ann_2d_p4.pkl", "ann_2d_p5.pkl"}) {
    auto p = build_fixture(other);
    ASSERT_EQ(p->size(), 2) << other;
    for (int64_t i = 0; i < 2; ++i) {
      EXPECT_EQ(Value(p->info(i)), Value(ds->info(i))) << other;
      Sample a = p->get(i, 0), b = ds->get(i, 0);
      EXPECT_TRUE(torch::equal(*a.tensor("keypoint"), *b.tensor("keypoint"))) << other;
      EXPECT_TRUE(torch::equal(*a.tensor("keypoint_score"), *b.tensor("keypoint_score")));
    }
  }
}

TEST(PoseDataset, DataPrefixJoinsFrameDir) {
  auto ds = build(fixture("ann_2d.pkl").string(), ", data_prefix='data/ntu'");
  EXPECT_EQ(ds->info(3).at("frame_dir").as_str(), "data/ntu/S001C002P001R001A001");
  // data_prefix=None: MMAction2's osp.join(None, ...) fails; the names stay as they are.
  EXPECT_EQ(build(fixture("ann_2d.pkl").string())->info(0).at("frame_dir").as_str(),
            "S001C001P001R001A001");
}

TEST(PoseDataset, Split) {
  auto train = build_fixture("ann_split.pkl", ", split='train1'");
  ASSERT_EQ(train->size(), 2);
  EXPECT_EQ(train->info(0).at("frame_dir").as_str(), "S001C001P001R001A002");  // file order
  EXPECT_EQ(train->info(1).at("frame_dir").as_str(), "op_0");
  auto test = build_fixture("ann_split.pkl", ", split='test1'");
  ASSERT_EQ(test->size(), 1);
  EXPECT_EQ(test->info(0).at("frame_dir").as_str(), "op_1");
  EXPECT_NE(test::error_of([] {
              build_fixture("ann_split.pkl", ", split='train2'");
            }).find("no split 'train2' (the file has train1, test1)"),
            std::string::npos);
  EXPECT_NE(test::error_of([] { build_fixture("ann_split.pkl"); })
                .find("expected a list of annotation dicts, got a dict (set split= to read its "
                      "splits)"),
            std::string::npos);
  EXPECT_NE(test::error_of([] {
              build_fixture("ann_2d.pkl", ", split='train1'");
            }).find("split='train1' needs a dict with 'split' and 'annotations', got a list"),
            std::string::npos);
}

TEST(PoseDataset, ValidRatioAndBoxThreshold) {
  const std::pair<const char*, const char*> cases[] = {
      {"valid_none", ", valid_ratio=0.5"},
      {"valid_05", ", valid_ratio=0.5, box_thr='0.5'"},
      {"valid_06", ", valid_ratio=0.7, box_thr='0.6'"},
      {"valid_07", ", valid_ratio=0.5, box_thr='0.7'"}};
  for (const auto& [name, extra] : cases) {
    auto ds = build_fixture("ann_valid.pkl", extra);
    EXPECT_EQ(labels(*ds), ints(expected(std::string(name) + "_labels"))) << name;
    auto* pose = dynamic_cast<PoseDataset*>(ds.get());
    for (int64_t i = 0; i < ds->size(); ++i) {
      const std::string key = std::string(name) + "_anno_inds_" + std::to_string(i);
      const torch::Tensor* anno = ds->get(i, 0).tensor("anno_inds");
      if (std::string(name) == "valid_none" || std::string(name) == "valid_05") {
        EXPECT_EQ(anno, nullptr) << name;
        continue;
      }
      ASSERT_NE(anno, nullptr) << key;
      EXPECT_EQ(ints(*anno), ints(expected(key))) << key;
      EXPECT_EQ(pose->arrays(i).back().first, "anno_inds");
    }
  }
  EXPECT_NE(test::error_of([] {
              build_fixture("ann_valid.pkl", ", valid_ratio=1");
            }).find("valid_ratio must be a float (as MMAction2 asserts), got <class 'int'>"),
            std::string::npos);
  EXPECT_NE(test::error_of([] {
              build_fixture("ann_valid.pkl", ", box_thr='0.55'");
            }).find("box_thr must be one of '0.5', '0.6', '0.7', '0.8', '0.9'"),
            std::string::npos);
  EXPECT_NE(test::error_of([] {
              build_fixture("ann_2d.pkl", ", valid_ratio=0.5");
            }).find(": video 0 needs numbers 'valid_frames' and 'total_frames' for valid_ratio"),
            std::string::npos);
}

TEST(PoseDataset, ClassProbOverrides) {
  auto ds = build_fixture("ann_2d.pkl", ", sample_by_class=True, class_prob={0: 0.25, 1: 0.75}");
  auto* pose = dynamic_cast<PoseDataset*>(ds.get());
  ASSERT_EQ(pose->class_prob().size(), 2u);
  EXPECT_EQ(pose->class_prob()[1].first, Value(1));
  EXPECT_EQ(pose->class_prob()[1].second, 0.75);
  auto counted = build_fixture("ann_2d.pkl", ", sample_by_class=True");
  auto* c = dynamic_cast<PoseDataset*>(counted.get());
  ASSERT_EQ(c->class_prob().size(), 3u);  // power=0: each class alike
  EXPECT_DOUBLE_EQ(c->class_prob()[0].second, 1.0 / 3);
}

TEST(PoseDataset, EvaluateEqualsMMAction2) {
  auto ds = build_fixture("ann_2d.pkl");
  Dict options;
  Dict topk;
  topk.set("topk", Value::tuple({1, 2}));
  options.set("top_k_accuracy", Value(topk));
  Dict out =
      ds->evaluate(expected("eval_scores"), {"top_k_accuracy", "mean_class_accuracy"}, options);
  const torch::Tensor want = expected("eval_values");
  EXPECT_DOUBLE_EQ(out.at("top1_acc").as_float(), want[0].item<double>());
  EXPECT_DOUBLE_EQ(out.at("top2_acc").as_float(), want[1].item<double>());
  EXPECT_DOUBLE_EQ(out.at("mean_class_accuracy").as_float(), want[2].item<double>());
}

// [{'label': np.array([2]), 'frame_dir': 'a'}] in protocol 2, written by hand.
TEST(PoseDataset, LabelArrayBecomesAValue) {
  using namespace std::string_literals;
  const std::string array =
      "cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85"s + "C\x01"s +
      "b\x87R(K\x01K\x01\x85"s + "cnumpy\ndtype\nX\x02\x00\x00\x00i8\x89\x88\x87R"s +
      "(K\x03X\x01\x00\x00\x00<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb\x89"s + "C\x08"s +
      "\x02\x00\x00\x00\x00\x00\x00\x00tb"s;
  const std::string pkl = "\x80\x02](X\x05\x00\x00\x00label"s + array + "X\x09\x00\x00\x00"s +
                          "frame_dir" + "X\x01\x00\x00\x00"s + "a" + "da.";  // DICT, APPEND, STOP
  test::TempDir dir;
  auto ds = build(dir.write("label.pkl", pkl).string());
  ASSERT_EQ(ds->size(), 1);
  EXPECT_EQ(ds->info(0).at("label"), Value::list({2}));
  EXPECT_EQ(ds->get(0, 0).tensor("label"), nullptr);
}

TEST(PoseDataset, Errors) {
  test::TempDir dir;
  auto write = [&](const std::string& name, const Value& v) {
    return dir.write(name, checkpoint::pickle_value(v)).string();
  };
  Dict no_label;
  no_label.set("frame_dir", Value("a"));
  Dict ok;
  ok.set("frame_dir", Value("b"));
  ok.set("label", Value(1));
  const std::string f1 = write("nolabel.pkl", Value::list({Value(ok), Value(no_label)}));
  EXPECT_EQ(test::error_of([&] { build(f1); }), f1 + ": record 1 has no 'label'");
  const std::string f2 = write("notdict.pkl", Value::list({Value(ok), Value(3)}));
  EXPECT_EQ(test::error_of([&] { build(f2); }), f2 + ": record 1 is not a dict (int)");
  const std::string f3 = write("root.pkl", Value(ok));
  EXPECT_EQ(test::error_of([&] { build(f3); }),
            f3 + ": expected a list of annotation dicts, got a dict");
  EXPECT_EQ(build(write("empty.pkl", Value::list()))->size(), 0);
  std::string truncated = checkpoint::pickle_value(Value::list({Value(ok)}));
  truncated.resize(truncated.size() / 2);
  const std::string f4 = dir.write("cut.pkl", truncated).string();
  EXPECT_NE(test::error_of([&] { build(f4); }).find("PoseDataset: " + f4 + ": truncated pickle"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              build(dir.path().string() + "/none.pkl");
            }).find("cannot open pickle file"),
            std::string::npos);
  EXPECT_EQ(test::error_of([&] { build("ann.json"); }),
            "PoseDataset: ann_file must be a .pkl file, got 'ann.json'");
  EXPECT_NE(test::error_of([&] {
              build(f1, ", start_index=1");
            }).find("PoseDataset sets start_index itself"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              build(f1, ", modality='RGB'");
            }).find("PoseDataset sets modality itself"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] { build(f1, ", box_thr=0.5"); }).find("box_thr"), std::string::npos);
}

}  // namespace
}  // namespace tubelet::pose_dataset_test
