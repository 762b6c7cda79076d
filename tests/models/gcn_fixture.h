// Reading tests/fixtures/gcn (tools/fixtures/make_gcn_fixtures.py): MMAction2's skeleton GCN
// modules run on weights and inputs from formulas both sides compute.
#pragma once

#include <gtest/gtest.h>

#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <string>

#include "formula_fixture.h"
#include "support/paths.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/dump.h"
#include "tubelet/models/builder.h"

namespace tubelet::test {

inline std::filesystem::path gcn_fixture(const std::string& file) {
  return source_dir() / "tests/fixtures/gcn" / file;
}

// Parsed keeping the order of object keys (log_vars, model dicts), unlike nlohmann::json.
using ojson = nlohmann::ordered_json;

inline ojson read_ojson(const std::string& file) {
  return ojson::parse(read_text(gcn_fixture(file)));
}

inline const ojson& gcn_case(const std::string& name) {
  static const ojson cases = read_ojson("models.json")["cases"];
  for (const auto& c : cases)
    if (c["name"] == name) return c;
  throw std::runtime_error("no fixture case " + name);
}

// The generator's fill(): every state_dict tensor but the graph's A, from its key's rank in
// sorted order.
inline void fill_gcn(torch::nn::Module& m) {
  torch::NoGradGuard no_grad;
  int64_t k = 0;
  for (auto& [key, t] : state_of(m)) {
    double phase = 0.11 * static_cast<double>(k++) + 0.5;
    auto ends = [&](const std::string& s) {
      return key.size() >= s.size() && key.compare(key.size() - s.size(), s.size(), s) == 0;
    };
    if (ends("num_batches_tracked") || key == "A" || ends(".A")) continue;
    torch::Tensor base = wave(t.numel(), phase).view(t.sizes());
    torch::Tensor value;
    if (ends("running_var"))
      value = 1 + 0.2 * base.abs();
    else if (ends("running_mean"))
      value = 0.1 * base;
    else if (ends("bias"))
      value = 0.05 * base;
    else if (key.find("edge_importance") != std::string::npos)
      value = 1 + 0.1 * base;
    else if (ends("PA"))
      value = 0.05 * base;
    else if (t.dim() == 1)
      value = 1 + 0.1 * base;
    else
      value = base * std::sqrt(2.0 / static_cast<double>(t.numel() / t.size(0)));
    t.copy_(value.to(t.dtype()));
  }
}

// A model from a JSON dict (a case's "model", or its "args" plus `type`).
inline std::shared_ptr<torch::nn::Module> build_gcn(const ojson& cfg,
                                                    const std::string& type = "") {
  ojson c = cfg;
  if (!type.empty()) c["type"] = type;
  return build_model(from_json(c.dump(), "gcn-fixture"));
}

// The state_dict's keys and shapes, in order, against [[key, shape], ...].
inline void expect_ordered_keys(const torch::nn::Module& m, const ojson& keys) {
  checkpoint::StateDict state = checkpoint::state_dict(m);
  ASSERT_EQ(state.size(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(state[i].key(), keys[i][0].get<std::string>());
    EXPECT_EQ(state[i].value().sizes().vec(), keys[i][1].get<std::vector<int64_t>>())
        << state[i].key();
  }
}

inline torch::Tensor gcn_labels(const ojson& c) {
  return torch::tensor(c["label"].get<std::vector<int64_t>>(), torch::kLong).view({-1, 1});
}

// log_vars as the runner logs them, against the fixture's (same names, same order).
inline void expect_log_vars(const std::vector<std::pair<std::string, double>>& got,
                            const ojson& want, double tolerance) {
  ASSERT_EQ(got.size(), want.size());
  size_t i = 0;
  for (const auto& [name, value] : want.items()) {
    EXPECT_EQ(got[i].first, name);
    EXPECT_NEAR(got[i].second, value.get<double>(), tolerance) << name;
    ++i;
  }
}

inline torch::Tensor gcn_input(const ojson& shape) {
  std::vector<int64_t> s = shape.get<std::vector<int64_t>>();
  int64_t numel = 1;
  for (int64_t d : s) numel *= d;
  return wave(numel, 0.0).view(s).to(torch::kFloat);
}

// `got` against the fixture's summary: every step-th value, the sum.
inline void expect_gcn_output(const torch::Tensor& got, const ojson& want, double tolerance) {
  ASSERT_EQ(got.sizes().vec(), want["shape"].get<std::vector<int64_t>>());
  torch::Tensor flat = got.reshape({-1}).to(torch::kDouble);
  int64_t step = want["step"];
  torch::Tensor sample = flat.index({torch::indexing::Slice(0, torch::indexing::None, step)});
  torch::Tensor expected = torch::tensor(want["sample"].get<std::vector<double>>(), torch::kDouble);
  double scale = std::max(1.0, expected.abs().max().item<double>());
  EXPECT_LT((sample - expected).abs().max().item<double>(), tolerance * scale)
      << "got " << sample.slice(0, 0, 8) << "\nwant " << expected.slice(0, 0, 8);
  EXPECT_NEAR(flat.sum().item<double>(), want["sum"].get<double>(),
              tolerance * std::max(1.0, want["abs_sum"].get<double>()));
}

inline torch::Tensor gcn_matrix(const ojson& rows) {
  std::vector<torch::Tensor> out;
  for (const auto& r : rows)
    out.push_back(torch::tensor(r.get<std::vector<double>>(), torch::kDouble));
  return torch::stack(out);
}

}  // namespace tubelet::test
