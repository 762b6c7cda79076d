// How long loading a config takes: evaluation, _base_ merging and JSON output of the configs
// under configs/. Run: build/bin/config_load_bench
#include <benchmark/benchmark.h>

#include <filesystem>

#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"

namespace {

const std::string kTsn = std::string(TUBELET_SOURCE_DIR) +
                         "/configs/recognition/tsn/tsn_r50_1x1x3_100e_kinetics400_rgb.py";

void BM_LoadTsnConfig(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(tubelet::load_config(kTsn));
}
BENCHMARK(BM_LoadTsnConfig)->Unit(benchmark::kMicrosecond);

void BM_LoadEveryConfig(benchmark::State& state) {
  std::vector<std::string> files;
  for (const auto& e :
       std::filesystem::recursive_directory_iterator(std::string(TUBELET_SOURCE_DIR) + "/configs"))
    if (e.path().extension() == ".py") files.push_back(e.path().string());
  for (auto _ : state)
    for (const std::string& f : files) benchmark::DoNotOptimize(tubelet::load_config(f));
  state.counters["configs"] = static_cast<double>(files.size());
}
BENCHMARK(BM_LoadEveryConfig)->Unit(benchmark::kMillisecond);

void BM_TsnConfigToJson(benchmark::State& state) {
  tubelet::Value cfg(tubelet::load_config(kTsn));
  for (auto _ : state) benchmark::DoNotOptimize(tubelet::to_json(cfg));
}
BENCHMARK(BM_TsnConfigToJson)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
