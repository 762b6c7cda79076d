// `tubelet schedule` end to end, through the built command: golden/lr cases of mmcv 1.7.0
// (../shared/golden/lr) written as configs, run, and their printed lr and momentum compared
// with mmcv's; configurations mmcv rejects (_rejected.json) exit non-zero with mmcv's
// reason; and the command's own errors. The tutorial's RelativeStep policy comes
// from a plugin (tests/plugin/relative_step_plugin.cpp), loaded with --plugin.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "cli/command_support.h"
#include "engine/updater_hook_support.h"
#include "support/paths.h"
#include "tubelet/config/dump.h"

namespace tubelet::schedule_command_test {
namespace {

namespace fs = std::filesystem;

const std::string kPlugin = TUBELET_TEST_LR_PLUGIN;

Value load_golden(const fs::path& file) {
  return test::decode_golden(from_json(test::read_text(file), file.string()));
}

// The golden case as a config: optimizer, lr_config, momentum_config and runner. Cases with
// several param groups (`param_groups` is the golden generator's, not an mmcv key) keep
// group 0 only, the one the command prints: its lr and its OneCycle max_lr.
Dict case_config(const Dict& c) {
  Dict cfg;
  Dict optimizer = c.at("optimizer").as_dict();
  if (const Value* groups = optimizer.find("param_groups")) {
    if (const Value* lr = groups->as_list().at(0).as_dict().find("lr")) optimizer.set("lr", *lr);
    optimizer.erase("param_groups");
  }
  cfg.set("optimizer", Value(optimizer));
  Value lr_config = c.at("lr_config");
  if (lr_config.is_dict())
    if (const Value* max_lr = lr_config.as_dict().find("max_lr"); max_lr && max_lr->is_sequence())
      lr_config.mutable_dict().set("max_lr", max_lr->as_list().at(0));
  cfg.set("lr_config", lr_config);
  cfg.set("momentum_config", c.at("momentum_config"));
  Dict runner = c.at("runner").as_dict();
  runner.erase("iters_per_epoch");
  cfg.set("runner", Value(runner));
  return cfg;
}

// The command's JSON for a config file.
std::string schedule_args(const fs::path& config, int iters_per_epoch = 7) {
  return "--plugin " + test::shell_quote(kPlugin) + " schedule " +
         test::shell_quote(config.string()) + " --iters-per-epoch " +
         std::to_string(iters_per_epoch);
}

// null where mmcv had None; otherwise mmcv's value to 1e-9 (relative).
void expect_series(const List& want, const Value& got, const std::string& what) {
  ASSERT_TRUE(got.is_list()) << what;
  const List& values = got.as_list();
  ASSERT_EQ(values.size(), want.size()) << what;
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i].is_none()) {
      EXPECT_TRUE(values[i].is_none())
          << what << "[" << i << "]: mmcv None, got " << repr(values[i]);
      continue;
    }
    ASSERT_FALSE(values[i].is_none()) << what << "[" << i << "]";
    const double w = want[i].as_float(), g = values[i].as_float();
    EXPECT_LE(std::abs(g - w), 1e-9 * std::abs(w) + 1e-15)
        << what << "[" << i << "]: got " << g << ", mmcv " << w;
  }
}

Dict printed(const test::CommandResult& r, const std::string& name) {
  if (r.status != 0)
    throw std::runtime_error(name + ": exit " + std::to_string(r.status) + "\n" + r.err);
  return from_json(r.out, name + " stdout").as_dict();
}

// Each run of the command spends ~0.5 s of CPU starting LibTorch, so by default one case of
// each LR policy goes through it, with every momentum case and every RelativeStep case (the
// nulls): a sixth of them; TUBELET_ALL_GOLDENS=1 runs every case. Every case's schedule is also
// checked in-process, through the same hooks, by tests/engine/lr_updater_golden_test.cpp.
bool run_all_goldens() {
  const char* all = std::getenv("TUBELET_ALL_GOLDENS");
  return all && std::string(all) == "1";
}

