// Reading tests/fixtures/models_misc (tools/fixtures/make_x3d_mobilenet_fixtures.py): tiny
// models run by MMAction2's own code, and the keys of full-size zoo models.
#pragma once

#include <gtest/gtest.h>

#include <torch/torch.h>

#include <string>

#include "support/paths.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"
#include "tubelet/models/builder.h"

namespace tubelet::test {

inline std::filesystem::path models_misc(const std::string& file) {
  return source_dir() / "tests/fixtures/models_misc" / file;
}

inline std::shared_ptr<torch::nn::Module> build_from_text(const std::string& text) {
  return build_model(load_config_text("model = " + text + "\n", "/tmp/model.py").at("model"));
}

// A fixture file: its "input" and "output", and the rest (the weights) in file order.
struct ModelFixture {
  torch::Tensor input, output;
  checkpoint::StateDict weights;
};

inline ModelFixture model_fixture(const std::string& name) {
  ModelFixture f;
  for (const auto& item :
       checkpoint::load_checkpoint(models_misc(name + ".pth").string()).state_dict) {
    if (item.key() == "input")
      f.input = item.value();
    else if (item.key() == "output")
      f.output = item.value();
    else
      f.weights.insert(item.key(), item.value());
  }
  return f;
}

// Same keys, in the same order, with the same shapes.
inline void expect_same_keys(const checkpoint::StateDict& expected,
                             const checkpoint::StateDict& actual) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(actual[i].key(), expected[i].key());
    EXPECT_EQ(actual[i].value().sizes(), expected[i].value().sizes()) << expected[i].key();
  }
}

// zoo_keys.json[name]: [[key, shape], ...] of MMAction2's full-size model.
inline void expect_zoo_keys(const std::string& name, const checkpoint::StateDict& actual) {
  Value zoo = from_json(read_text(models_misc("zoo_keys.json")));
  const List& expected = zoo.as_dict().at(name).as_list();
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const List& row = expected[i].as_list();
    EXPECT_EQ(actual[i].key(), row[0].as_str());
    std::vector<int64_t> shape;
    for (const Value& d : row[1].as_list()) shape.push_back(d.as_int());
    EXPECT_EQ(actual[i].value().sizes().vec(), shape) << row[0].as_str();
  }
}

// Relative 1e-4, with an absolute floor of 1e-5 of the largest expected value.
inline void expect_close(const torch::Tensor& actual, const torch::Tensor& expected) {
  ASSERT_EQ(actual.sizes(), expected.sizes());
  double scale = expected.abs().max().item<double>();
  EXPECT_TRUE(torch::allclose(actual, expected, 1e-4, 1e-5 * scale))
      << "max difference " << (actual - expected).abs().max().item<double>() << " (scale " << scale
      << ")";
}

}  // namespace tubelet::test

namespace tubelet::test {

// The model of a zoo config as mmcv parsed it (../shared/golden/config), with the backbone's
// `pretrained` (a download) set to None.
inline Value zoo_model_without_download(const std::string& config_json) {
  auto file = shared_dir() / "golden/config" / config_json;
  Value cfg = decode_golden(from_json(read_text(file), file.string()));
  Value model = cfg.as_dict().at("model");
  Value backbone = model.as_dict().at("backbone");
  backbone.mutable_dict().set("pretrained", Value());
  model.mutable_dict().set("backbone", backbone);
  return model;
}

}  // namespace tubelet::test
