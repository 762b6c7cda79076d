// Writing configs out: JSON as Python's json.dumps(indent=1) writes it, and Python text that
// loads back to the same tree.
#include <gtest/gtest.h>

#include <limits>

#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"

namespace tubelet {
namespace {

TEST(FloatRepr, MatchesPython) {
  EXPECT_EQ(float_repr(1.0), "1.0");
  EXPECT_EQ(float_repr(0.1), "0.1");
  EXPECT_EQ(float_repr(1e-4), "0.0001");
  EXPECT_EQ(float_repr(1e-5), "1e-05");
  EXPECT_EQ(float_repr(1.5e-7), "1.5e-07");
  EXPECT_EQ(float_repr(123456789012345.0), "123456789012345.0");
  EXPECT_EQ(float_repr(1e16), "1e+16");
  EXPECT_EQ(float_repr(-2.5), "-2.5");
  EXPECT_EQ(float_repr(58.395), "58.395");
  EXPECT_EQ(float_repr(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(float_repr(std::numeric_limits<double>::infinity()), "inf");
}

TEST(ToJson, LayoutAndEncodingsMatchTheGoldenFormat) {
  Dict d;
  d.set("t", Value::tuple({Value(1), Value(2.0)}));
  d.set("e", Value::list());
  d.set("r", Value(Range{0, 2, 1}));
  d.set("f", Value(-std::numeric_limits<double>::infinity()));
  d.set("s", Value("a\"b\n\xc3\xa9"));
  Dict k;
  k.set(Value(2), Value(4));
  d.set("k", Value(k));
  d.set("n", Value());
  EXPECT_EQ(to_json(Value(d)),
            "{\n \"t\": {\n  \"__tuple__\": [\n   1,\n   2.0\n  ]\n },\n \"e\": [],\n"
            " \"r\": {\n  \"__range__\": [\n   0,\n   2,\n   1\n  ]\n },\n"
            " \"f\": {\n  \"__float__\": \"-inf\"\n },\n \"s\": \"a\\\"b\\n\\u00e9\",\n"
            " \"k\": {\n  \"__dict__\": [\n   [\n    2,\n    4\n   ]\n  ]\n },\n \"n\": null\n}");
  EXPECT_EQ(to_json(Value::list({Value(1), Value("x")}), -1), "[1, \"x\"]");
}

TEST(ToPython, RoundTripsThroughTheLoader) {
  const char* source =
      "model = dict(type='Recognizer2D', backbone=dict(type='ResNet', depth=50, "
      "out_indices=(3, ), strides=(1, 2, 2, 2)), cls_head=dict(type='TSNHead', "
      "num_classes=400, in_channels=2048, spatial_type='avg', consensus=dict(type="
      "'AvgConsensus', dim=1), dropout_ratio=0.4, init_std=0.01), train_cfg=None, "
      "test_cfg=dict(average_clips=None))\n"
      "odd = {1: 'a', 'not an id': 2, 'class': 3, (1, 2): None}\n"
      "r = range(0, 4, 2)\nf = float('inf')\nt1 = (1, )\nempty = dict()\ns = 'it\\'s'\n";
  Dict cfg = load_config_text(source, "/tmp/roundtrip.py");
  std::string text = to_python_config(cfg);
  Dict again = load_config_text(text, "/tmp/roundtrip2.py");
  EXPECT_EQ(to_json(Value(again)), to_json(Value(cfg))) << text;
  for (size_t start = 0, end; start < text.size(); start = end + 1) {
    end = text.find('\n', start);
    EXPECT_LE(end - start, 79u) << text.substr(start, end - start);
  }
}

}  // namespace
}  // namespace tubelet
