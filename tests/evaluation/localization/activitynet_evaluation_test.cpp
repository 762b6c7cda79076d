// ActivityNetDataset's evaluate_records and dump_records against what MMAction2 0.24.1's
// ActivityNetDataset.evaluate / dump_results give on the same annotations and records
// (computed by tools/fixtures/make_localization_eval_fixtures.py into
// tests/fixtures/localization_eval/expected.json, "dataset" and "cases"), and their errors.
#include <gtest/gtest.h>

#include "support/paths.h"
#include "tubelet/config/dump.h"
#include "tubelet/data/datasets/activitynet_dataset.h"
#include "tubelet/evaluation/localization/activitynet_json.h"

namespace tubelet::activitynet_evaluation_test {
namespace {

const Dict& expected() {
  static const Value v = load_json_file(
      (test::source_dir() / "tests/fixtures/localization_eval/expected.json").string());
  return v.as_dict();
}

ActivityNetDataset dataset_of(const std::filesystem::path& ann_file) {
  BaseDatasetOptions o;
  o.ann_file = ann_file.string();
  o.pipeline = Value::list();
  o.test_mode = true;
  return ActivityNetDataset(std::move(o));
}

const Dict& tiny() {
  return expected().at("dataset").as_dict();
}

TEST(ActivityNetEvaluation, AverageRecallMatchesMMAction2) {
  test::TempDir dir;
  ActivityNetDataset dataset =
      dataset_of(dir.write("ann.json", to_json(tiny().at("annotations"), -1)));
  const List& records = tiny().at("records").as_list();
  for (const Value& e : tiny().at("evaluations").as_list()) {
    const Dict& want = e.as_dict().at("results").as_dict();
    const Value& options = e.as_dict().at("metric_options");
    SCOPED_TRACE(repr(options));
    Dict got = dataset.evaluate_records(records, {"AR@AN"},
                                        options.is_none() ? Dict{} : options.as_dict());
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {  // same keys, same order
      EXPECT_EQ(got.items()[i].first, want.items()[i].first);
      EXPECT_EQ(got.items()[i].second.as_float(), want.items()[i].second.as_float());
    }
  }
  // No metric named: AR@AN, as MMAction2's default.
  EXPECT_TRUE(dataset.evaluate_records(records, {}, {}).contains("AR@100"));
}

TEST(ActivityNetEvaluation, RandomCasesMatchMMAction2) {
  for (const Value& c : expected().at("cases").as_list()) {
    const Dict& k = c.as_dict();
    SCOPED_TRACE(k.at("name").as_str());
    test::TempDir dir;
    ActivityNetDataset dataset =
        dataset_of(dir.write("ann.json", to_json(k.at("ground_truth"), -1)));
    List records;
    for (const auto& [id, list] : k.at("results").as_dict().at("results").as_dict()) {
      Dict r;
      r.set("video_name", Value("v_" + id.as_str()));
      r.set("proposal_list", list);
      records.push_back(Value(r));
    }
    Dict ar, map;
    ar.set("max_avg_proposals", k.at("max_avg_proposals"));
    ar.set("temporal_iou_thresholds", k.at("thresholds"));
    map.set("tiou_thresholds", k.at("thresholds"));
    Dict options;
    options.set("AR@AN", Value(ar));
    options.set("mAP", Value(map));
    Dict got = dataset.evaluate_records(records, {"AR@AN", "mAP"}, options);
    EXPECT_EQ(got.at("auc").as_float(), k.at("auc").as_float());
    const List& thresholds = k.at("thresholds").as_list();
    for (size_t t = 0; t < thresholds.size(); ++t)
      EXPECT_EQ(got.at("mAP@" + float_repr(thresholds[t].as_float())).as_float(),
                k.at("mAP").as_list()[t].as_float());
    EXPECT_EQ(got.at("average_mAP").as_float(), k.at("average_mAP").as_float());
  }
}

TEST(ActivityNetEvaluation, DumpJsonAndCsvAsMMAction2) {
  test::TempDir dir;
  ActivityNetDataset dataset =
      dataset_of(dir.write("ann.json", to_json(tiny().at("annotations"), -1)));
  Dict config;
  config.set("out", Value((dir.path() / "sub/results.json").string()));
  config.set("output_format", Value("json"));
  dataset.dump_records(tiny().at("records").as_list(), config);
  EXPECT_EQ(test::read_text(dir.path() / "sub/results.json"), tiny().at("dump_json").as_str());

  Dict tem;
  tem.set("video_name", Value("v_test1"));
  tem.set("tem_output", tiny().at("tem_rows"));
  config.set("out", Value((dir.path() / "tem").string()));
  config.set("output_format", Value("csv"));
  dataset.dump_records({Value(tem)}, config);
  EXPECT_EQ(test::read_text(dir.path() / "tem/v_test1.csv"), tiny().at("dump_csv").as_str());

  config.set("output_format", Value("pkl"));
  EXPECT_EQ(test::error_of([&] { dataset.dump_records({}, config); }),
            "The output format pkl is not supported.");
  config.set("output_format", Value("json"));
  config.set("indent", Value(4));
  EXPECT_EQ(test::error_of([&] { dataset.dump_records({}, config); }),
            "dump_results() got an unexpected keyword argument 'indent'");
}

// A dataset that keeps Dataset's own dump_records.
struct PlainDataset : Dataset {
  int64_t size() const override { return 0; }
  Sample get(int64_t, uint64_t) const override { return {}; }
  const Dict& info(int64_t) const override { throw std::logic_error("none"); }
};

TEST(ActivityNetEvaluation, DefaultDumpIsAJsonList) {
  test::TempDir dir;
  Dict record;
  record.set("video_name", Value("v_a"));
  Dict config;
  config.set("out", Value((dir.path() / "r.json").string()));
  PlainDataset().dump_records({Value(record)}, config);
  EXPECT_EQ(test::read_text(dir.path() / "r.json"), R"([{"video_name": "v_a"}])");
  config.set("output_format", Value("csv"));
  EXPECT_NE(test::error_of([&] { PlainDataset().dump_records({}, config); }).find("output_format"),
            std::string::npos);
}

TEST(ActivityNetEvaluation, Errors) {
  test::TempDir dir;
  const auto ann = dir.write("ann.json", to_json(tiny().at("annotations"), -1));
  ActivityNetDataset dataset = dataset_of(ann);
  const List& records = tiny().at("records").as_list();
  EXPECT_EQ(test::error_of([&] { dataset.evaluate_records({records[0]}, {"AR@AN"}, {}); }),
            "The length of results is not equal to the dataset len: 1 != 2");
  EXPECT_EQ(test::error_of([&] { dataset.evaluate_records(records, {"iou"}, {}); }),
            "metric iou is not supported");
  // A record for a video the annotations do not have.
  List wrong = records;
  wrong[1].mutable_dict().set("video_name", Value("v_test9"));
  EXPECT_EQ(
      test::error_of([&] { dataset.evaluate_records(wrong, {"AR@AN"}, {}); }),
      ann.string() + ": AR@AN: proposals for video 'test9', which the ground truth does not have");
  // Proposals without labels have no detection mAP.
  EXPECT_NE(
      test::error_of([&] { dataset.evaluate_records(records, {"mAP"}, {}); }).find("has no label"),
      std::string::npos);
  Dict bad_option;
  bad_option.set("max_avg_proposal", Value(10));
  Dict options;
  options.set("AR@AN", Value(bad_option));
  EXPECT_EQ(test::error_of([&] { dataset.evaluate_records(records, {"AR@AN"}, options); }),
            ann.string() + ": metric_options['AR@AN'] has no option 'max_avg_proposal'");
  // An annotation file whose video has no 'annotations' loads, but cannot be evaluated.
  const auto bad = dir.write("bad.json", R"({"v_x1": {"duration_second": 3}})");
  ActivityNetDataset no_annotations = dataset_of(bad);
  Dict r;
  r.set("video_name", Value("v_x1"));
  r.set("proposal_list", Value::list());
  EXPECT_EQ(test::error_of([&] { no_annotations.evaluate_records({Value(r)}, {"AR@AN"}, {}); }),
            bad.string() + ": video 'v_x1' has no 'annotations'");
  List no_list = records;
  no_list[0].mutable_dict().erase("proposal_list");
  EXPECT_EQ(test::error_of([&] { dataset.evaluate_records(no_list, {"AR@AN"}, {}); }),
            "results: record 0 (video 'v_test1') has no 'proposal_list'");
}

}  // namespace
}  // namespace tubelet::activitynet_evaluation_test
