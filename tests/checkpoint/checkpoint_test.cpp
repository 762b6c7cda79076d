// mmcv-style checkpoints: loading (prefix stripping, meta, optimizer), load_state_dict's
// report and strict mode, and the writer's round trip.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/paths.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/checkpoint/pth.h"

namespace tubelet::checkpoint::checkpoint_test {
namespace {

using Kind = PyObject::Kind;

std::string fixture(const std::string& name) {
  return (test::source_dir() / "tests/fixtures/checkpoint" / name).string();
}

// The fixture's model: Sequential(conv=Conv2d(3, 4, 1), bn=BatchNorm2d(4), fc=Linear(4, fc_out)).
struct Net : torch::nn::Module {
  explicit Net(int64_t fc_out = 2) {
    register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 4, 1)));
    register_module("bn", torch::nn::BatchNorm2d(4));
    register_module("fc", torch::nn::Linear(4, fc_out));
  }
};

class MmcvFormats : public ::testing::TestWithParam<std::string> {};

TEST_P(MmcvFormats, LoadsStateDictWithoutModulePrefixMetaAndOptimizer) {
  Checkpoint c = load_checkpoint(fixture("mmcv_" + GetParam() + ".pth"));
  auto want = nlohmann::json::parse(test::read_text(fixture("expected.json")));
  ASSERT_EQ(c.state_dict.size(), want["state_dict"].size());
  EXPECT_EQ(c.state_dict[0].key(), "conv.weight");  // in the file's order
  for (auto& [name, desc] : want["state_dict"].items()) {
    ASSERT_EQ(name.rfind("module.", 0), 0u);
    auto values = desc["values"].get<std::vector<double>>();
    torch::Tensor flat = c.state_dict[name.substr(7)].to(torch::kDouble).flatten();
    for (size_t j = 0; j < values.size(); ++j) EXPECT_EQ(flat[j].item<double>(), values[j]);
  }
  // meta: numpy scalars became numbers, the config text a str; Python objects were dropped.
  const Dict& meta = c.meta.as_dict();
  EXPECT_EQ(meta.at("epoch").as_int(), 12);
  EXPECT_EQ(meta.at("iter").as_int(), 3456);
  EXPECT_EQ(meta.at("lr").as_float(), 0.01);
  EXPECT_TRUE(meta.at("flag").is_bool());
  EXPECT_EQ(meta.at("mmcv_version").as_str(), "1.7.0");
  EXPECT_NE(meta.at("config").as_str().find("Recognizer2D"), std::string::npos);
  EXPECT_EQ(repr(meta.at("env_info")),
            "{'nested': {'list': [1, 2.5, None, True, 'x'], 'tuple': (1, 'y')}}");
  EXPECT_EQ(meta.at("hook_msgs").as_dict().at("best_score").as_float(), 0.5);
  for (const char* skipped : {"array", "when", "raw", "set"})
    EXPECT_FALSE(meta.contains(skipped)) << skipped;
  // optimizer: kept raw; SGD's momentum buffers are tensors.
  ASSERT_TRUE(c.optimizer.root);
  const PyObject* groups = c.optimizer.root->get("param_groups");
  ASSERT_TRUE(groups && groups->is(Kind::List));
  EXPECT_EQ(groups->items[0]->get("momentum")->f, 0.9);
  const PyObject* state = c.optimizer.root->get("state");
  ASSERT_EQ(state->entries.size(), want["optimizer_momentum"].size());
  EXPECT_TRUE(state->entries[0].second->get("momentum_buffer")->is(Kind::Tensor));
}

TEST_P(MmcvFormats, LoadsIntoAModuleExactly) {
  Checkpoint c = load_checkpoint(fixture("mmcv_" + GetParam() + ".pth"));
  Net net;
  LoadReport r = load_state_dict(net, c.state_dict, /*strict=*/true);
  EXPECT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r.message(), "");
  for (const auto& item : net.named_buffers())
    EXPECT_TRUE(torch::equal(item.value(), c.state_dict[item.key()]));
  for (const auto& item : net.named_parameters())
    EXPECT_TRUE(torch::equal(item.value(), c.state_dict[item.key()]));
}

INSTANTIATE_TEST_SUITE_P(Checkpoint, MmcvFormats, ::testing::Values("zip", "legacy"));

