// Needs TUBELET_WITH_MEDIA
// `tubelet build-audio-features` through the built command, as build_audio_features.py is
// used: the glob by --level and --ext, sorted files split by --part, outputs that exist
// skipped, a file that fails reported by path while the rest go on (exit status 1), the
// output read back by LoadAudioFeature and compared with AudioTools' own spectrogram
// (tests/fixtures/raw_audio), and an output folder that cannot be made.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "cli/command_support.h"
#include "support/ffmpeg_process.h"
#include "support/paths.h"
#include "tubelet/config/config.h"
#include "tubelet/data/localization/feature_files.h"
#include "tubelet/data/transform.h"

namespace tubelet::build_audio_features_command_test {
namespace {

namespace fs = std::filesystem;

fs::path fixtures() {
  return test::source_dir() / "tests/fixtures/raw_audio";
}

// home/a/clip1.m4a (the fixture), home/b/clip2.m4a and home/b/clip3.m4a (tones made here),
// home/b/broken.m4a (not audio), home/top.m4a (one level up), home/b/clip4.wav (another ext).
void make_tree(const fs::path& home) {
  fs::create_directories(home / "a");
  fs::create_directories(home / "b");
  fs::copy_file(fixtures() / "stereo44k.m4a", home / "a/clip1.m4a");
  for (const auto& [name, freq] : {std::pair{"b/clip2.m4a", 700},
                                   {"b/clip3.m4a", 1500},
                                   {"top.m4a", 300},
                                   {"b/clip4.wav", 900}}) {
    const std::string cmd =
        "ffmpeg -nostdin -v error -y -f lavfi -i 'sine=frequency=" + std::to_string(freq) +
        ":sample_rate=22050:duration=0.5' " + test::shell_quote((home / name).string());
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  std::ofstream(home / "b/broken.m4a") << std::string(2000, 'x');
}

std::string args(const fs::path& home, const fs::path& out, const std::string& extra) {
  return "build-audio-features " + test::shell_quote(home.string()) + " " +
         test::shell_quote(out.string()) + " " + extra;
}

TEST(BuildAudioFeaturesCommand, WritesSpectrogramsAndReportsFailures) {
  TUBELET_REQUIRE_COMMAND();
  TUBELET_REQUIRE_FFMPEG();
  test::TempDir dir;
  const fs::path home = dir.path() / "audios", out = dir.path() / "features";
  make_tree(home);
  auto r = test::run_tubelet(args(home, out, "--level 2 --num-workers 2"), dir.path(), "all");
  // broken.m4a fails; the others are written all the same.
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("found 4 files."), std::string::npos) << r.out;
  const std::string broken = (home / "b/broken.m4a").string();
  EXPECT_NE(r.err.find("Read audio [" + broken + "] failed: audio '" + broken + "'"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("1 of 4 audio files failed:\n  " + broken), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("4/4, "), std::string::npos) << "no progress bar: " << r.err;
  for (const char* name : {"clip1.npy", "clip2.npy", "clip3.npy"})
    EXPECT_TRUE(fs::exists(out / name)) << name;
  EXPECT_FALSE(fs::exists(out / "broken.npy"));
  EXPECT_FALSE(fs::exists(out / "top.npy"));    // level 1: not matched by --level 2
  EXPECT_FALSE(fs::exists(out / "clip4.npy"));  // another extension

  // The fixture's file gives AudioTools' spectrogram (the tolerance of
  // tests/data/raw_audio_test.cpp: resampling differs near the cut-off).
  const torch::Tensor ours = load_npy((out / "clip1.npy").string());
  const torch::Tensor ref = load_npy((fixtures() / "stereo44k.m4a.feature.npy").string());
  ASSERT_EQ(ours.sizes(), ref.sizes());
  EXPECT_EQ(ours.dtype(), torch::kFloat32);
  EXPECT_LT((ours - ref).abs().max().item<double>(), 1e-2);

  // LoadAudioFeature reads it: [frames, 80], length set.
  Sample s;
  s.info.set("audio_path", Value((out / "clip2.npy").string()));
  Compose(load_config_text("p = [dict(type='LoadAudioFeature')]\n", "/tmp/p.py").at("p"),
          "pipeline")
      .apply(s);
  EXPECT_EQ(s.tensor("audios")->size(1), 80);
  EXPECT_EQ(s.info.at("length").as_int(), s.tensor("audios")->size(0));
  EXPECT_GE(s.info.at("length").as_int(), 32);  // 0.5 s at 16 kHz: 8000 / 256 + 2 frames

  // Again, the broken file gone: what exists is skipped, and the command succeeds.
  fs::remove(home / "b/broken.m4a");
  const auto before = fs::last_write_time(out / "clip1.npy");
  r = test::run_tubelet(args(home, out, "--level 2"), dir.path(), "again");
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("wrote 0 spectrograms"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(3 existed, 0 failed)"), std::string::npos) << r.out;
  EXPECT_EQ(fs::last_write_time(out / "clip1.npy"), before);

  // --ext wav at level 2, and the default level 1.
  r = test::run_tubelet(args(home, out, "--level 2 --ext wav"), dir.path(), "wav");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::exists(out / "clip4.npy"));
  r = test::run_tubelet(args(home, out, ""), dir.path(), "level1");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("found 1 files."), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(out / "top.npy"));
}

TEST(BuildAudioFeaturesCommand, PartsSplitTheSortedFiles) {
  TUBELET_REQUIRE_COMMAND();
  TUBELET_REQUIRE_FFMPEG();
  test::TempDir dir;
  const fs::path home = dir.path() / "audios";
  make_tree(home);
  fs::remove(home / "b/broken.m4a");
  // Sorted: a/clip1, b/clip2, b/clip3; 3 // 2 = 1 file in part 1, the rest in the last part.
  auto first =
      test::run_tubelet(args(home, dir.path() / "p1", "--level 2 --part 1/2"), dir.path(), "p1");
  auto last =
      test::run_tubelet(args(home, dir.path() / "p2", "--level 2 --part 2/2"), dir.path(), "p2");
  EXPECT_EQ(first.status, 0) << first.err;
  EXPECT_EQ(last.status, 0) << last.err;
  EXPECT_TRUE(fs::exists(dir.path() / "p1/clip1.npy"));
  EXPECT_FALSE(fs::exists(dir.path() / "p1/clip2.npy"));
  EXPECT_TRUE(fs::exists(dir.path() / "p2/clip2.npy"));
  EXPECT_TRUE(fs::exists(dir.path() / "p2/clip3.npy"));
  EXPECT_FALSE(fs::exists(dir.path() / "p2/clip1.npy"));
  auto bad = test::run_tubelet(args(home, dir.path() / "p3", "--part 3/2"), dir.path(), "bad");
  EXPECT_NE(bad.status, 0);
  EXPECT_NE(bad.err.find("--part must be I/N with 1 <= I <= N, got '3/2'"), std::string::npos)
      << bad.err;
}

TEST(BuildAudioFeaturesCommand, UnusableOutputFolder) {
  TUBELET_REQUIRE_COMMAND();
  TUBELET_REQUIRE_FFMPEG();
  test::TempDir dir;
  const fs::path home = dir.path() / "audios";
  make_tree(home);
  // A file where the output folder should be (root ignores permissions; this it cannot).
  const fs::path blocked = dir.write("blocked", "not a folder");
  auto r = test::run_tubelet(args(home, blocked / "features", "--level 2"), dir.path(), "blocked");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("spectrogram_save_path '" + (blocked / "features").string() +
                       "' cannot be made a folder"),
            std::string::npos)
      << r.err;
  r = test::run_tubelet(args(home, blocked, "--level 2"), dir.path(), "file");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("spectrogram_save_path '" + blocked.string() + "'"), std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace tubelet::build_audio_features_command_test
