// Shared by the tests whose fixtures come from tools/fixtures/make_tsm_fixtures.py and
// make_tanet_tin_fixtures.py: weights and inputs from a formula both sides compute (so the
// fixtures hold no weights), and comparisons with the fixtures' output samples.
#pragma once

#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "../support/paths.h"

namespace tubelet::test {

using nlohmann::json;

inline json formula_cases(const std::string& file) {
  return json::parse(read_text(source_dir() / "tests/fixtures/models_tsm" / file))["cases"];
}

inline const json& case_named(const json& cases, const std::string& name) {
  for (const auto& c : cases)
    if (c["name"] == name) return c;
  throw std::runtime_error("no fixture case " + name);
}

inline std::map<std::string, torch::Tensor> state_of(torch::nn::Module& m) {
  std::map<std::string, torch::Tensor> state;
  for (const auto& p : m.named_parameters()) state[p.key()] = p.value();
  for (const auto& b : m.named_buffers()) state[b.key()] = b.value();
  return state;
}

inline torch::Tensor wave(int64_t numel, double phase) {
  return torch::sin(0.37 * torch::arange(numel, torch::kDouble) + phase);
}

// The generator's fill(): each tensor from its key's rank in sorted order.
inline void fill(torch::nn::Module& m) {
  torch::NoGradGuard no_grad;
  int64_t k = 0;
  for (auto& [key, t] : state_of(m)) {
    double phase = 0.11 * static_cast<double>(k++) + 0.5;
    auto ends = [&](const std::string& s) {
      return key.size() >= s.size() && key.compare(key.size() - s.size(), s.size(), s) == 0;
    };
    if (ends("num_batches_tracked")) continue;
    torch::Tensor base = wave(t.numel(), phase).view(t.sizes());
    torch::Tensor value;
    if (ends("running_var"))
      value = 1 + 0.2 * base.abs();
    else if (ends("running_mean"))
      value = 0.1 * base;
    else if (ends("bias"))
      value = 0.05 * base;
    else if (t.dim() == 1)
      value = 1 + 0.1 * base;
    else
      value = base * std::sqrt(2.0 / static_cast<double>(t.numel() / t.size(0)));
    if (key.find("conv_out") != std::string::npos && ends("weight")) value = 0.1 * value;
    t.copy_(value.to(t.dtype()));
  }
}

inline torch::Tensor input_of(const json& shape) {
  std::vector<int64_t> s = shape.get<std::vector<int64_t>>();
  int64_t numel = 1;
  for (int64_t d : s) numel *= d;
  return wave(numel, 0.0).view(s).to(torch::kFloat);
}

inline void expect_keys(torch::nn::Module& m, const json& c) {
  auto state = state_of(m);
  std::map<std::string, std::vector<int64_t>> want;
  for (const auto& kv : c["keys"]) want[kv[0]] = kv[1].get<std::vector<int64_t>>();
  std::map<std::string, std::vector<int64_t>> got;
  for (auto& [key, t] : state) got[key] = t.sizes().vec();
  EXPECT_EQ(got, want) << c["name"];
}

// `got` (minus `offset`, e.g. the input of a residual module) against the fixture's sample.
inline void expect_output(const torch::Tensor& got, const json& want, double tolerance,
                          const torch::Tensor& offset = {}) {
  ASSERT_EQ(got.sizes().vec(), want["shape"].get<std::vector<int64_t>>());
  torch::Tensor flat = got.reshape({-1}).to(torch::kDouble);
  int64_t step = want["step"];
  torch::Tensor sample = flat.index({torch::indexing::Slice(0, torch::indexing::None, step)});
  torch::Tensor expected = torch::tensor(want["sample"].get<std::vector<double>>(), torch::kDouble);
  if (offset.defined()) {
    torch::Tensor off = offset.reshape({-1})
                            .to(torch::kDouble)
                            .index({torch::indexing::Slice(0, torch::indexing::None, step)});
    sample = sample - off;
    expected = expected - off;
  }
  double scale = std::max(1.0, expected.abs().max().item<double>());
  EXPECT_LT((sample - expected).abs().max().item<double>(), tolerance * scale)
      << "got " << sample.slice(0, 0, 8) << "\nwant " << expected.slice(0, 0, 8);
  EXPECT_NEAR(flat.sum().item<double>(), want["sum"].get<double>(),
              tolerance * std::max(1.0, want["abs_sum"].get<double>()));
}

}  // namespace tubelet::test
