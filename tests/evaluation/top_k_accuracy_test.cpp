// top_k_accuracy against MMAction2's values (ties included) and a hand-computed case.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "support/paths.h"
#include "tubelet/args_convert.h"
#include "tubelet/config/dump.h"
#include "tubelet/evaluation/top_k_accuracy.h"

namespace tubelet::top_k_accuracy_test {
namespace {

torch::Tensor to_tensor(const Value& rows) {
  std::vector<torch::Tensor> out;
  for (const Value& row : rows.as_list()) {
    if (!row.is_sequence())
      return torch::tensor(ArgConverter<std::vector<int64_t>>::from(rows).value());
    std::vector<double> values;
    for (const Value& x : row.as_list()) values.push_back(x.as_float());
    out.push_back(torch::tensor(values, torch::kDouble));
  }
  return torch::stack(out);
}

TEST(TopKAccuracy, HandComputedWithTies) {
  auto scores = torch::tensor({{0.5, 0.5, 0.1}, {0.2, 0.7, 0.1}, {0.3, 0.3, 0.3}}, torch::kDouble);
  auto labels = torch::tensor({0, 1, 2}, torch::kLong);
  // Sample 0: class 1 ties with its label and ranks first (higher index): rank 1.
  // Sample 2: label 2 is the highest index of a three-way tie: rank 0.
  EXPECT_EQ(top_k_accuracy(scores, labels, {1, 2}), (std::vector<double>{2.0 / 3, 1.0}));
}

TEST(TopKAccuracyGolden, MatchesMmaction2) {
  TUBELET_REQUIRE_SHARED();
  auto file = test::shared_dir() / "golden/metrics/classification.json";
  Value golden = test::decode_golden(from_json(test::read_text(file), file.string()));
  for (const char* name : {"single_randn", "single_ties_missing_class"}) {
    const Dict& c = golden.as_dict().at(name).as_dict();
    const Dict& expected = c.at("top_k_accuracy").as_dict();
    auto topk = ArgConverter<std::vector<int64_t>>::from(expected.at("topk")).value();
    auto values = ArgConverter<std::vector<double>>::from(expected.at("values")).value();
    auto got = top_k_accuracy(to_tensor(c.at("scores")), to_tensor(c.at("labels")), topk);
    ASSERT_EQ(got.size(), values.size());
    for (size_t i = 0; i < got.size(); ++i)
      EXPECT_NEAR(got[i], values[i], 1e-12) << name << " k=" << topk[i];
  }
}

}  // namespace
}  // namespace tubelet::top_k_accuracy_test
