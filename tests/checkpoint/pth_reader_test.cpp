// Reading .pth files written by Python's torch.save (fixtures from
// tools/fixtures/make_checkpoint_fixtures.py), in both formats.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/paths.h"
#include "tubelet/checkpoint/pth.h"

namespace tubelet::checkpoint::pth_reader_test {
namespace {

using Kind = PyObject::Kind;
using test::source_dir;

std::filesystem::path fixture(const std::string& name) {
  return source_dir() / "tests/fixtures/checkpoint" / name;
}

nlohmann::json expected() {
  return nlohmann::json::parse(test::read_text(fixture("expected.json")));
}

// Compares a tensor with the fixture's description: dtype, shape and every value.
void expect_tensor(const torch::Tensor& t, const nlohmann::json& want, const std::string& name) {
  SCOPED_TRACE(name);
  std::string dtype = c10::toString(t.scalar_type());
  static const std::map<std::string, std::string> py = {
      {"Float", "float32"}, {"Double", "float64"}, {"Long", "int64"},  {"Int", "int32"},
      {"Byte", "uint8"},    {"Bool", "bool"},      {"Half", "float16"}};
  EXPECT_EQ(py.at(dtype), want["dtype"].get<std::string>());
  EXPECT_EQ(t.sizes().vec(), want["shape"].get<std::vector<int64_t>>());
  torch::Tensor flat = t.to(torch::kDouble).flatten();
  auto values = want["values"].get<std::vector<double>>();
  ASSERT_EQ(flat.numel(), static_cast<int64_t>(values.size()));
  for (size_t k = 0; k < values.size(); ++k) EXPECT_EQ(flat[k].item<double>(), values[k]) << k;
}

class PthFormats : public ::testing::TestWithParam<std::string> {};

TEST_P(PthFormats, ReadsEveryDtypeAndViewsSharingAStorage) {
  Pickle p = read_pth(fixture("tensors_" + GetParam() + ".pth").string());
  ASSERT_TRUE(p.root && p.root->is(Kind::Dict));
  auto want = expected()["tensors"];
  ASSERT_EQ(p.root->entries.size(), want.size());
  for (auto& [name, desc] : want.items()) {
    const PyObject* t = p.root->get(name);
    ASSERT_TRUE(t && t->is(Kind::Tensor)) << name;
    expect_tensor(t->tensor, desc, name);
  }
  // The transposed view is a view: same storage as `base`, not contiguous.
  const torch::Tensor& base = p.root->get("base")->tensor;
  const torch::Tensor& view = p.root->get("view_t")->tensor;
  EXPECT_FALSE(view.is_contiguous());
  EXPECT_EQ(view.storage().data(), base.storage().data());
}

TEST_P(PthFormats, ReadsAnMmcvCheckpointWithNumpyAndPythonObjectsInMeta) {
  Pickle p = read_pth(fixture("mmcv_" + GetParam() + ".pth").string());
  const PyObject* meta = p.root->get("meta");
  ASSERT_TRUE(meta && meta->is(Kind::Dict));
  EXPECT_TRUE(meta->get("epoch")->is(Kind::Int));
  EXPECT_EQ(meta->get("epoch")->i, 12);
  EXPECT_EQ(meta->get("iter")->i, 3456);
  EXPECT_EQ(meta->get("lr")->f, 0.01);
  EXPECT_EQ(meta->get("score")->f, 0.75);
  EXPECT_TRUE(meta->get("flag")->is(Kind::Bool));
  EXPECT_EQ(meta->get("raw")->s, std::string("\x00\xff"
                                             "bytes",
                                             7));
  EXPECT_TRUE(meta->get("array")->is(Kind::Object));  // numpy arrays stay opaque
  EXPECT_TRUE(meta->get("when")->is(Kind::Object));
  EXPECT_TRUE(meta->get("set")->is(Kind::Set));
}

INSTANTIATE_TEST_SUITE_P(Checkpoint, PthFormats, ::testing::Values("zip", "legacy"));

// Every .pth of ../shared/golden/forward (real MMAction2 models) loads, with the state_dict
// keys, shapes and dtypes its .json lists.
TEST(CheckpointGolden, ForwardCheckpointsHaveTheListedStateDict) {
  TUBELET_REQUIRE_SHARED();
  auto dir = test::shared_dir() / "golden/forward";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".pth") continue;
    SCOPED_TRACE(entry.path().string());
    ++files;
    Pickle p = read_pth(entry.path().string());
    auto json = nlohmann::json::parse(
        test::read_text(std::filesystem::path(entry.path()).replace_extension(".json")));
    const PyObject* sd = p.root->get("state_dict");
    ASSERT_TRUE(sd && sd->is(Kind::Dict));
    ASSERT_EQ(sd->entries.size(), json["state_dict_keys"].size());
    size_t k = 0;
    for (const auto& item : json["state_dict_keys"]) {
      const auto& [key, value] = sd->entries[k++];
      EXPECT_EQ(key->s, item[0].get<std::string>());
      ASSERT_TRUE(value->is(Kind::Tensor));
      EXPECT_EQ(value->tensor.sizes().vec(), item[1].get<std::vector<int64_t>>());
      EXPECT_EQ(std::string("torch.") +
                    (value->tensor.scalar_type() == c10::kFloat ? "float32" : "int64"),
                item[2].get<std::string>());
    }
  }
  EXPECT_GT(files, 0);
}

}  // namespace
}  // namespace tubelet::checkpoint::pth_reader_test
