// mean_class_accuracy, confusion_matrix, top_k_classes and the mAPs against MMAction2's values
// (golden/metrics/classification.json, ties included) and hand-computed cases.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>

#include "support/paths.h"
#include "tubelet/args_convert.h"
#include "tubelet/config/dump.h"
#include "tubelet/evaluation/average_precision.h"
#include "tubelet/evaluation/class_accuracy.h"
#include "tubelet/evaluation/confusion_matrix.h"

namespace tubelet::classification_metrics_test {
namespace {

torch::Tensor matrix(const Value& rows) {
  std::vector<torch::Tensor> out;
  for (const Value& row : rows.as_list())
    out.push_back(
        torch::tensor(ArgConverter<std::vector<double>>::from(row).value(), torch::kDouble));
  return torch::stack(out);
}

std::vector<int64_t> ints(const Value& v) {
  return ArgConverter<std::vector<int64_t>>::from(v).value();
}

Dict golden_metrics() {
  auto file = test::shared_dir() / "golden/metrics/classification.json";
  return test::decode_golden(from_json(test::read_text(file), file.string())).as_dict();
}

TEST(MeanClassAccuracy, HandComputed) {
  // argmax takes the lower index on ties: predictions 0, 1, 0, 2.
  auto scores = torch::tensor({{0.5, 0.5, 0.0}, {0.1, 0.8, 0.1}, {0.4, 0.4, 0.2}, {0., 0., 1.}},
                              torch::kDouble);
  // Class 0: 1 of 2 right; class 1: 1 of 1; class 2 is never a label but predicted: 0.
  EXPECT_DOUBLE_EQ(mean_class_accuracy(scores, {0, 1, 1, 0}), (0.5 + 0.5 + 0.0) / 3);
  EXPECT_DOUBLE_EQ(mean_class_accuracy(scores, {0, 1, 0, 2}), 1.0);
}

TEST(ConfusionMatrix, HandComputedAndErrors) {
  ConfusionMatrix cm = confusion_matrix({0, 5, 5}, {5, 5, 0});
  EXPECT_EQ(cm.labels, (std::vector<int64_t>{0, 5}));
  EXPECT_TRUE(cm.matrix.equal(torch::tensor({{0, 1}, {1, 1}}, torch::kLong)));
  ConfusionMatrix none_real = confusion_matrix({1, 1}, {0, 0}, std::string("pred"));
  // Column 0 has no predictions: 0/0 becomes 0.
  EXPECT_TRUE(none_real.matrix.equal(torch::tensor({{0.0, 1.0}, {0.0, 0.0}}, torch::kDouble)));
  EXPECT_NE(test::error_of([] {
              confusion_matrix({0}, {0}, std::string("rows"));
            }).find("normalize must be one of"),
            std::string::npos);
  EXPECT_NE(test::error_of([] {
              confusion_matrix({0, 1}, {0});
            }).find("2 predictions"),
            std::string::npos);
}

TEST(AveragePrecision, HandComputed) {
  // Scores 0.9(+) 0.8(-) 0.7(+): precision at the positives 1 and 2/3 -> AP 5/6.
  EXPECT_DOUBLE_EQ(average_precision({0.9, 0.8, 0.7}, {1, 0, 1}), (1.0 + 2.0 / 3) / 2);
  // A tie between a positive and a negative counts as one threshold: precision 1/2.
  EXPECT_DOUBLE_EQ(average_precision({0.5, 0.5}, {1, 0}), 0.5);
  EXPECT_TRUE(std::isnan(average_precision({0.5, 0.2}, {0, 0})));
  auto scores = torch::tensor({{0.9, 0.1}, {0.2, 0.8}}, torch::kDouble);
  auto labels = torch::tensor({{1.0, 0.0}, {0.0, 0.0}}, torch::kDouble);
  // Class 1 has no positive: left out of mean_average_precision, NaN in the MMIT mean.
  EXPECT_DOUBLE_EQ(mean_average_precision(scores, labels), 1.0);
  EXPECT_TRUE(std::isnan(mmit_mean_average_precision(scores, labels)));
}

TEST(ClassificationMetricsGolden, SingleLabelSets) {
  TUBELET_REQUIRE_SHARED();
  Dict golden = golden_metrics();
  for (const char* name : {"single_randn", "single_ties_missing_class"}) {
    const Dict& c = golden.at(name).as_dict();
    torch::Tensor scores = matrix(c.at("scores"));
    std::vector<int64_t> labels = ints(c.at("labels"));
    EXPECT_NEAR(mean_class_accuracy(scores, labels), c.at("mean_class_accuracy").as_float(), 1e-12)
        << name;
    std::vector<int64_t> pred = argmax_rows(scores);
    EXPECT_EQ(pred, ints(c.at("argmax_pred"))) << name;
    const Dict& cms = c.at("confusion_matrix").as_dict();
    for (const char* norm : {"None", "true", "pred", "all"}) {
      std::optional<std::string> how;
      if (std::string(norm) != "None") how = norm;
      ConfusionMatrix cm = confusion_matrix(pred, labels, how);
      EXPECT_EQ(cm.labels, ints(c.at("label_set"))) << name;
      EXPECT_TRUE(torch::allclose(cm.matrix.to(torch::kDouble), matrix(cms.at(norm)), 0, 1e-12))
          << name << " normalize=" << norm << "\n"
          << cm.matrix;
    }
    for (const char* mode : {"accurate", "inaccurate"}) {
      auto got = top_k_classes(scores, labels, 3, mode);
      const List& expected = c.at("top_k_classes").as_dict().at(mode).as_list();
      ASSERT_EQ(got.size(), expected.size());
      for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].first, expected[i].as_list()[0].as_int()) << name << " " << mode;
        EXPECT_NEAR(got[i].second, expected[i].as_list()[1].as_float(), 1e-12);
      }
    }
    torch::Tensor onehot = torch::eye(7, torch::kDouble).index_select(0, torch::tensor(labels));
    EXPECT_NEAR(mmit_mean_average_precision(scores, onehot),
                c.at("onehot_mmit_mean_average_precision").as_float(), 1e-12)
        << name;
    EXPECT_NEAR(mean_average_precision(scores, onehot),
                c.at("onehot_mean_average_precision").as_float(), 1e-12)
        << name;
  }
}

TEST(ClassificationMetricsGolden, MultiLabelSet) {
  TUBELET_REQUIRE_SHARED();
  Dict golden = golden_metrics();
  const Dict& c = golden.at("multilabel").as_dict();
  torch::Tensor scores = matrix(c.at("scores")), labels = matrix(c.at("labels"));
  EXPECT_NEAR(mmit_mean_average_precision(scores, labels),
              c.at("mmit_mean_average_precision").as_float(), 1e-12);
  EXPECT_NEAR(mean_average_precision(scores, labels), c.at("mean_average_precision").as_float(),
              1e-12);
}

}  // namespace
}  // namespace tubelet::classification_metrics_test
