// Shared by the tests of the ResNet3d families: fixtures written by
// tools/fixtures/make_3d_model_fixtures.py from MMAction2's own source, and comparisons.
#pragma once

#include <gtest/gtest.h>

#include <torch/torch.h>

#include <string>
#include <vector>

#include "support/paths.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"
#include "tubelet/models/builder.h"

namespace tubelet::test3d {

inline std::shared_ptr<torch::nn::Module> build(const std::string& model_text) {
  return build_model(
      load_config_text("model = " + model_text + "\n", "/tmp/model_3d.py").at("model"));
}

inline checkpoint::Checkpoint fixture(const std::string& name) {
  return checkpoint::load_checkpoint(
      (test::source_dir() / "tests/fixtures/models_3d" / (name + ".pth")).string());
}

inline torch::Tensor entry(const checkpoint::Checkpoint& c, const char* key) {
  return c.raw.root->get(key)->tensor;
}

// Equal within 1e-4 of the reference's largest magnitude.
inline void expect_close(const torch::Tensor& ours, const torch::Tensor& ref,
                         const std::string& what) {
  ASSERT_EQ(ours.sizes(), ref.sizes()) << what;
  double scale = std::max(ref.abs().max().item<double>(), 1e-6);
  double diff = (ours - ref).abs().max().item<double>();
  EXPECT_LE(diff, 1e-4 * scale) << what << ": max |diff| " << diff << ", max |ref| " << scale;
}

// The reference's state_dict (MMAction2's order and shapes) against the module's: the same
// keys, shapes, and the parameters in the same order.
inline void expect_same_state_dict_layout(torch::nn::Module& module,
                                          const checkpoint::StateDict& ref) {
  auto params = module.named_parameters();
  auto buffers = module.named_buffers();
  std::vector<std::string> ref_params;
  for (const auto& item : ref) {
    const torch::Tensor* ours = params.find(item.key());
    if (!ours) ours = buffers.find(item.key());
    if (!ours) {
      ADD_FAILURE() << "missing key " << item.key();
      continue;
    }
    EXPECT_EQ(ours->sizes(), item.value().sizes()) << item.key();
    if (params.find(item.key())) ref_params.push_back(item.key());
  }
  EXPECT_EQ(params.size() + buffers.size(), ref.size());
  EXPECT_EQ(params.keys(), ref_params);
}

// Keys and shapes of MMAction2's full-size model `name` (full_size_keys.json) against the
// module's state_dict.
inline void expect_full_size_keys(torch::nn::Module& module, const std::string& name) {
  auto file = test::source_dir() / "tests/fixtures/models_3d/full_size_keys.json";
  Value all = from_json(test::read_text(file), file.string());
  const List& expected = all.as_dict().at(name).as_list();
  checkpoint::StateDict ref;
  for (const Value& row : expected) {
    std::vector<int64_t> shape;
    for (const Value& d : row.as_list()[1].as_list()) shape.push_back(d.as_int());
    ref.insert(row.as_list()[0].as_str(), torch::empty(shape));
  }
  expect_same_state_dict_layout(module, ref);
}

}  // namespace tubelet::test3d
