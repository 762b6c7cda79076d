// What frame-exact random access saves: 8 frames (TSN/I3D-style, spread over the video) from a
// long video, against decoding the whole video to RGB frames (what a decoder without seeking,
// like MMAction2's PyAVDecode up to its last index, has to do).
// Run: build/bin/video_decode_bench [--video=PATH]  (default: a 60 s 340x256 H.264 clip at
// 30 fps with x264's default GOP, encoded once into the temp dir with the ffmpeg command).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "tubelet/data/ffmpeg_video_reader.h"

namespace {

std::string g_video;

std::vector<int64_t> eight_of(int64_t n) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < 8; ++i) out.push_back((2 * i + 1) * n / 16);  // centred, as test mode
  return out;
}

void BM_Open(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(tubelet::FFmpegVideoReader(g_video).num_frames());
}
BENCHMARK(BM_Open)->Unit(benchmark::kMillisecond);

void BM_EightFrames(benchmark::State& state) {
  int64_t packets = 0;
  for (auto _ : state) {
    tubelet::FFmpegVideoReader reader(g_video);
    benchmark::DoNotOptimize(reader.frames(eight_of(reader.num_frames())));
    packets = reader.packets_decoded();
  }
  state.counters["packets_decoded"] = static_cast<double>(packets);
}
BENCHMARK(BM_EightFrames)->Unit(benchmark::kMillisecond);

void BM_WholeVideo(benchmark::State& state) {
  int64_t packets = 0;
  for (auto _ : state) {
    tubelet::FFmpegVideoReader reader(g_video);
    std::vector<int64_t> all;
    for (int64_t i = 0; i < reader.num_frames(); ++i) all.push_back(i);
    benchmark::DoNotOptimize(reader.frames(all));
    packets = reader.packets_decoded();
  }
  state.counters["packets_decoded"] = static_cast<double>(packets);
}
BENCHMARK(BM_WholeVideo)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path made;
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]).rfind("--video=", 0) == 0) g_video = std::string(argv[i]).substr(8);
  if (g_video.empty()) {
    made = std::filesystem::temp_directory_path() / "tubelet_video_decode_bench.mp4";
    const std::string cmd =
        "ffmpeg -v error -y -f lavfi -i testsrc2=size=340x256:rate=30 -frames:v 1800 -c:v libx264 "
        "-pix_fmt yuv420p '" +
        made.string() + "'";
    if (std::system(cmd.c_str()) != 0) {
      std::fprintf(stderr, "cannot encode the test video (is ffmpeg installed?): %s\n",
                   cmd.c_str());
      return 1;
    }
    g_video = made.string();
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (!made.empty()) std::filesystem::remove(made);
  return 0;
}
