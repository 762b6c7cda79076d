// Config files: _base_ merging, _delete_, {{_base_.x}}, predefined variables, JSON/YAML,
// and the errors mmcv raises — against mmcv's own results where ../shared has them.
#include <gtest/gtest.h>

#include "support/paths.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"

namespace tubelet {
namespace {

using test::TempDir;

std::string json_of(const Dict& cfg) {
  return to_json(Value(cfg), 1);
}

std::string load_json(const std::filesystem::path& p) {
  return json_of(load_config(p.string()));
}

std::string golden_text(const std::string& name) {
  std::string text = test::read_text(test::shared_dir() / "golden/config_semantics" / name);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::filesystem::path semantics_source(const std::string& name) {
  return test::shared_dir() / "golden/config_semantics/sources" / name;
}

class SemanticsGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(SemanticsGolden, MatchesMmcv) {
  TUBELET_REQUIRE_SHARED();
  std::string name = GetParam();  // "merge_basic" or "_base_/model"
  std::string golden_name = name;
  for (size_t p; (p = golden_name.find('/')) != std::string::npos;) golden_name.replace(p, 1, "__");
  EXPECT_EQ(load_json(semantics_source(name + ".py")), golden_text(golden_name + ".json"));
}

INSTANTIATE_TEST_SUITE_P(ConfigSemantics, SemanticsGolden,
                         ::testing::Values("merge_basic", "child_of_child", "delete_key",
                                           "base_var", "predefined_vars", "_base_/model",
                                           "_base_/schedule", "_base_/dup"),
                         [](const auto& info) {
                           std::string s = info.param;
                           for (char& c : s)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return s;
                         });

void expect_error(const std::filesystem::path& file, const std::string& fragment) {
  try {
    load_config(file.string());
    FAIL() << "expected an error containing: " << fragment;
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(ConfigSemanticsGolden, DuplicateKeyAmongBasesIsRejectedAsMmcvDoes) {
  TUBELET_REQUIRE_SHARED();
  expect_error(semantics_source("err_dup_base.py"),
               "Duplicate key is not allowed among bases. Duplicate keys: {'total_epochs'}");
}

TEST(ConfigSemanticsGolden, DictOverNonDictIsRejectedAsMmcvDoes) {
  TUBELET_REQUIRE_SHARED();
  expect_error(semantics_source("err_type.py"),
               "total_epochs={'a': 1} in child config cannot inherit from base because "
               "total_epochs is a dict in the child config but is of type <class 'int'> in base "
               "config. You may set `_delete_=True` to ignore the base config.");
}

TEST(ConfigSemanticsGolden, TypesMiscMatchesOnceUnsupportedLinesAreGone) {
  TUBELET_REQUIRE_SHARED();
  // mmcv runs Python: imports, functions and lambdas are dropped from its result. We refuse
  // them with a location, and match every other value.
  expect_error(semantics_source("types_misc.py"), "types_misc.py:2:1: unsupported");
  std::string source = test::read_text(semantics_source("types_misc.py"));
  std::string kept;
  std::istringstream lines(source);
  for (std::string line; std::getline(lines, line);) {
    bool unsupported = line.rfind("import", 0) == 0 || line.rfind("from", 0) == 0 ||
                       line.rfind("def", 0) == 0 || line.rfind("    return", 0) == 0 ||
                       line.rfind("lam", 0) == 0 || line.rfind("pi", 0) == 0;
    if (!unsupported) kept += line + "\n";
  }
  TempDir dir;
  std::string got = load_json(dir.write("types_misc.py", kept));
  std::string want = golden_text("types_misc.json");
  size_t pi = want.find(",\n \"pi\"");
  ASSERT_NE(pi, std::string::npos);
  want = want.substr(0, pi) + "\n}";
  EXPECT_EQ(got, want);
}

// ---- the same rules on configs the test writes itself ----

TEST(ConfigLoader, BasesMergeInOrderThenTheFileOverThem) {
  TempDir dir;
  dir.write("_base_/a.py",
            "model = dict(type='R', backbone=dict(depth=50, strides=(1, 2)))\nx = 1\n");
  dir.write("_base_/b.py", "lr_config = dict(policy='step', step=[10, 20])\n");
  auto cfg = load_config(
      dir.write("c.py",
                "_base_ = ['./_base_/a.py', './_base_/b.py']\n"
                "model = dict(backbone=dict(depth=18))\nlr_config = dict(step=[5])\nnew = 2\n")
          .string());
  EXPECT_EQ(repr(Value(cfg)),
            "{'model': {'type': 'R', 'backbone': {'depth': 18, 'strides': (1, 2)}}, 'x': 1, "
            "'lr_config': {'policy': 'step', 'step': [5]}, 'new': 2}");
}

TEST(ConfigLoader, DeleteReplacesTheBaseDictAndStaysOnANewKey) {
  TempDir dir;
  dir.write("base.py", "opt = dict(type='SGD', lr=0.1, momentum=0.9)\nkeep = dict(a=1)\n");
  auto cfg = load_config(dir.write("c.py",
                                   "_base_ = 'base.py'\n"
                                   "opt = dict(_delete_=True, type='Adam', lr=0.001)\n"
                                   "keep = dict(_delete_=False, b=2)\n"
                                   "fresh = dict(_delete_=True, c=3)\n")
                             .string());
  EXPECT_EQ(repr(Value(cfg)),
            "{'opt': {'type': 'Adam', 'lr': 0.001}, 'keep': {'a': 1, 'b': 2}, "
            "'fresh': {'_delete_': True, 'c': 3}}");
}

TEST(ConfigLoader, BaseVariableTakesTheMergedBaseValueNotTheOverride) {
  TempDir dir;
  dir.write("base.py", "n = 100\nnorm = dict(mean=[1, 2])\n");
  auto cfg = load_config(dir.write("c.py",
                                   "_base_ = 'base.py'\n"
                                   "copy = {{_base_.n}}\n"
                                   "nested = [dict(m={{ _base_.norm.mean }})]\n"
                                   "n = 7\n")
                             .string());
  EXPECT_EQ(repr(Value(cfg)),
            "{'n': 7, 'norm': {'mean': [1, 2]}, 'copy': 100, 'nested': [{'m': [1, 2]}]}");
}

TEST(ConfigLoader, BaseVariableErrors) {
  TempDir dir;
  dir.write("base.py", "n = 1\n");
  expect_error(dir.write("missing.py", "_base_ = 'base.py'\nx = {{_base_.m}}\n"),
               "{{_base_.m}}: no key 'm' in the _base_ files");
  expect_error(dir.write("nobase.py", "x = {{_base_.m}}\n"), "the file has no _base_");
}

TEST(ConfigLoader, PredefinedVariablesAreSubstitutedInTheText) {
  TempDir dir;
  auto file = dir.write("sub/my_cfg.py",
                        "a = '{{ fileDirname }}'\nb = '{{fileBasename}}'\n"
                        "c = '{{ fileBasenameNoExtension }}'\nd = '{{fileExtname}}'\n");
  auto cfg = load_config(file.string());
  EXPECT_EQ(cfg.at("a").as_str(), (dir.path() / "sub").string());
  EXPECT_EQ(cfg.at("b").as_str(), "my_cfg.py");
  EXPECT_EQ(cfg.at("c").as_str(), "my_cfg");
  EXPECT_EQ(cfg.at("d").as_str(), ".py");
  ConfigLoadOptions raw;
  raw.use_predefined_variables = false;
  EXPECT_EQ(load_config(file.string(), raw).at("b").as_str(), "{{fileBasename}}");
}

TEST(ConfigLoader, KeepsSingleUnderscoreNamesAndDropsDunders) {
  TempDir dir;
  auto cfg = load_config(dir.write("c.py", "_x = 1\n__y = 2\nz = 3\n").string());
  EXPECT_EQ(repr(Value(cfg)), "{'_x': 1, 'z': 3}");
}

TEST(ConfigLoader, JsonAndYamlConfigsWithBases) {
  TempDir dir;
  dir.write("base.py", "model = dict(depth=50, name='r')\nlst = [1]\n");
  auto j = load_config(
      dir.write("c.json", R"({"_base_": "base.py", "model": {"depth": 18}, "f": 1.0, "n": null})")
          .string());
  EXPECT_EQ(repr(Value(j)),
            "{'model': {'depth': 18, 'name': 'r'}, 'lst': [1], 'f': 1.0, 'n': None}");
  if (!yaml_available()) {
    expect_error(dir.write("c.yaml", "a: 1\n"), "built without YAML support");
    GTEST_SKIP() << "this Tubelet was built without yaml-cpp (TUBELET_WITH_YAML=OFF)";
  }
  auto y = load_config(dir.write("c.yaml",
                                 "_base_: base.py\nmodel:\n  depth: 101\nflag: yes\nq: '1'\n"
                                 "e: 1e-4\nf: 1.5e-4\nempty:\nlst: [1, 2.5, x]\n")
                           .string());
  // PyYAML (YAML 1.1): `yes` is True, `1e-4` without a dot is a string, quoted stays str.
  EXPECT_EQ(repr(Value(y)),
            "{'model': {'depth': 101, 'name': 'r'}, 'lst': [1, 2.5, 'x'], 'flag': True, "
            "'q': '1', 'e': '1e-4', 'f': 0.00015, 'empty': None}");
}

TEST(ConfigLoader, ErrorsNameTheFileAndWhere) {
  TempDir dir;
  expect_error(dir.write("a.py", "_base_ = 'nope.py'\n"), "a.py:1:10: config file not found: ");
  expect_error(dir.write("b.txt", "x = 1\n"), "unsupported config file type '.txt'");
  expect_error(dir.write("c.json", "{\"a\": [1, }"), "c.json:1:");
  expect_error(dir.write("d.yaml", "a: [1\n"), "d.yaml:");
  dir.write("loop1.py", "_base_ = 'loop2.py'\n");
  expect_error(dir.write("loop2.py", "_base_ = 'loop1.py'\n"), "circular _base_ inheritance");
  expect_error(dir.write("e.py", "_base_ = 3\n"), "_base_ must be a file name or a list");
  expect_error(dir.write("f.json", "[1, 2]"), "must hold a mapping at the top");
  expect_error(std::filesystem::path("/nonexistent/x.py"),
               "config file not found: /nonexistent/x.py");
}

TEST(ConfigLoader, DeprecationKeyIsRemoved) {
  TempDir dir;
  auto cfg =
      load_config(dir.write("c.py", "_deprecation_ = dict(expected='new.py')\nx = 1\n").string());
  EXPECT_EQ(repr(Value(cfg)), "{'x': 1}");
}

}  // namespace
}  // namespace tubelet
