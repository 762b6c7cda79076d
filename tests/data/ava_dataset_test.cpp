// AVADataset against MMAction2 0.24.1's own (tests/fixtures/ava_data/expected.json, made by
// tools/fixtures/make_ava_data_fixtures.py from MMAction2's tests/data/ava_dataset): infos,
// prepared samples, evaluate and dump_results; and its errors.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "support/paths.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"
#include "tubelet/data/datasets/ava_dataset.h"
#include "tubelet/data/registries.h"

namespace ava_dataset_test {

using namespace tubelet;
using tubelet::test::error_of;

std::filesystem::path ava_data(const std::string& f) {
  return tubelet::test::source_dir() / "tests/fixtures/ava_data" / f;
}

const Value& expected() {
  static const Value v = from_json(tubelet::test::read_text(ava_data("expected.json")));
  return v;
}

std::string q(const std::filesystem::path& p) {
  return "'" + p.string() + "'";
}

std::shared_ptr<Dataset> build(const std::string& extra, const std::string& ann = "",
                               const std::string& exclude = "") {
  const std::string text =
      "dataset = dict(type='AVADataset', ann_file=" +
      (ann.empty() ? q(ava_data("ava_sample.csv")) : ann) + ", exclude_file=" +
      (exclude.empty() ? q(ava_data("ava_excluded_timestamps_sample.csv")) : exclude) +
      ", pipeline=[], data_prefix=" + q(ava_data("rawframes")) + extra + ")\n";
  Dict cfg = load_config_text(text, "ava_dataset_test.py");
  return DATASETS().build(cfg.at("dataset"), BuildContext("data.test"));
}

// MMAction2's array {dtype, shape, data} against a tensor: same dtype, shape and values.
void expect_array(const Value& a, const torch::Tensor& t, const std::string& what) {
  const Dict& d = a.as_dict();
  const std::string dtype = d.at("dtype").as_str();
  const torch::ScalarType want = dtype == "float64"   ? torch::kFloat64
                                 : dtype == "float32" ? torch::kFloat32
                                                      : torch::kInt64;
  EXPECT_EQ(t.scalar_type(), want) << what;
  std::vector<int64_t> shape;
  for (const Value& s : d.at("shape").as_list()) shape.push_back(s.as_int());
  ASSERT_EQ(t.sizes().vec(), shape) << what;
  const torch::Tensor flat = t.to(torch::kFloat64).contiguous().flatten();
  const List& data = d.at("data").as_list();
  ASSERT_EQ(static_cast<size_t>(flat.numel()), data.size()) << what;
  for (size_t i = 0; i < data.size(); ++i)
    EXPECT_EQ(flat[static_cast<int64_t>(i)].item<double>(), data[i].as_float())
        << what << "[" << i << "]";
}

void flatten_into(const Value& v, List& out) {
  if (!v.is_sequence()) {
    out.push_back(v);
    return;
  }
  for (const Value& x : v.as_list()) flatten_into(x, out);
}

// A plain value against MMAction2's (arrays there are (nested) lists here, tuples lists).
void expect_plain(const Value& mm, const Value& ours, const std::string& what) {
  const bool array = mm.is_dict() && mm.as_dict().contains("dtype");
  if (array || mm.is_list()) {
    ASSERT_TRUE(ours.is_sequence()) << what;
    List flat, data;
    flatten_into(ours, flat);
    flatten_into(array ? mm.as_dict().at("data") : mm, data);
    ASSERT_EQ(flat.size(), data.size()) << what;
    for (size_t i = 0; i < data.size(); ++i) {
      EXPECT_EQ(flat[i].as_float(), data[i].as_float()) << what;
      EXPECT_EQ(flat[i].is_int(), data[i].is_int()) << what;
    }
    return;
  }
  EXPECT_EQ(tubelet::test::json_difference(ours, mm, 0, 0), "") << what;
}

std::string with_prefix(const std::string& s) {
  const std::string p = "<prefix>";
  if (s.rfind(p, 0) != 0) return s;
  return std::filesystem::canonical(ava_data("rawframes")).string() + s.substr(p.size());
}

std::string args_text(const Dict& args) {
  std::string out;
  for (const auto& [k, v] : args.items()) {
    out += ", " + k.as_str() + "=" + (v.is_bool() ? (v.as_bool() ? "True" : "False") : repr(v));
  }
  return out;
}

TEST(AvaDataset, InfosAndPreparedSamplesMatchMMAction2) {
  const Dict& cases = expected().as_dict().at("datasets").as_dict();
  const std::map<std::string, std::string> files = {
      {"train", ", proposal_file=" + q(ava_data("ava_proposals_sample.pkl"))},
      {"test", ", proposal_file=" + q(ava_data("ava_proposals_sample.pkl"))},
      {"custom", ", proposal_file=" + q(ava_data("ava_proposals_sample.pkl")) +
                     ", label_file=" + q(ava_data("action_list.txt"))},
      {"thr_low", ", proposal_file=" + q(ava_data("ava_proposals_sample.pkl"))},
      {"partial", ", proposal_file=" + q(ava_data("ava_proposals_partial.pkl"))},
      {"no_proposals", ""}};
  for (const auto& [name, c] : cases.items()) {
    SCOPED_TRACE(name.as_str());
    const Dict& e = c.as_dict();
    auto ds = build(files.at(name.as_str()) + args_text(e.at("args").as_dict()));
    const List& infos = e.at("infos").as_list();
    ASSERT_EQ(ds->size(), static_cast<int64_t>(infos.size()));
    for (size_t i = 0; i < infos.size(); ++i) {
      const Dict& mm = infos[i].as_dict();
      const Dict& ours = ds->info(static_cast<int64_t>(i));
      ASSERT_EQ(ours.size(), mm.size());
      for (const auto& [k, v] : mm.items()) {
        const std::string key = k.as_str();
        if (key == "frame_dir") {
          EXPECT_EQ(ours.at(key).as_str(), with_prefix(v.as_str()));
        } else if (key == "ann") {
          for (const auto& [ak, av] : v.as_dict().items())
            expect_plain(av, ours.at("ann").as_dict().at(ak.as_str()), "ann." + ak.as_str());
        } else {
          expect_plain(v, ours.at(key), key);
        }
      }
      // prepare_test_frames with an empty pipeline.
      const Sample s = ds->get(static_cast<int64_t>(i), 0);
      const Dict& prepared = e.at("prepared").as_list()[i].as_dict();
      size_t tensors = 0;
      for (const auto& [k, v] : prepared.items()) {
        const std::string key = k.as_str();
        if (const torch::Tensor* t = s.tensor(key)) {
          expect_array(v, *t, key);
          ++tensors;
        } else if (key == "frame_dir") {
          EXPECT_EQ(s.info.at(key).as_str(), with_prefix(v.as_str()));
        } else {
          ASSERT_TRUE(s.info.contains(key)) << key;
          expect_plain(v, s.info.at(key), key);
        }
      }
      EXPECT_EQ(tensors, s.tensors.size());
      EXPECT_EQ(s.info.size() + s.tensors.size(), prepared.size());
    }
  }
}

List results_of(const Value& v) {
  return v.as_list();
}

TEST(AvaDataset, EvaluateAndDumpResultsMatchMMAction2) {
  const Dict& e = expected().as_dict().at("dataset_evaluation").as_dict();
  const std::string gt = q(ava_data("eval_detection/gt.csv"));
  const std::string labels = ", label_file=" + q(ava_data("eval_detection/action_list.txt"));
  auto ds = build(labels + ", num_classes=4", gt, "None");
  const Dict& fake = e.at("fake").as_dict();
  Dict r = ds->evaluate_records(results_of(fake.at("results")), {"mAP"}, {});
  EXPECT_EQ(r.at("mAP@0.5IOU").as_float(), fake.at("mAP").as_float());
  EXPECT_NEAR(r.at("mAP@0.5IOU").as_float(), 0.027777778, 1e-9);  // MMAction2's test
  EXPECT_EQ(r.size(), 1u);

  auto custom = build(labels + ", num_classes=3, custom_classes=[1, 3]", gt, "None");
  const Dict& fc = e.at("fake_custom").as_dict();
  EXPECT_EQ(
      custom->evaluate_records(results_of(fc.at("results")), {}, {}).at("mAP@0.5IOU").as_float(),
      fc.at("mAP").as_float());

  const Dict& rc = e.at("results2csv").as_dict();
  const auto out = std::filesystem::temp_directory_path() / "ava_dataset_test_results.csv";
  Dict config;
  config.set("out", Value(out.string()));
  ds->dump_records(results_of(rc.at("results")), config);
  EXPECT_EQ(tubelet::test::read_text(out), rc.at("text").as_str());
  EXPECT_EQ(
      ds->evaluate_records(results_of(rc.at("results")), {"mAP"}, {}).at("mAP@0.5IOU").as_float(),
      rc.at("mAP").as_float());

  EXPECT_NE(error_of([&] {
              ds->evaluate_records(results_of(fake.at("results")), {"top1"}, {});
            }).find("you need to use metrics \"mAP\""),
            std::string::npos);
  Dict bad;
  bad.set("out", Value("x.json"));
  EXPECT_NE(error_of([&] {
              ds->dump_records(results_of(fake.at("results")), bad);
            }).find("must be a .csv"),
            std::string::npos);
  List two = results_of(fake.at("results"));
  two.pop_back();
  EXPECT_NE(error_of([&] {
              ds->evaluate_records(two, {"mAP"}, {});
            }).find("2 results for a dataset of 3 samples"),
            std::string::npos);
}

std::filesystem::path write_temp(const std::string& name, const std::string& text) {
  auto p = std::filesystem::temp_directory_path() / ("ava_dataset_test_" + name);
  std::ofstream(p) << text;
  return p;
}

TEST(AvaDataset, ErrorsNameTheFileAndLine) {
  const auto short_line = write_temp("short.csv", "v,0902,0.1,0.2,0.3,0.4,12,0\nv,0902,0.1\n");
  EXPECT_NE(error_of([&] {
              build("", q(short_line), "None");
            }).find("ava_dataset_test_short.csv:2: expected 8 comma-separated fields"),
            std::string::npos);
  const auto bad_label = write_temp("label.csv", "v,0902,0.1,0.2,0.3,0.4,95,0\n");
  EXPECT_NE(error_of([&] {
              build("", q(bad_label), "None");
            }).find("label.csv:1: action_id 95 is outside the 81 classes"),
            std::string::npos);
  const auto bad_box = write_temp("box.csv", "v,0902,0.1,x,0.3,0.4,5,0\n");
  EXPECT_NE(error_of([&] {
              build("", q(bad_box), "None");
            }).find("box.csv:1: box coordinate 'x' is not a number"),
            std::string::npos);
  const auto bad_exclude = write_temp("exclude.csv", "v,0902\nv\n");
  EXPECT_NE(error_of([&] { build("", "", q(bad_exclude)); }).find("exclude.csv:2"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              build(", label_file=" + q(ava_data("action_list.txt")) +
                    ", custom_classes=[17, 42], num_classes=3");
            }).find("custom class 42 is not in the label_file"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              build(", label_file=" + q(ava_data("action_list.txt")) + ", custom_classes=[17, 79]");
            }).find("num_classes (81) must be len(custom_classes) + 1 (3)"),
            std::string::npos);
  EXPECT_NE(error_of([&] { build(", person_det_score_thr=1.5"); }).find("person_det_score_thr"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              build(", proposal_file=" + q(ava_data("action_list.txt")));
            }).find("AVADataset: proposal_file:"),
            std::string::npos);
  EXPECT_NE(
      error_of([&] {
        build(", test_mode=True, proposal_file=" + q(ava_data("ava_proposals_bad.pkl")))->get(0, 0);
      }).find("'0f39OWEqJ24,0902' must be an [n, 4] or [n, 5] array, got shape [1, 3]"),
      std::string::npos);
  EXPECT_NE(error_of([&] { build(", colour='red'"); }).find("colour"), std::string::npos);
}

}  // namespace ava_dataset_test
