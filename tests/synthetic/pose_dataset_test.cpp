// The synthetic skeleton set: determinism, figures that look like people facing the camera,
// classes whose motion goes the way their names say, reversed pairs, and the pickles read back
// as MMAction2's PoseDataset annotations.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <fstream>
#include <iterator>

#include "support/paths.h"
#include "tubelet/checkpoint/results_pickle.h"
#include "tubelet/synthetic/pose_dataset.h"

namespace tubelet::synthetic::pose_dataset_test {
namespace {

namespace fs = std::filesystem;
using torch::indexing::Slice;

// COCO keypoint indices.
constexpr int kNose = 0, kLeftShoulder = 5, kRightShoulder = 6, kLeftWrist = 9, kRightWrist = 10,
              kLeftHip = 11, kRightHip = 12, kLeftAnkle = 15;

int label_named(const std::string& name) {
  const auto& names = pose_class_names();
  return static_cast<int>(std::find(names.begin(), names.end(), name) - names.begin());
}

// The mean over clips `index` 0..n of joint j's coordinate c at frame t (noise averages out).
double mean_coordinate(const std::string& label, int j, int c, int t, int n = 12) {
  double sum = 0;
  for (int i = 0; i < n; ++i) {
    PoseClip clip = sample_pose_clip(label_named(label), 7, i, 480, 32);
    const int frame = t < 0 ? 32 + t : t;
    sum += clip.keypoint[0][frame][j][c].item<double>();
  }
  return sum / n;
}

TEST(SyntheticPose, DeterministicShapesAndInsideTheImage) {
  for (int label = 0; label < static_cast<int>(pose_class_names().size()); ++label) {
    PoseClip a = sample_pose_clip(label, 5, 3, 320, 24), b = sample_pose_clip(label, 5, 3, 320, 24);
    EXPECT_TRUE(torch::equal(a.keypoint, b.keypoint));
    EXPECT_TRUE(torch::equal(a.keypoint_score, b.keypoint_score));
    EXPECT_FALSE(torch::equal(a.keypoint, sample_pose_clip(label, 5, 4, 320, 24).keypoint));
    EXPECT_FALSE(torch::equal(a.keypoint, sample_pose_clip(label, 6, 3, 320, 24).keypoint));
    ASSERT_EQ(a.keypoint.sizes(), (std::vector<int64_t>{1, 24, 17, 2}));
    ASSERT_EQ(a.keypoint_score.sizes(), (std::vector<int64_t>{1, 24, 17}));
    EXPECT_EQ(a.keypoint.scalar_type(), torch::kFloat32);
    EXPECT_GE(a.keypoint.min().item<float>(), 0.f) << pose_class_names()[label];
    EXPECT_LT(a.keypoint.max().item<float>(), 320.f) << pose_class_names()[label];
    EXPECT_GT(a.keypoint_score.min().item<float>(), 0.f);
    EXPECT_LE(a.keypoint_score.max().item<float>(), 1.f);
  }
  EXPECT_THROW(sample_pose_clip(99, 0, 0), std::out_of_range);
  EXPECT_THROW(sample_pose_clip(0, 0, 0, 8, 32), std::invalid_argument);
}

TEST(SyntheticPose, FiguresFaceTheCameraUpright) {
  // The figure's left shoulder is on the image's right; the nose above the hips, the hips
  // above the ankles (image y grows downwards).
  EXPECT_GT(mean_coordinate("waving", kLeftShoulder, 0, 0),
            mean_coordinate("waving", kRightShoulder, 0, 0));
  EXPECT_LT(mean_coordinate("waving", kNose, 1, 0), mean_coordinate("waving", kLeftHip, 1, 0));
  EXPECT_LT(mean_coordinate("waving", kLeftHip, 1, 0), mean_coordinate("waving", kLeftAnkle, 1, 0));
}

TEST(SyntheticPose, MotionsGoTheWayTheirNamesSay) {
  // Image x grows to the right, y downwards; differences of tens of pixels at size 480.
  EXPECT_GT(mean_coordinate("walking_right", kLeftHip, 0, -1) -
                mean_coordinate("walking_right", kLeftHip, 0, 0),
            40);
  EXPECT_LT(mean_coordinate("walking_left", kLeftHip, 0, -1) -
                mean_coordinate("walking_left", kLeftHip, 0, 0),
            -40);
  EXPECT_GT(mean_coordinate("sitting_down", kRightHip, 1, -1) -
                mean_coordinate("sitting_down", kRightHip, 1, 0),
            15);
  EXPECT_LT(mean_coordinate("standing_up", kRightHip, 1, -1) -
                mean_coordinate("standing_up", kRightHip, 1, 0),
            -15);
  EXPECT_LT(mean_coordinate("raising_arms", kLeftWrist, 1, -1) -
                mean_coordinate("raising_arms", kLeftWrist, 1, 0),
            -60);
  EXPECT_GT(mean_coordinate("lowering_arms", kLeftWrist, 1, -1) -
                mean_coordinate("lowering_arms", kLeftWrist, 1, 0),
            60);
  // Waving keeps the right wrist above the right shoulder, the left arm down.
  EXPECT_LT(mean_coordinate("waving", kRightWrist, 1, 10),
            mean_coordinate("waving", kRightShoulder, 1, 10));
  EXPECT_GT(mean_coordinate("waving", kLeftWrist, 1, 10),
            mean_coordinate("waving", kLeftShoulder, 1, 10));
}

TEST(SyntheticPose, PairsAreEachOtherBackwards) {
  // Same parameters, time reversed: frame t of one is frame T-1-t of the other up to the
  // detector noise (a few pixels; misplaced joints are rare, so compare medians). Unreversed,
  // the clips differ.
  for (auto [first, second] :
       {std::pair{"sitting_down", "standing_up"}, std::pair{"raising_arms", "lowering_arms"},
        std::pair{"walking_right", "walking_left"}}) {
    PoseClip forward = sample_pose_clip(label_named(first), 1, 4, 480, 32);
    PoseClip backward = sample_pose_clip(label_named(second), 1, 4, 480, 32);
    EXPECT_LT((backward.keypoint - forward.keypoint.flip({1})).abs().median().item<float>(), 6.f)
        << first;
    // At the first and last frames the wrists of the two are far apart.
    auto ends = torch::tensor({0, 31}), wrists = torch::tensor({kLeftWrist, kRightWrist});
    auto apart =
        (forward.keypoint - backward.keypoint).index_select(1, ends).index_select(2, wrists);
    EXPECT_GT(apart.abs().mean().item<float>(), 12.f) << first;
  }
}

TEST(SyntheticPose, WritesPoseDatasetPickles) {
  test::TempDir dir;
  const fs::path out = dir.path() / "pose";
  PoseDatasetOptions o;
  o.videos(24).seed(2).size(200).frames(12);
  int64_t progress_calls = 0;
  o.progress([&](int64_t done, int64_t total) {
    ++progress_calls;
    EXPECT_EQ(total, 24);
    EXPECT_LE(done, total);
  });
  PoseDatasetSummary summary = make_pose_dataset(out, o);
  EXPECT_EQ(progress_calls, 24);
  EXPECT_EQ(summary.train_videos + summary.val_videos, 24);
  EXPECT_EQ(summary.val_videos, 8);  // one of the three clips of each of the 8 classes

  std::ifstream labels(out / "label_map.txt");
  std::string line;
  std::vector<std::string> names;
  while (std::getline(labels, line)) names.push_back(line);
  EXPECT_EQ(names, pose_class_names());

  for (const char* file : {"train.pkl", "val.pkl"}) {
    std::ifstream in(out / file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    checkpoint::UnpickledResults read = checkpoint::unpickle_results(bytes, file);
    ASSERT_FALSE(read.rows.has_value());
    const List& records = read.value.as_list();
    ASSERT_EQ(static_cast<int64_t>(records.size()),
              std::string(file) == "val.pkl" ? summary.val_videos : summary.train_videos);
    const Dict& first = records.at(0).as_dict();
    std::vector<std::string> keys;
    for (const auto& [key, value] : first.items()) keys.push_back(key.as_str());
    EXPECT_EQ(keys, (std::vector<std::string>{"frame_dir", "label", "img_shape", "original_shape",
                                              "total_frames", "keypoint", "keypoint_score"}));
    EXPECT_EQ(first.at("total_frames").as_int(), 12);
    EXPECT_EQ(first.at("img_shape").as_list().at(0).as_int(), 200);
    // The arrays are the clip's: frame_dir names the index.
    const int64_t index = std::stoll(first.at("frame_dir").as_str().substr(5));
    PoseClip clip =
        sample_pose_clip(static_cast<int>(first.at("label").as_int()), 2, index, 200, 12);
    EXPECT_DOUBLE_EQ(first.at("keypoint")
                         .as_list()
                         .at(0)
                         .as_list()
                         .at(3)
                         .as_list()
                         .at(5)
                         .as_list()
                         .at(1)
                         .as_float(),
                     clip.keypoint[0][3][5][1].item<float>());
  }
  EXPECT_THROW(make_pose_dataset(out, PoseDatasetOptions().videos(10)), std::invalid_argument);
}

}  // namespace
}  // namespace tubelet::synthetic::pose_dataset_test
