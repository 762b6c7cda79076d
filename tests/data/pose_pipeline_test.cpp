// The skeleton configs' whole pipelines through PoseDataset, against MMAction2 0.24.1 running
// the same config on the same .pkl (tests/fixtures/pose, tools/fixtures/make_pose_fixtures.py):
// STGCN's (PaddingWithLoop, PoseDecode, FormatGCNInput, PoseNormalize, Collect, ToTensor) and
// 2s-AGCN's bone pipeline (JointToBone 'nturgb+d'), bitwise. clip_len is 16 instead of the
// configs' 300 to keep the fixture small; nothing else differs.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/paths.h"
#include "tubelet/checkpoint/pth.h"
#include "tubelet/config/config.h"
#include "tubelet/data/dataset.h"

namespace tubelet::pose_pipeline_test {
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

const char* kStgcn =
    "[dict(type='PaddingWithLoop', clip_len=16), dict(type='PoseDecode'), "
    "dict(type='FormatGCNInput', input_format='NCTVM'), dict(type='PoseNormalize'), "
    "dict(type='Collect', keys=['keypoint', 'label'], meta_keys=[]), "
    "dict(type='ToTensor', keys=['keypoint'])]";
const char* kAgcnBone =
    "[dict(type='PaddingWithLoop', clip_len=16), dict(type='PoseDecode'), "
    "dict(type='JointToBone'), dict(type='FormatGCNInput', input_format='NCTVM'), "
    "dict(type='Collect', keys=['keypoint', 'label'], meta_keys=[]), "
    "dict(type='ToTensor', keys=['keypoint'])]";

std::shared_ptr<Dataset> dataset(const std::string& file, const std::string& pipeline) {
  Dict cfg = load_config_text(
      "dataset_type = 'PoseDataset'\n"
      "dataset = dict(type=dataset_type, ann_file='" +
          fixture(file).string() + "', data_prefix='', pipeline=" + pipeline +
          ", test_mode=True)\n",
      "/tmp/pose_pipeline_test.py");
  return DATASETS().build(cfg.at("dataset"), BuildContext("data.test"));
}

void expect_bitwise(const torch::Tensor& actual, const torch::Tensor& want,
                    const std::string& what) {
  EXPECT_EQ(actual.scalar_type(), want.scalar_type()) << what;
  ASSERT_EQ(actual.sizes(), want.sizes()) << what;
  torch::Tensor a = actual.contiguous(), b = want.contiguous();
  EXPECT_EQ(std::memcmp(a.data_ptr(), b.data_ptr(), a.nbytes()), 0) << what;
}

TEST(PosePipeline, StgcnConfigEqualsMMAction2) {
  for (const auto& [file, n] : {std::pair<std::string, int>{"ann_2d.pkl", 4}, {"ann_3d.pkl", 3}}) {
    auto ds = dataset(file, kStgcn);
    ASSERT_EQ(ds->size(), n);
    for (int64_t i = 0; i < n; ++i) {
      Sample s = ds->get(i, 0);
      const std::string name = "stgcn_" + file.substr(0, file.size() - 4) + "_" + std::to_string(i);
      ASSERT_NE(s.tensor("keypoint"), nullptr) << name;
      expect_bitwise(*s.tensor("keypoint"), expected(name), name);
      // Collect kept keypoint and label only (label a plain int, as in MMAction2).
      EXPECT_EQ(s.info.at("label"), ds->info(i).at("label")) << name;
      EXPECT_EQ(s.info.size(), 1u) << name;
      EXPECT_EQ(s.tensors.size(), 1u) << name;
      EXPECT_FALSE(s.info.contains("frame_dir")) << name;
      EXPECT_EQ(s.tensor("keypoint_score"), nullptr) << name;
    }
  }
}

TEST(PosePipeline, AgcnBoneConfigEqualsMMAction2) {
  auto ds = dataset("ann_3d.pkl", kAgcnBone);
  for (int64_t i = 0; i < ds->size(); ++i) {
    const std::string name = "agcn_bone_" + std::to_string(i);
    expect_bitwise(*ds->get(i, 0).tensor("keypoint"), expected(name), name);
  }
}

TEST(PosePipeline, ErrorsNameTheVideo) {
  auto ds = dataset("ann_2d.pkl",
                    "[dict(type='PaddingWithLoop', clip_len=4), dict(type='PoseDecode'), "
                    "dict(type='JointToBone')]");
  const std::string e = test::error_of([&] { ds->get(1, 0); });
  EXPECT_NE(e.find("index 1 (S001C001P001R001A002)"), std::string::npos) << e;
  EXPECT_NE(e.find("the 'nturgb+d' layout needs joint 20, keypoint has 17 joints"),
            std::string::npos)
      << e;
}

}  // namespace
}  // namespace tubelet::pose_pipeline_test
