// Shared by the localizer tests: fixtures written by tools/fixtures/make_localizer_fixtures.py
// from MMAction2 0.24.1's own localizer and loss source, and comparisons.
#pragma once

#include <gtest/gtest.h>

#include <torch/torch.h>

#include <string>

#include "support/paths.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/config.h"
#include "tubelet/data/batch.h"
#include "tubelet/models/builder.h"

namespace tubelet::test_localizers {

inline std::shared_ptr<torch::nn::Module> build(const std::string& model_text) {
  return build_model(
      load_config_text("model = " + model_text + "\n", "/tmp/localizer.py").at("model"));
}

template <class T>
std::shared_ptr<T> build_as(const std::string& model_text) {
  auto model = std::dynamic_pointer_cast<T>(build(model_text));
  if (!model) throw std::runtime_error("built the wrong class for " + model_text);
  return model;
}

inline checkpoint::Checkpoint fixture(const std::string& name) {
  return checkpoint::load_checkpoint(
      (test::source_dir() / "tests/fixtures/localizers" / (name + ".pth")).string());
}

inline torch::Tensor entry(const checkpoint::Checkpoint& c, const std::string& key) {
  const checkpoint::PyObject* o = c.raw.root->get(key);
  if (!o || !o->is(checkpoint::PyObject::Kind::Tensor))
    throw std::runtime_error("fixture has no tensor '" + key + "'");
  return o->tensor;
}

inline double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  EXPECT_EQ(a.sizes(), b.sizes());
  if (!a.sizes().equals(b.sizes())) return INFINITY;
  return (a.detach().to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

inline void expect_close(const torch::Tensor& ours, const torch::Tensor& ref,
                         const std::string& what, double tol = 1e-5) {
  double scale = std::max(ref.abs().max().item<double>(), 1.0);
  double diff = max_abs_diff(ours, ref);
  EXPECT_LE(diff, tol * scale) << what << ": max |diff| " << diff;
}

// Loads the fixture's weights (strict: the same keys and shapes as MMAction2's).
inline void load_weights(torch::nn::Module& model, const checkpoint::Checkpoint& c) {
  auto report = checkpoint::load_state_dict(model, c.state_dict, /*strict=*/true);
  EXPECT_TRUE(report.ok()) << report.message();
  auto ours = checkpoint::state_dict(model);
  ASSERT_EQ(ours.size(), c.state_dict.size());
  for (size_t i = 0; i < ours.size(); ++i) EXPECT_EQ(ours[i].key(), c.state_dict[i].key());
}

// Every parameter's gradient against the fixture's "grad.<name>".
inline void expect_gradients(torch::nn::Module& model, const checkpoint::Checkpoint& c,
                             double tol = 1e-4) {
  for (const auto& p : model.named_parameters()) {
    if (!p.value().requires_grad()) continue;
    ASSERT_TRUE(p.value().grad().defined()) << p.key();
    expect_close(p.value().grad(), entry(c, "grad." + p.key()), "grad of " + p.key(), tol);
  }
}

// The fixture's video_meta (VIDEO_META of the generator).
inline Dict tiny_video_meta() {
  Dict meta;
  meta.set("video_name", Value("v_tiny"));
  meta.set("duration_second", Value(12.5));
  meta.set("duration_frame", Value(int64_t{300}));
  meta.set("feature_frame", Value(int64_t{288}));
  return meta;
}

// A proposal_list as [n, 3] rows (segment start, end, score), as the fixtures store it.
inline torch::Tensor proposal_rows(const List& proposal_list) {
  std::vector<double> flat;
  for (const Value& p : proposal_list) {
    const List& segment = p.as_dict().at("segment").as_list();
    flat.push_back(segment[0].as_float());
    flat.push_back(segment[1].as_float());
    flat.push_back(p.as_dict().at("score").as_float());
  }
  return torch::tensor(flat, torch::kDouble).reshape({-1, 3});
}

}  // namespace tubelet::test_localizers
