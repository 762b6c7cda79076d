#include "tubelet/analysis/report_accuracy.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tubelet/checkpoint/results_file.h"
#include "tubelet/evaluation/class_accuracy.h"
#include "tubelet/evaluation/top_k_accuracy.h"

namespace tubelet::analysis {

std::vector<int64_t> read_datalist_labels(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open data list " + path.string());
  std::vector<int64_t> labels;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::istringstream fields(line);
    std::string field, last;
    while (fields >> field) last = field;
    const std::string where = path.string() + ":" + std::to_string(number);
    if (last.empty()) throw std::runtime_error(where + ": an empty line (no label)");
    char* end = nullptr;
    errno = 0;
    const long long label = std::strtoll(last.c_str(), &end, 10);
    if (*end != '\0' || errno || !std::isdigit(static_cast<unsigned char>(last.back())))
      throw std::runtime_error(where + ": the last field '" + last + "' is not an int label");
    labels.push_back(label);
  }
  return labels;
}

torch::Tensor fuse_scores(const std::vector<torch::Tensor>& scores,
                          const std::vector<double>& coefficients, bool apply_softmax) {
  if (scores.size() != coefficients.size())
    throw std::invalid_argument("there must be one coefficient per score file (" +
                                std::to_string(scores.size()) + " score files, " +
                                std::to_string(coefficients.size()) + " coefficients)");
  if (scores.empty()) throw std::invalid_argument("no score files to fuse");
  torch::Tensor fused;
  for (size_t i = 0; i < scores.size(); ++i) {
    torch::Tensor s = scores[i].detach().to(torch::kCPU);
    if (s.sizes() != scores[0].sizes())
      throw std::invalid_argument("score file " + std::to_string(i + 1) + " has shape " +
                                  c10::str(s.sizes()) + ", file 1 " + c10::str(scores[0].sizes()));
    if (apply_softmax && s.size(0) > 0) {  // scipy.special.softmax(score): over the whole row
      torch::Tensor flat = s.reshape({s.size(0), -1});
      torch::Tensor e = (flat - std::get<0>(flat.max(1, true))).exp();
      s = (e / e.sum(1, true)).reshape(s.sizes());
    }
    torch::Tensor term = s.to(torch::kDouble) * coefficients[i];
    fused = i == 0 ? term : fused + term;
  }
  return fused;
}

AccuracyReport report_accuracy(const ReportAccuracyOptions& o) {
  if (o.scores.size() != o.coefficients.size())
    throw std::invalid_argument("--scores and --coefficients must have one entry each per file (" +
                                std::to_string(o.scores.size()) + " score files, " +
                                std::to_string(o.coefficients.size()) + " coefficients)");
  std::vector<torch::Tensor> scores;
  for (const std::string& file : o.scores) {
    ResultsFile r = load_results_file(file);
    if (!r.rows || r.rows->dim() < 2)
      throw std::invalid_argument(file + ": not a list of score arrays (a recognizer's results)");
    if (!scores.empty() && r.rows->size(0) != scores[0].size(0))
      throw std::invalid_argument(file + " has " + std::to_string(r.rows->size(0)) + " videos, " +
                                  o.scores[0] + " " + std::to_string(scores[0].size(0)));
    scores.push_back(*r.rows);
  }
  torch::Tensor fused = fuse_scores(scores, o.coefficients, o.apply_softmax);
  if (fused.dim() != 2)
    throw std::invalid_argument("the scores must be one row of class scores per video (got " +
                                c10::str(scores[0].sizes()) + ")");
  const std::vector<int64_t> labels = read_datalist_labels(o.datalist);
  if (static_cast<int64_t>(labels.size()) != fused.size(0))
    throw std::invalid_argument(o.datalist + " has " + std::to_string(labels.size()) +
                                " labels for " + std::to_string(fused.size(0)) + " videos");
  for (size_t i = 0; i < labels.size(); ++i)
    if (labels[i] < 0 || labels[i] >= fused.size(1))
      throw std::invalid_argument(o.datalist + ":" + std::to_string(i + 1) + ": label " +
                                  std::to_string(labels[i]) + " is not one of the " +
                                  std::to_string(fused.size(1)) + " classes");
  AccuracyReport report;
  report.mean_class_accuracy = mean_class_accuracy(fused, labels);
  const std::vector<double> topk = top_k_accuracy(fused, torch::tensor(labels), {1, 5});
  report.top1 = topk[0];
  report.top5 = topk[1];
  return report;
}

std::string format_accuracy_report(const AccuracyReport& r) {
  char text[160];
  std::snprintf(text, sizeof text,
                "Mean Class Accuracy: %.4f\nTop 1 Accuracy: %.4f\nTop 5 Accuracy: %.4f\n",
                r.mean_class_accuracy, r.top1, r.top5);
  return text;
}

}  // namespace tubelet::analysis