// Case names ("<policy variant>__<by>__<warmup>__<runner>"), sorted; the chosen ones.
std::vector<std::string> chosen_cases() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(test::shared_dir() / "golden/lr"))
    if (entry.path().extension() == ".json" && entry.path().stem().string()[0] != '_')
      names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  if (run_all_goldens()) return names;
  std::set<std::string> seen;
  std::vector<std::string> chosen;
  for (const std::string& name : names) {
    const bool always = name.rfind("mom_", 0) == 0 || name.rfind("relativestep", 0) == 0;
    if (seen.insert(name.substr(0, name.find('_'))).second || always) chosen.push_back(name);
  }
  return chosen;
}

TEST(ScheduleCommand, GoldenCasesMatchMmcv) {
  TUBELET_REQUIRE_SHARED();
  TUBELET_REQUIRE_COMMAND();
  test::TempDir dir;
  std::vector<Dict> cases;
  std::vector<std::string> names, args;
  for (const std::string& name : chosen_cases()) {
    cases.push_back(load_golden(test::shared_dir() / "golden/lr" / (name + ".json")).as_dict());
    const fs::path config = dir.write(name + ".py", to_python_config(case_config(cases.back())));
    names.push_back(name);
    args.push_back(schedule_args(
        config,
        static_cast<int>(cases.back().at("runner").as_dict().at("iters_per_epoch").as_int())));
  }
  ASSERT_GE(cases.size(), run_all_goldens() ? 100u : 20u);
  const auto results = test::run_tubelet_all(args, dir.path(), names);
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(names[i]);
    Dict out;
    ASSERT_NO_THROW(out = printed(results[i], names[i])) << results[i].err;
    EXPECT_EQ(out.size(), 2u);
    expect_series(cases[i].at("lr").as_list(), out.at("lr"), "lr");
    expect_series(cases[i].at("momentum").as_list(), out.at("momentum"), "momentum");
  }
}

TEST(ScheduleCommand, RejectsWhatMmcvRejects) {
  TUBELET_REQUIRE_SHARED();
  TUBELET_REQUIRE_COMMAND();
  test::TempDir dir;
  const Value rejected = load_golden(test::shared_dir() / "golden/lr/_rejected.json");
  std::vector<std::string> names, args;
  std::vector<Dict> chosen;  // one case per distinct error of mmcv's, or all of them
  std::set<std::string> seen;
  for (const Value& item : rejected.as_list())
    if (seen.insert(item.as_dict().at("error").as_str()).second || run_all_goldens())
      chosen.push_back(item.as_dict());
  for (const Dict& r : chosen) {
    const bool epochs = r.at("runner").as_str() == "EpochBasedRunner";
    Dict cfg;
    cfg.set("optimizer", Value(test::sgd_config()));
    cfg.set("lr_config", r.at("lr_config"));
    cfg.set("momentum_config", r.at("momentum_config"));
    cfg.set("runner", test::runner_config(r.at("runner").as_str(), epochs ? 12 : 84));
    names.push_back(r.at("case").as_str());
    args.push_back(schedule_args(dir.write(names.back() + ".py", to_python_config(cfg))));
  }
  ASSERT_FALSE(args.empty());
  const auto results = test::run_tubelet_all(args, dir.path(), names);
  for (size_t i = 0; i < args.size(); ++i) {
    const Dict& r = chosen[i];
    SCOPED_TRACE(names[i]);
    EXPECT_NE(results[i].status, 0) << "accepted; printed " << results[i].out;
    EXPECT_TRUE(results[i].out.empty()) << results[i].out;
    const std::string want =
        test::mmcv_error_fragment(r.at("error").as_str(), r.at("where").as_str());
    EXPECT_NE(results[i].err.find(want), std::string::npos)
        << "stderr: " << results[i].err << "\nmmcv: " << r.at("error").as_str();
  }
}

