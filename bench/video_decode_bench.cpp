// What frame-exact random access saves: 8 frames (TSN/I3D-style, spread over the video) from a
// long video, against decoding the whole video to RGB frames (what a decoder without seeking,
// like MMAction2's PyAVDecode up to its last index, has to do).
// Run: build/bin/video_decode_bench [--video=PATH]. Default: two 60 s 340x256 H.264 clips at
// 30 fps (1800 frames), /0 with x264's default GOP (key frames up to 250 apart), /1 with a key
// frame every 32, encoded into the temp dir with the ffmpeg command. With --video, both runs
// use that file.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "tubelet/data/ffmpeg_video_reader.h"

namespace {

std::string g_video[2];

std::vector<int64_t> eight_of(int64_t n) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < 8; ++i) out.push_back((2 * i + 1) * n / 16);  // centred, as test mode
  return out;
}

void BM_Open(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(tubelet::FFmpegVideoReader(g_video[state.range(0)]).num_frames());
}
BENCHMARK(BM_Open)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_EightFrames(benchmark::State& state) {
  int64_t packets = 0;
  for (auto _ : state) {
    tubelet::FFmpegVideoReader reader(g_video[state.range(0)]);
    benchmark::DoNotOptimize(reader.frames(eight_of(reader.num_frames())));
    packets = reader.packets_decoded();
  }
  state.counters["packets_decoded"] = static_cast<double>(packets);
}
BENCHMARK(BM_EightFrames)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_WholeVideo(benchmark::State& state) {
  int64_t packets = 0;
  for (auto _ : state) {
    tubelet::FFmpegVideoReader reader(g_video[state.range(0)]);
    std::vector<int64_t> all;
    for (int64_t i = 0; i < reader.num_frames(); ++i) all.push_back(i);
    benchmark::DoNotOptimize(reader.frames(all));
    packets = reader.packets_decoded();
  }
  state.counters["packets_decoded"] = static_cast<double>(packets);
}
BENCHMARK(BM_WholeVideo)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::filesystem::path> made;
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]).rfind("--video=", 0) == 0)
      g_video[0] = g_video[1] = std::string(argv[i]).substr(8);
  for (int k = 0; k < 2 && g_video[0].empty(); ++k) {
    made.push_back(std::filesystem::temp_directory_path() /
                   ("tubelet_video_decode_bench_" + std::to_string(k) + ".mp4"));
    const std::string cmd =
        "ffmpeg -v error -y -f lavfi -i testsrc2=size=340x256:rate=30 -frames:v 1800 -c:v "
        "libx264 " +
        std::string(k == 0 ? "" : "-g 32 ") + "-pix_fmt yuv420p '" + made.back().string() + "'";
    if (std::system(cmd.c_str()) != 0) {
      std::fprintf(stderr, "cannot encode the test video (is ffmpeg installed?): %s\n",
                   cmd.c_str());
      return 1;
    }
  }
  for (size_t k = 0; k < made.size(); ++k) g_video[k] = made[k].string();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  for (const auto& p : made) std::filesystem::remove(p);
  return 0;
}
