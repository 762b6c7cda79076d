// Needs TUBELET_WITH_MEDIA
// ArrayDecode (MMAction2 0.24.1's, for inference_recognizer's ndarray input): frames picked
// from results['array'] by frame_inds (plus offset, Python's negative indexing), Flow arrays
// split into x and y images, and the errors; and the pipeline inference builds around it.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "support/paths.h"
#include "tubelet/apis/inference.h"
#include "tubelet/config/config.h"
#include "tubelet/data/transform.h"

namespace tubelet::array_decode_test {
namespace {

std::shared_ptr<Transform> array_decode() {
  Dict args;
  args.set("type", Value("ArrayDecode"));
  return PIPELINES().build(Value(std::move(args)), BuildContext("pipeline[1]"));
}

Value ints(std::initializer_list<int64_t> v) {
  List items;
  for (int64_t i : v) items.emplace_back(i);
  return Value::list(std::move(items));
}

// T frames of 2 x 3 pixels with C channels; pixel (t, y, x, c) = 10t + 3y + x + 100c.
torch::Tensor video(int64_t t, int64_t c) {
  auto ar = [](int64_t n, int64_t step) { return torch::arange(n, torch::kLong) * step; };
  torch::Tensor v = ar(t, 10).view({t, 1, 1, 1}) + ar(2, 3).view({1, 2, 1, 1}) +
                    ar(3, 1).view({1, 1, 3, 1}) + ar(c, 100).view({1, 1, 1, c});
  return v.to(torch::kUInt8).contiguous();
}

Sample sample(const torch::Tensor& array, const std::string& modality, Value frame_inds) {
  Sample s;
  s.info.set("modality", Value(modality));
  s.info.set("frame_inds", std::move(frame_inds));
  s.set_tensor("array", array);
  return s;
}

TEST(ArrayDecode, PicksRgbFramesByIndexWithOffsetAndNegativeIndices) {
  Sample s = sample(video(5, 3), "RGB", ints({3, 0, -1}));
  s.info.set("offset", Value(1));
  array_decode()->apply(s);
  ASSERT_EQ(s.imgs.size(), 3u);
  // 3 + 1 = 4, 0 + 1 = 1, -1 + 1 = 0.
  const int want[] = {4, 1, 0};
  for (size_t i = 0; i < 3; ++i) {
    ASSERT_EQ(s.imgs[i].type(), CV_8UC3);
    EXPECT_EQ(s.imgs[i].at<cv::Vec3b>(1, 2),
              cv::Vec3b(10 * want[i] + 5, 10 * want[i] + 105, 10 * want[i] + 205));
  }
  EXPECT_EQ(s.info.at("img_shape"), Value::tuple({Value(2), Value(3)}));
  EXPECT_EQ(s.info.at("original_shape"), Value::tuple({Value(2), Value(3)}));
}

TEST(ArrayDecode, FramesAreCopiesAndTwoDimensionalIndicesAreSqueezed) {
  torch::Tensor array = video(2, 3);
  Sample s = sample(array, "RGB", Value::list({ints({1, 1})}));
  array_decode()->apply(s);
  ASSERT_EQ(s.imgs.size(), 2u);
  EXPECT_EQ(s.info.at("frame_inds"), ints({1, 1}));
  s.imgs[0].setTo(cv::Scalar(0, 0, 0));
  EXPECT_EQ(array[1][0][0][0].item<int>(), 10);
  EXPECT_EQ(s.imgs[1].at<cv::Vec3b>(0, 0)[0], 10);
}

TEST(ArrayDecode, SplitsFlowIntoXAndYImages) {
  Sample s = sample(video(3, 2), "Flow", ints({2, 0}));
  array_decode()->apply(s);
  ASSERT_EQ(s.imgs.size(), 4u);
  const int want[] = {20, 120, 0, 100};  // frame 2's x, y; frame 0's x, y at pixel (0, 0)
  for (size_t i = 0; i < 4; ++i) {
    ASSERT_EQ(s.imgs[i].type(), CV_8UC1);
    EXPECT_EQ(s.imgs[i].at<uint8_t>(0, 0), want[i]) << i;
    EXPECT_EQ(s.imgs[i].at<uint8_t>(1, 2), want[i] + 5) << i;
  }
}

TEST(ArrayDecode, ErrorsNameWhatIsWrong) {
  auto error = [](Sample s) { return test::error_of([&] { array_decode()->apply(s); }); };
  EXPECT_NE(error(sample(video(4, 3), "RGB", ints({4})))
                .find("index 4 is out of bounds for an "
                      "array of 4 frames"),
            std::string::npos);
  EXPECT_NE(error(sample(video(4, 3), "RGB", ints({-5}))).find("index -5"), std::string::npos);
  EXPECT_NE(error(sample(video(2, 3).to(torch::kFloat), "RGB", ints({0}))).find("must be uint8"),
            std::string::npos);
  EXPECT_NE(error(sample(video(2, 3), "Audio", ints({0}))).find("modality 'Audio'"),
            std::string::npos);
  EXPECT_NE(error(sample(video(2, 1), "Flow", ints({0}))).find("needs 2 channels"),
            std::string::npos);
  EXPECT_NE(error(sample(video(2, 3), "RGB", ints({}))).find("no frames"), std::string::npos);
  Sample no_array;
  no_array.info.set("modality", Value("RGB"));
  no_array.info.set("frame_inds", ints({0}));
  EXPECT_NE(error(no_array).find("the sample has no 'array'"), std::string::npos);
  Dict args;
  args.set("type", Value("ArrayDecode"));
  args.set("io_backend", Value("disk"));
  EXPECT_THROW(PIPELINES().build(Value(args), BuildContext("pipeline[1]")), ConfigError);
}

TEST(ArrayInferencePipeline, ReplacesDecodersAndDropsInits) {
  const Dict cfg = load_config_text(R"(
data = dict(test=dict(pipeline=[
    dict(type='DecordInit', num_threads=1),
    dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=2, test_mode=True),
    dict(type='DecordDecode'),
    dict(type='CenterCrop', crop_size=2)]))
)",
                                    "/tmp/array_pipeline.py");
  const List steps = array_inference_pipeline(cfg).as_list();
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[0].as_dict().at("type").as_str(), "SampleFrames");
  EXPECT_EQ(steps[1].as_dict().at("type").as_str(), "ArrayDecode");
  EXPECT_EQ(steps[1].as_dict().size(), 1u);
  EXPECT_EQ(steps[2].as_dict().at("type").as_str(), "CenterCrop");
  // A whole video through it: frames 1 and 3 of 4 (SampleFrames' test-mode centres).
  const Batch batch = inference_batch(load_config_text(R"(
data = dict(test=dict(pipeline=[
    dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=2, test_mode=True),
    dict(type='OpenCVDecode'),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='Collect', keys=['imgs', 'label'], meta_keys=[]),
    dict(type='ToTensor', keys=['imgs'])]))
)",
                                                       "/tmp/array_batch.py"),
                                      video(4, 3));
  const torch::Tensor imgs = batch.at("imgs");
  ASSERT_EQ(imgs.sizes(), torch::IntArrayRef({1, 2, 3, 2, 3}));  // [N, frames, C, H, W]
  EXPECT_EQ(imgs[0][0][0][0][0].item<int>(), 10);
  EXPECT_EQ(imgs[0][1][0][0][0].item<int>(), 30);
  EXPECT_EQ(batch.at("label").item<int64_t>(), -1);
}

}  // namespace
}  // namespace tubelet::array_decode_test
