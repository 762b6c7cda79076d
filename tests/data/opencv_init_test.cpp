// Needs TUBELET_WITH_MEDIA
// OpenCVInit takes MMAction2's **kwargs where they do nothing: num_threads=1, which MMAction2's
// own tsn_r50_video_inference config passes. That config's test pipeline builds as `tubelet
// test` and `dump-pipeline` build it, and its first steps open and decode a video.
#include <gtest/gtest.h>

#include <cstdlib>

#include "support/paths.h"
#include "tubelet/config/config.h"
#include "tubelet/data/transform.h"

namespace tubelet::opencv_init_test {
namespace {

const char* kConfig =
    "configs/recognition/tsn/tsn_r50_video_inference_1x1x3_100e_kinetics400_rgb.py";

TEST(OpenCVInit, AcceptsNumThreadsAsMmaction2sInferenceConfigPassesIt) {
  const Dict cfg = load_config((test::source_dir() / kConfig).string());
  const Value& pipeline = cfg.at("data").as_dict().at("test").as_dict().at("pipeline");
  ASSERT_EQ(pipeline.as_list()[0].as_dict().at("num_threads"), Value(1));
  const Compose compose(pipeline, "data.test.pipeline");
  ASSERT_EQ(compose.steps().front()->type(), "OpenCVInit");

  if (std::system("ffmpeg -version > /dev/null 2>&1") != 0)
    GTEST_SKIP() << "the ffmpeg command is not installed: the built steps are not run";
  test::TempDir dir;
  const std::string video = (dir.path() / "clip.mp4").string();
  const std::string cmd =
      "ffmpeg -v error -y -f lavfi -i testsrc=size=64x48:rate=25 -frames:v 30 "
      "-c:v mpeg4 '" +
      video + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  Sample s;
  s.info.set("filename", Value(video));
  s.info.set("label", Value(-1));
  s.info.set("start_index", Value(0));
  s.info.set("modality", Value("RGB"));
  for (size_t i = 0; i < 3; ++i) compose.steps()[i]->apply(s);  // Init, SampleFrames, Decode
  EXPECT_EQ(s.info.at("total_frames"), Value(30));
  EXPECT_EQ(s.imgs.size(), 25u);
  EXPECT_EQ(s.info.at("img_shape"), Value::tuple({Value(48), Value(64)}));
}

TEST(OpenCVInit, OtherBackendsAndArgumentsAreStillErrors) {
  auto build = [](const std::string& key, Value v) {
    Dict args;
    args.set("type", Value("OpenCVInit"));
    args.set(key, std::move(v));
    return test::error_of(
        [&] { PIPELINES().build(Value(args), BuildContext("data.test.pipeline[0]")); });
  };
  EXPECT_EQ(build("num_threads", Value(4)), "no error");
  EXPECT_NE(build("io_backend", Value("petrel")).find("only 'disk'"), std::string::npos);
  EXPECT_NE(build("nosuch", Value(1)).find("nosuch"), std::string::npos);
}

}  // namespace
}  // namespace tubelet::opencv_init_test