TEST(CheckpointLoadStateDict, ReportsMissingUnexpectedAndSizeMismatchAsMmcv) {
  Checkpoint c = load_checkpoint(fixture("mmcv_zip.pth"));
  StateDict sd = c.state_dict;
  sd.erase("bn.bias");
  sd.erase("bn.num_batches_tracked");  // mmcv never reports this one missing
  sd.insert("head.extra", torch::zeros({1}));
  Net net(3);
  LoadReport r = load_state_dict(net, sd, /*strict=*/false);
  EXPECT_EQ(r.missing_keys, std::vector<std::string>{"bn.bias"});
  EXPECT_EQ(r.unexpected_keys, std::vector<std::string>{"head.extra"});
  ASSERT_EQ(r.size_mismatches.size(), 2u);
  EXPECT_EQ(r.size_mismatches[0],
            "size mismatch for fc.weight: copying a param with shape torch.Size([2, 4]) from "
            "checkpoint, the shape in current model is torch.Size([3, 4]).");
  EXPECT_EQ(r.message(), "The model and loaded state dict do not match exactly\n\n" +
                             r.size_mismatches[0] + "\n" + r.size_mismatches[1] +
                             "\nunexpected key in source state_dict: head.extra\n\n"
                             "missing keys in source state_dict: bn.bias\n");
  // What matched was copied.
  EXPECT_TRUE(torch::equal(net.named_parameters()["conv.weight"], c.state_dict["conv.weight"]));
  try {
    load_state_dict(net, sd, /*strict=*/true);
    FAIL() << "strict load did not throw";
  } catch (const CheckpointError& e) {
    EXPECT_EQ(std::string(e.what()), r.message());
  }
}

TEST(CheckpointLoad, RevisesKeysAsAsked) {
  LoadOptions options;
  options.revise_keys = {};
  Checkpoint c = load_checkpoint(fixture("mmcv_zip.pth"), options);
  EXPECT_EQ(c.state_dict[0].key(), "module.conv.weight");
  Checkpoint bare = load_checkpoint(fixture("tensors_zip.pth"));  // a bare dict of tensors
  EXPECT_EQ(bare.state_dict.size(), 12u);
  EXPECT_TRUE(bare.meta.is_none());
}

TEST(CheckpointSave, RoundTripsStateDictMetaAndOptimizer) {
  test::TempDir dir;
  Checkpoint c = load_checkpoint(fixture("mmcv_legacy.pth"));
  StateDict sd = c.state_dict;
  torch::Tensor base = torch::arange(12, torch::kFloat).view({3, 4});
  sd.insert("noncontiguous", base.t());
  sd.insert("half", torch::tensor({1.5, -2.0}).to(torch::kHalf));
  sd.insert("flags", torch::tensor({true, false}));
  sd.insert("empty", torch::zeros({0, 2}));
  std::string path = (dir.path() / "epoch_1.pth").string();
  save_checkpoint(path, sd, c.meta, c.optimizer);
  // For checking by hand that Python's torch.load reads our files (tests cannot run Python).
  if (const char* keep = std::getenv("TUBELET_KEEP_CHECKPOINT"))
    save_checkpoint(keep, sd, c.meta, c.optimizer);
  // Atomic: only the final file is left.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
  Checkpoint back = load_checkpoint(path);
  ASSERT_EQ(back.state_dict.size(), sd.size());
  for (size_t k = 0; k < sd.size(); ++k) {
    EXPECT_EQ(back.state_dict[k].key(), sd[k].key());
    EXPECT_EQ(back.state_dict[k].value().scalar_type(), sd[k].value().scalar_type());
    EXPECT_TRUE(torch::equal(back.state_dict[k].value(), sd[k].value())) << sd[k].key();
  }
  EXPECT_EQ(repr(back.meta), repr(c.meta));
  const PyObject* st = back.optimizer.root->get("state");
  const PyObject* st0 = c.optimizer.root->get("state");
  ASSERT_EQ(st->entries.size(), st0->entries.size());
  EXPECT_TRUE(torch::equal(st->entries[1].second->get("momentum_buffer")->tensor,
                           st0->entries[1].second->get("momentum_buffer")->tensor));
}

TEST(CheckpointSave, WritesIValuesAndOverwritesAtomically) {
  test::TempDir dir;
  std::string path = (dir.path() / "latest.pth").string();
  c10::impl::GenericDict opt(c10::StringType::get(), c10::AnyType::get());
  opt.insert("lr", 0.1);
  opt.insert("steps", c10::IValue(std::vector<int64_t>{1, 2}));
  opt.insert("buf", torch::ones({2}));
  for (int round = 0; round < 2; ++round) {
    StateDict sd;
    sd.insert("w", torch::full({2}, static_cast<float>(round)));
    save_checkpoint(path, sd, Value(), to_pickle(opt));
    Checkpoint back = load_checkpoint(path);
    EXPECT_EQ(back.state_dict["w"][0].item<float>(), round);
    EXPECT_EQ(back.optimizer.root->get("lr")->f, 0.1);
    EXPECT_EQ(back.optimizer.root->get("steps")->items.size(), 2u);
    EXPECT_TRUE(back.meta.is_dict());
  }
  EXPECT_THROW(save_checkpoint((dir.path() / "no/such/dir.pth").string(), StateDict()),
               CheckpointError);
}

}  // namespace
}  // namespace tubelet::checkpoint::checkpoint_test
