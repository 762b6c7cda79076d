// The AVA frame-mAP evaluation against MMAction2 0.24.1's ava_eval
// (tests/fixtures/ava_data, tools/fixtures/make_ava_data_fixtures.py), hand-computed cases and
// malformed inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "support/paths.h"
#include "tubelet/config/dump.h"
#include "tubelet/evaluation/ava/ava_evaluation.h"

namespace ava_eval_test {

using namespace tubelet;
using tubelet::test::error_of;

std::filesystem::path ava_data(const std::string& f) {
  return tubelet::test::source_dir() / "tests/fixtures/ava_data" / f;
}

const Value& expected() {
  static const Value v = from_json(tubelet::test::read_text(ava_data("expected.json")));
  return v;
}

// MMAction2's full metrics dict against ours, exactly.
void expect_same(const Value& mm, const AvaEvalResult& r) {
  const Dict& full = mm.as_dict().at("full").as_dict();
  EXPECT_EQ(mm.as_dict().at("returned").as_dict().at("mAP@0.5IOU").as_float(), r.mean_ap);
  EXPECT_EQ(full.at("mAP@0.5IOU").as_float(), r.mean_ap);
  size_t n = 0;
  for (const auto& c : r.per_class) {
    const Value* ap = full.find("PerformanceByCategory/AP@0.5IOU/" + c.name);
    ASSERT_NE(ap, nullptr) << c.name;
    if (ap->is_float() && std::isnan(ap->as_float()))
      EXPECT_TRUE(std::isnan(c.ap)) << c.name;
    else
      EXPECT_EQ(ap->as_float(), c.ap) << c.name;
    ++n;
  }
  EXPECT_EQ(n + 1, full.size());
}

std::filesystem::path write_temp(const std::string& name, const std::string& text) {
  auto p = std::filesystem::temp_directory_path() / ("ava_eval_test_" + name);
  std::ofstream(p) << text;
  return p;
}

TEST(AvaEval, MMAction2EvalDetectionFixture) {
  const AvaEvalResult r = ava_eval(ava_data("eval_detection/pred.csv").string(),
                                   ava_data("eval_detection/action_list.txt").string(),
                                   ava_data("eval_detection/gt.csv").string(), std::nullopt);
  EXPECT_NEAR(r.mean_ap, 0.09385522, 1e-8);  // MMAction2's test_ava_detection
  expect_same(expected().as_dict().at("eval_detection"), r);
}

TEST(AvaEval, SyntheticSetsMatchMMAction2Exactly) {
  const List& sets = expected().as_dict().at("synthetic").as_list();
  ASSERT_EQ(sets.size(), 3u);
  for (size_t k = 0; k < sets.size(); ++k) {
    SCOPED_TRACE("synthetic_" + std::to_string(k));
    const Dict& e = sets[k].as_dict();
    const std::string d = "synthetic_" + std::to_string(k) + "/";
    const std::string pred = ava_data(d + "pred.csv").string();
    const std::string labels = ava_data(d + "labels.pbtxt").string();
    const std::string gt = ava_data(d + "gt.csv").string();
    const std::string exclude = ava_data(d + "exclude.csv").string();
    expect_same(e.at("plain"), ava_eval(pred, labels, gt, std::nullopt));
    expect_same(e.at("excluded"), ava_eval(pred, labels, gt, exclude));
    std::vector<int64_t> custom;
    for (const Value& id : e.at("custom_classes").as_list()) custom.push_back(id.as_int());
    expect_same(e.at("custom"), ava_eval(pred, labels, gt, exclude, custom));
  }
}

TEST(AvaEval, HandComputedAveragePrecision) {
  AvaCsvBoxes gt, det;
  gt.keys = {"v,0902"};
  gt.images["v,0902"] = {{{0.0, 0.0, 1.0, 1.0}, {0.0, 0.0, 0.5, 0.5}}, {1, 1}, {1.0, 1.0}};
  det.keys = {"v,0902", "w,0902"};
  // A false positive ranked first, then a hit (IoU 1), then a duplicate of it (a miss).
  det.images["v,0902"] = {{{0.0, 0.5, 0.4, 1.0}, {0.0, 0.0, 1.0, 1.0}, {0.0, 0.0, 0.95, 1.0}},
                          {1, 1, 1},
                          {0.9, 0.8, 0.7}};
  det.images["w,0902"] = {{{0.0, 0.0, 1.0, 1.0}}, {2}, {0.5}};  // no ground truth: class 2 NaN
  const AvaEvalResult r = ava_pascal_evaluate({{1, "a"}, {2, "b"}}, gt, det, {});
  // precision 0, 1/2, 1/3; recall 0, 1/2, 1/2 -> AP = 1/2 * 1/2.
  ASSERT_EQ(r.per_class.size(), 2u);
  EXPECT_DOUBLE_EQ(r.per_class[0].ap, 0.25);
  EXPECT_TRUE(std::isnan(r.per_class[1].ap));
  EXPECT_DOUBLE_EQ(r.mean_ap, 0.25);
  // Excluding the image leaves class 1 without ground truth: everything NaN.
  EXPECT_TRUE(std::isnan(ava_pascal_evaluate({{1, "a"}}, gt, det, {"v,0902"}).mean_ap));
}

TEST(AvaEval, ReadsFilesAsTheOfficialCode) {
  const auto labels = write_temp("labels.pbtxt",
                                 "item {\n  name: \"walk\"\n  id: 3\n}\nitem {\n  name: \"run\"\n"
                                 "  label_id: 7\n}\n");
  const AvaLabelMap map = read_ava_labelmap(labels.string());
  ASSERT_EQ(map.categories.size(), 2u);
  EXPECT_EQ(map.categories[0], (std::pair<int64_t, std::string>{3, "walk"}));
  EXPECT_EQ(map.categories[1], (std::pair<int64_t, std::string>{7, "run"}));
  const auto csv = write_temp("rows.csv",
                              "v,902,0.1,0.2,0.3,0.4,3,0.5\nv,0902,0.1,0.2,0.3,0.4,7,0.9\n"
                              "v,902,0.1,0.2,0.3,0.4,5,0.95\nw,5,0.0,0.0,1.0,1.0,3\n");
  const AvaCsvBoxes b = read_ava_csv(csv.string(), {3, 7});
  ASSERT_EQ(b.keys, (std::vector<std::string>{"v,0902", "w,0005"}));
  const auto& v = b.images.at("v,0902");
  EXPECT_EQ(v.labels, (std::vector<int64_t>{7, 3}));  // by descending score, 5 not listed
  EXPECT_EQ(v.boxes[0], (std::array<double, 4>{0.2, 0.1, 0.4, 0.3}));  // y1, x1, y2, x2
  EXPECT_EQ(b.images.at("w,0005").scores, (std::vector<double>{1.0}));
  EXPECT_EQ(ava_image_key("x", 12), "x,0012");

  const auto out = std::filesystem::temp_directory_path() / "ava_eval_test_out.csv";
  write_ava_results_csv(out.string(), {{"vid", 902, {0.12345, 0.5, 1.0, 0.0005}, 12, 0.99951}});
  EXPECT_EQ(tubelet::test::read_text(out), "vid,902,0.123,0.500,1.000,0.001,12,1.000\n");
}

TEST(AvaEval, MalformedInputsNameTheFileAndLine) {
  const auto labels = ava_data("eval_detection/action_list.txt").string();
  const auto gt = ava_data("eval_detection/gt.csv").string();
  const auto short_row = write_temp("short.csv", "v,902,0.1,0.2,0.3,0.4,1,0.5\nv,902,0.1\n");
  EXPECT_NE(error_of([&] {
              ava_eval(short_row.string(), labels, gt, std::nullopt);
            }).find("short.csv:2: wrong number of columns"),
            std::string::npos);
  const auto bad_number = write_temp("bad.csv", "v,902,0.1,zz,0.3,0.4,1,0.5\n");
  EXPECT_NE(error_of([&] {
              ava_eval(bad_number.string(), labels, gt, std::nullopt);
            }).find("bad.csv:1: box coordinate 'zz' is not a number"),
            std::string::npos);
  const auto bad_exclusions = write_temp("excl.csv", "v,902\nv,903,1\n");
  EXPECT_NE(error_of([&] { ava_eval(gt, labels, gt, bad_exclusions.string()); }).find("excl.csv:2"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              ava_eval(gt, labels, gt, std::nullopt, {0, 42});
            }).find("custom class 42 is not in the label map"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              ava_eval("/nonexistent.csv", labels, gt, std::nullopt);
            }).find("cannot open CSV file '/nonexistent.csv'"),
            std::string::npos);
  const auto zero = write_temp("zero.pbtxt", "  name: \"bg\"\n  id: 0\n");
  EXPECT_NE(error_of([&] {
              ava_eval(gt, zero.string(), gt, std::nullopt);
            }).find("Classes should be 1-indexed"),
            std::string::npos);
}

}  // namespace ava_eval_test
