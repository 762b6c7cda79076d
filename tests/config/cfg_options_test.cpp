// --cfg-options: mmcv's DictAction value syntax and merge_from_dict.
#include <gtest/gtest.h>

#include "tubelet/config/config.h"

namespace tubelet {
namespace {

std::string parsed(const std::string& text) {
  return repr(parse_cfg_option_value(text));
}

TEST(CfgOptionValue, ScalarsFollowPythonsIntThenFloatThenBool) {
  EXPECT_EQ(parsed("18"), "18");
  EXPECT_EQ(parsed("-3"), "-3");
  EXPECT_EQ(parsed("1_000"), "1000");
  EXPECT_EQ(parsed("0.5"), "0.5");
  EXPECT_EQ(parsed("1e-4"), "0.0001");
  EXPECT_EQ(parsed(".5"), "0.5");
  EXPECT_EQ(parsed("inf"), "inf");
  EXPECT_EQ(parsed("True"), "True");
  EXPECT_EQ(parsed("false"), "False");
  EXPECT_EQ(parsed("None"), "None");
  EXPECT_EQ(parsed("none"), "'none'");  // only the exact spelling is None
  EXPECT_EQ(parsed("abc"), "'abc'");
  EXPECT_EQ(parsed("'quoted'"), "'quoted'");
  EXPECT_EQ(parsed("\"1\""), "1");  // quotes are stripped before the number test, as mmcv does
}

TEST(CfgOptionValue, LongValuesNeitherOverflowTheStackNorWrap) {
  EXPECT_THROW(parse_cfg_option_value(std::string(200000, '7')), ConfigError);  // > int64
  EXPECT_EQ(parse_cfg_option_value(std::string(200000, 'x')).as_str().size(), 200000u);
  EXPECT_TRUE(parse_cfg_option_value("1" + std::string(200000, '0') + ".5").is_float());
}

TEST(CfgOptionValue, ListsAndTuplesNest) {
  EXPECT_EQ(parsed("1,2,3"), "[1, 2, 3]");
  EXPECT_EQ(parsed("[a, b, c]"), "['a', 'b', 'c']");
  EXPECT_EQ(parsed("(1,2)"), "(1, 2)");
  EXPECT_EQ(parsed("[(1, 2, 3), [a, b], c]"), "[(1, 2, 3), ['a', 'b'], 'c']");
  EXPECT_EQ(parsed("[]"), "[]");
  EXPECT_EQ(parsed("()"), "()");
  EXPECT_EQ(parsed("(1)"), "(1,)");
  EXPECT_THROW(parsed("[(1,2]"), ConfigError);
}

TEST(CfgOptions, DottedKeysMergeIntoTheConfig) {
  Dict cfg = load_config_text(
      "model = dict(backbone=dict(type='ResNet', depth=50))\n"
      "pipeline = [dict(type='A'), dict(type='B', x=1)]\n",
      "/tmp/opts.py");
  apply_cfg_options(cfg, {"model.backbone.depth=18", "pipeline.1.x=2", "pipeline.0=C",
                          "work_dir=./w", "model.neck.type=N"});
  EXPECT_EQ(repr(Value(cfg)),
            "{'model': {'backbone': {'type': 'ResNet', 'depth': 18}, 'neck': {'type': 'N'}}, "
            "'pipeline': ['C', {'type': 'B', 'x': 2}], 'work_dir': './w'}");
}

TEST(CfgOptions, ErrorsSayWhatIsWrong) {
  Dict cfg = load_config_text("a = [1]\nb = 2\n", "/tmp/opts.py");
  auto error_of = [&](const std::string& option) {
    try {
      Dict copy = cfg;
      apply_cfg_options(copy, {option});
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error_of("novalue").find("expected KEY=VALUE"), std::string::npos);
  EXPECT_NE(error_of("a.5=1").find("Index 5 exceeds the length of list"), std::string::npos);
  EXPECT_NE(error_of("b.c=1").find("cannot inherit from base"), std::string::npos);
  EXPECT_NE(error_of("a.x=1").find("cannot set key 'x' in a list"), std::string::npos);
}

}  // namespace
}  // namespace tubelet