// The legacy `total_epochs` (an EpochBasedRunner) changed by --cfg-options, --plugin after
// the subcommand, and betas[0] as the momentum of an Adam-like optimizer.
TEST(ScheduleCommand, TotalEpochsCfgOptionsAndAdamBetas) {
  TUBELET_REQUIRE_SHARED();
  TUBELET_REQUIRE_COMMAND();
  test::TempDir dir;
  const Dict golden =
      load_golden(test::shared_dir() / "golden/lr/mom_step__ep__epochrunner.json").as_dict();
  Dict cfg = case_config(golden);
  cfg.erase("runner");
  cfg.set("total_epochs", Value(int64_t{5}));
  Dict adam;
  adam.set("type", Value("Adam"));
  adam.set("lr", golden.at("optimizer").as_dict().at("lr"));
  adam.set("betas", Value::tuple({Value(0.9), Value(0.999)}));
  cfg.set("optimizer", Value(adam));
  const fs::path config = dir.write("legacy.py", to_python_config(cfg));
  const auto r = test::run_tubelet("schedule " + test::shell_quote(config.string()) +
                                       " --iters-per-epoch 7 --cfg-options total_epochs=12" +
                                       " --plugin " + test::shell_quote(kPlugin),
                                   dir.path(), "legacy");
  Dict out;
  ASSERT_NO_THROW(out = printed(r, "legacy")) << r.err;
  expect_series(golden.at("lr").as_list(), out.at("lr"), "lr");
  expect_series(golden.at("momentum").as_list(), out.at("momentum"), "momentum");
}

// The command's own errors need no golden data.
TEST(ScheduleCommand, ErrorsNameTheirCause) {
  TUBELET_REQUIRE_COMMAND();
  test::TempDir dir;
  const fs::path ok =
      dir.write("ok.py",
                "optimizer = dict(type='SGD', lr=0.1, momentum=0.9)\n"
                "lr_config = dict(policy='step', step=[1])\nrunner = dict(type='EpochBasedRunner', "
                "max_epochs=2)\n");
  const auto r = test::run_tubelet(
      "schedule " + test::shell_quote(ok.string()) + " --iters-per-epoch 3", dir.path(), "ok");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"lr\": [0.1, 0.1, 0.1, 0.010000000000000002, 0.010000000000000002, "
            "0.010000000000000002], \"momentum\": [0.9, 0.9, 0.9, 0.9, 0.9, 0.9]}\n");

  struct Bad {
    std::string name, config, args, fragment;
  };
  const std::vector<Bad> bad = {
      {"zero_iters", ok.string(), "--iters-per-epoch 0", "iters-per-epoch"},
      {"no_iters", ok.string(), "", "--iters-per-epoch is required"},
      {"no_optimizer",
       dir.write("a.py", "lr_config = dict(policy='fixed')\ntotal_epochs = 1\n").string(),
       "--iters-per-epoch 3", "no 'optimizer'"},
      {"no_runner", dir.write("b.py", "optimizer = dict(type='SGD', lr=0.1)\n").string(),
       "--iters-per-epoch 3", "neither runner"},
      {"unknown_policy",
       dir.write("c.py",
                 "optimizer = dict(type='SGD', lr=0.1)\nlr_config = dict(policy='Nope')\n"
                 "total_epochs = 1\n")
           .string(),
       "--iters-per-epoch 3", "'NopeLrUpdaterHook' is not in the HOOKS registry"},
      {"missing_config", (dir.path() / "missing.py").string(), "--iters-per-epoch 3", "not found"},
  };
  std::vector<std::string> names, args;
  for (const Bad& b : bad) {
    names.push_back(b.name);
    args.push_back("schedule " + test::shell_quote(b.config) + " " + b.args);
  }
  const auto results = test::run_tubelet_all(args, dir.path(), names);
  for (size_t i = 0; i < bad.size(); ++i) {
    SCOPED_TRACE(bad[i].name);
    EXPECT_NE(results[i].status, 0);
    EXPECT_TRUE(results[i].out.empty()) << results[i].out;
    EXPECT_NE(results[i].err.find(bad[i].fragment), std::string::npos) << results[i].err;
  }
}

}  // namespace
}  // namespace tubelet::schedule_command_test
