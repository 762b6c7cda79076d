// The synthetic AVA-format detection dataset: determinism, boxes inside the frames, actions
// visible in the pixels, and the written files read back by AVADataset (records, labels,
// proposals, the frames SampleAVAFrames + RawFrameDecode load) and by the results unpickler.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <opencv2/core.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "support/paths.h"
#include "tubelet/checkpoint/results_pickle.h"
#include "tubelet/config/config.h"
#include "tubelet/data/datasets/ava_dataset.h"
#include "tubelet/data/registries.h"
#include "tubelet/synthetic/ava_dataset.h"

namespace tubelet::synthetic::ava_dataset_test {
namespace {

namespace fs = std::filesystem;

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Mean absolute difference of two frames inside a pixel box.
double box_change(const cv::Mat& a, const cv::Mat& b, const std::array<double, 4>& box) {
  const cv::Rect r(static_cast<int>(box[0]), static_cast<int>(box[1]),
                   static_cast<int>(box[2] - box[0]), static_cast<int>(box[3] - box[1]));
  cv::Mat d;
  cv::absdiff(a(r), b(r), d);
  return cv::mean(d)[0] + cv::mean(d)[1] + cv::mean(d)[2];
}

TEST(SyntheticAva, VideosAreDeterministicAndBoxesInsideFrames) {
  for (int64_t index = 0; index < 12; ++index) {
    const AvaVideoSpec a = sample_ava_video(3, index, 72, 4), b = sample_ava_video(3, index, 72, 4);
    EXPECT_EQ(a.width, 96);
    EXPECT_EQ(a.height, 72);
    EXPECT_EQ(a.frames, 120);
    ASSERT_GE(a.people.size(), 1u);
    ASSERT_LE(a.people.size(), 3u);
    ASSERT_EQ(a.people.size(), b.people.size());
    for (int t : {0, 37, 119}) {
      cv::Mat fa = render_ava_frame(a, t), fb = render_ava_frame(b, t);
      EXPECT_EQ(fa.size(), cv::Size(96, 72));
      EXPECT_EQ(cv::norm(fa, fb, cv::NORM_INF), 0) << "video " << index << " frame " << t;
    }
    for (const AvaPerson& p : a.people)
      for (int t = 0; t < a.frames; ++t) {
        const auto box = ava_person_box(a, p, t);
        EXPECT_GE(box[0], 0);
        EXPECT_GE(box[1], 0);
        EXPECT_LE(box[2], a.width);
        EXPECT_LE(box[3], a.height);
        EXPECT_GT(box[2] - box[0], 5);
      }
  }
  const AvaVideoSpec x = sample_ava_video(3, 5), y = sample_ava_video(4, 5),
                     z = sample_ava_video(3, 6);
  EXPECT_GT(cv::norm(render_ava_frame(x, 0), render_ava_frame(y, 0), cv::NORM_L1), 0);
  EXPECT_GT(cv::norm(render_ava_frame(x, 0), render_ava_frame(z, 0), cv::NORM_L1), 0);
  EXPECT_THROW(sample_ava_video(0, 0, 16), std::invalid_argument);
  EXPECT_THROW(sample_ava_video(0, 0, 96, 2), std::invalid_argument);
  EXPECT_THROW(render_ava_frame(x, x.frames), std::out_of_range);
}

TEST(SyntheticAva, ActionsAreVisible) {
  std::set<int> seen;
  for (int64_t index = 0; index < 40; ++index) {
    const AvaVideoSpec v = sample_ava_video(1, index, 96, 4);
    for (const AvaPerson& p : v.people) {
      seen.insert(p.motion);
      if (p.carry) seen.insert(kAvaCarry);
      const auto b0 = ava_person_box(v, p, 40), b1 = ava_person_box(v, p, 56);
      if (p.motion == kAvaWalk) {
        // It walks on over 16 frames on either side (it bounces off one edge at most).
        const double moved =
            std::max(std::abs(b1[0] - b0[0]), std::abs(ava_person_box(v, p, 24)[0] - b0[0]));
        EXPECT_GT(moved, 3.0);
      } else {
        EXPECT_EQ(b0, b1);
      }
      if (p.motion == kAvaBlink) {
        // In a 4x16 test clip around frame 40 the body is bright in some frames, dark in others.
        double most = 0;
        for (int t : {8, 24, 56})
          most = std::max(most, box_change(render_ava_frame(v, 40), render_ava_frame(v, t), b0));
        EXPECT_GT(most, 30.0);
      }
      if (p.motion == kAvaStand && v.people.size() == 1) {
        EXPECT_LT(box_change(render_ava_frame(v, 40), render_ava_frame(v, 72), b0), 12.0);
      }
    }
  }
  EXPECT_EQ(seen, (std::set<int>{kAvaWalk, kAvaBlink, kAvaStand, kAvaCarry}));
  EXPECT_EQ(ava_action_names(), (std::vector<std::string>{"walk", "blink", "stand", "carry"}));
}

TEST(SyntheticAva, PickleArrayDictReadsBack) {
  const torch::Tensor a = torch::tensor({0.f, .5f, 1.f, .25f, .9f}).reshape({1, 5});
  const torch::Tensor b = torch::zeros({0, 5});
  const std::string bytes = checkpoint::pickle_array_dict({{"vid,0902", a}, {"vid,0903", b}});
  const checkpoint::UnpickledResults r = checkpoint::unpickle_results(bytes, "p.pkl");
  const Dict& d = r.value.as_dict();
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d.items()[0].first.as_str(), "vid,0902");
  EXPECT_DOUBLE_EQ(d.at("vid,0902").as_list().at(0).as_list().at(4).as_float(), double(.9f));
  EXPECT_TRUE(d.at("vid,0903").as_list().empty());
  EXPECT_THROW(checkpoint::pickle_array_dict({{"k", a}, {"k", a}}), std::invalid_argument);
  // Python 3's pickle.dumps({}, protocol=2).
  EXPECT_EQ(checkpoint::pickle_array_dict({}), std::string("\x80\x02}q\x00.", 6));
}

std::shared_ptr<Dataset> build_ava(const fs::path& out, const std::string& split,
                                   const std::string& pipeline, bool test_mode) {
  const fs::path ann = out / "annotations";
  const std::string text =
      "dataset = dict(type='AVADataset', ann_file='" + (ann / ("ava_" + split + ".csv")).string() +
      "', exclude_file='" + (ann / ("ava_" + split + "_excluded_timestamps.csv")).string() +
      "', label_file='" + (ann / "ava_action_list.pbtxt").string() + "', proposal_file='" +
      (ann / ("ava_proposals_" + split + ".pkl")).string() + "', num_classes=5, data_prefix='" +
      (out / "rawframes").string() +
      "', timestamp_start=900, timestamp_end=904, test_mode=" + (test_mode ? "True" : "False") +
      ", pipeline=" + pipeline + ")\n";
  Dict cfg = load_config_text(text, "ava_synthetic_test.py");
  return DATASETS().build(cfg.at("dataset"), BuildContext("data.train"));
}

TEST(SyntheticAva, WritesFilesAVADatasetReads) {
  test::TempDir dir;
  const fs::path out = dir.path() / "ava";
  AvaDatasetOptions o;
  o.videos(4).seed(9).size(48).seconds(4);
  int64_t calls = 0;
  o.progress([&](int64_t done, int64_t total) {
    ++calls;
    EXPECT_EQ(total, 4);
    EXPECT_LE(done, total);
  });
  const AvaDatasetSummary summary = make_ava_dataset(out, o);
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(summary.train_videos, 3);
  EXPECT_EQ(summary.val_videos, 1);
  EXPECT_EQ(o.timestamps(), (std::vector<int64_t>{902, 903}));
  EXPECT_TRUE(fs::exists(out / "rawframes/synava_0000/img_00001.jpg"));
  EXPECT_TRUE(fs::exists(out / "rawframes/synava_0003/img_00120.jpg"));
  EXPECT_FALSE(fs::exists(out / "rawframes/synava_0003/img_00121.jpg"));
  EXPECT_EQ(read_bytes(out / "annotations/ava_train_excluded_timestamps.csv"), "");
  EXPECT_EQ(read_bytes(out / "annotations/ava_action_list.pbtxt").substr(0, 39),
            "item {\n  name: \"walk\"\n  id: 1\n}\nitem {\n");
  // The same files again for the same seed.
  const std::string csv = read_bytes(out / "annotations/ava_train.csv");
  const std::string pkl = read_bytes(out / "annotations/ava_proposals_val.pkl");
  make_ava_dataset(out, AvaDatasetOptions().videos(4).seed(9).size(48).seconds(4));
  EXPECT_EQ(read_bytes(out / "annotations/ava_train.csv"), csv);
  EXPECT_EQ(read_bytes(out / "annotations/ava_proposals_val.pkl"), pkl);

  for (const std::string split : {"train", "val"}) {
    auto ds = std::dynamic_pointer_cast<AVADataset>(build_ava(out, split, "[]", false));
    ASSERT_TRUE(ds);
    const int64_t first = split == "train" ? 0 : 3, videos = split == "train" ? 3 : 1;
    ASSERT_EQ(ds->size(), videos * 2);
    int64_t boxes = 0;
    for (int64_t i = 0; i < ds->size(); ++i) {
      const Dict& info = ds->info(i);
      const int64_t index = first + i / 2, ts = 902 + i % 2;
      const AvaVideoSpec v = sample_ava_video(9, index, 48, 4);
      EXPECT_EQ(info.at("video_id").as_str(), v.video_id);
      EXPECT_EQ(info.at("timestamp").as_int(), ts);
      const Sample s = ds->get(i, 0);
      const torch::Tensor gt = *s.tensor("gt_bboxes"), labels = *s.tensor("gt_labels");
      ASSERT_EQ(gt.size(0), static_cast<int64_t>(v.people.size()));
      boxes += gt.size(0);
      for (size_t k = 0; k < v.people.size(); ++k) {
        const AvaPerson& p = v.people[k];
        const auto box = ava_person_box(v, p, static_cast<int>((ts - 900) * 30));
        for (int c = 0; c < 4; ++c)
          EXPECT_NEAR(gt[int64_t(k)][c].item<double>(), box[c] / (c % 2 ? v.height : v.width),
                      5e-4);
        std::vector<int> onehot;
        for (int c = 0; c < 5; ++c)
          if (labels[int64_t(k)][c].item<float>() == 1.f) onehot.push_back(c);
        EXPECT_EQ(onehot, p.actions());
        EXPECT_EQ(s.info.at("entity_ids").as_list().at(k).as_int(), p.entity_id);
      }
      // Proposals: one per person (score >= 0.9) first, then the distractors.
      const torch::Tensor* proposals = ds->proposals(info.at("img_key").as_str());
      ASSERT_TRUE(proposals);
      EXPECT_EQ(proposals->scalar_type(), torch::kFloat32);
      ASSERT_GE(proposals->size(0), gt.size(0));
      ASSERT_EQ(proposals->size(1), 5);
      EXPECT_GE(proposals->select(1, 4).slice(0, 0, gt.size(0)).min().item<float>(), 0.9f);
      EXPECT_LE(proposals->slice(1, 0, 4).max().item<float>(), 1.f);
      EXPECT_GE(proposals->slice(1, 0, 4).min().item<float>(), 0.f);
    }
    EXPECT_EQ(boxes, split == "train" ? summary.train_boxes : summary.val_boxes);
  }

  // AVA's test pipeline finds every frame and scales the proposals to the frame size.
  auto loaded =
      build_ava(out, "val",
                "[dict(type='SampleAVAFrames', clip_len=4, frame_interval=16, test_mode=True), "
                "dict(type='RawFrameDecode')]",
                true);
  for (int64_t i = 0; i < loaded->size(); ++i) {
    const Sample s = loaded->get(i, 0);
    ASSERT_EQ(s.imgs.size(), 4u);
    EXPECT_EQ(s.imgs[0].size(), cv::Size(64, 48));
    EXPECT_LE(s.tensor("proposals")->max().item<float>(), 64.f);
  }
  EXPECT_THROW(make_ava_dataset(out, AvaDatasetOptions().videos(1)), std::invalid_argument);
}

}  // namespace
}  // namespace tubelet::synthetic::ava_dataset_test
