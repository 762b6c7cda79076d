#include "tubelet/evaluation/ava/ava_evaluation.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <stdexcept>

#include "tubelet/evaluation/localization/numpy_argsort.h"
#include "tubelet/evaluation/localization/numpy_reductions.h"

namespace tubelet {

namespace {

std::vector<std::string> ava_eval_read_lines(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("AVA evaluation: cannot open " + std::string(what) + " '" + path +
                             "'");
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

std::string ava_eval_strip(const std::string& s) {
  const char* ws = " \t\n\r\f\v";
  const size_t b = s.find_first_not_of(ws);
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

std::string ava_eval_at(const std::string& path, size_t line) {
  return path + ":" + std::to_string(line);
}

// Python's int() of a field (surrounding whitespace allowed).
int64_t ava_eval_int(const std::string& text, const std::string& at, const char* what) {
  const std::string s = ava_eval_strip(text);
  errno = 0;
  char* end = nullptr;
  const long long v = s.empty() ? 0 : std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || errno == ERANGE)
    throw std::runtime_error(at + ": " + what + " '" + text + "' is not an integer");
  return static_cast<int64_t>(v);
}

// Python's float() of a field.
double ava_eval_float(const std::string& text, const std::string& at, const char* what) {
  const std::string s = ava_eval_strip(text);
  char* end = nullptr;
  const double v = s.empty() ? 0 : std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || s.find_first_of("xXpP") != std::string::npos)
    throw std::runtime_error(at + ": " + what + " '" + text + "' is not a number");
  return v;
}

// csv.reader's row of an unquoted line; an empty line is an empty row.
std::vector<std::string> ava_eval_split_csv(const std::string& line) {
  std::vector<std::string> row;
  if (line.empty()) return row;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    row.push_back(
        line.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return row;
}

// PerImageEvaluation._compute_tp_fp_for_single_class: greedy matching in detection order,
// each detection to the ground truth box of largest IoU (the first on ties).
std::vector<bool> ava_eval_tp_fp(const std::vector<std::array<double, 4>>& det,
                                 const std::vector<std::array<double, 4>>& gt, double threshold) {
  std::vector<bool> tp(det.size(), false);
  if (gt.empty()) return tp;
  std::vector<bool> gt_detected(gt.size(), false);
  for (size_t i = 0; i < det.size(); ++i) {
    const auto& d = det[i];
    const double area1 = (d[2] - d[0]) * (d[3] - d[1]);
    size_t best = 0;
    double best_iou = 0;
    for (size_t j = 0; j < gt.size(); ++j) {
      const auto& g = gt[j];
      const double h = std::max(0.0, std::min(d[2], g[2]) - std::max(d[0], g[0]));
      const double w = std::max(0.0, std::min(d[3], g[3]) - std::max(d[1], g[1]));
      const double inter = h * w;
      const double area2 = (g[2] - g[0]) * (g[3] - g[1]);
      const double iou = inter / (area1 + area2 - inter);
      // np.argmax: the first maximum; a NaN is the maximum at once.
      if (j == 0 || (!std::isnan(best_iou) && (iou > best_iou || std::isnan(iou)))) {
        best = j;
        best_iou = iou;
      }
    }
    if (best_iou >= threshold && !gt_detected[best]) {
      tp[i] = true;
      gt_detected[best] = true;
    }
  }
  return tp;
}

// metrics.compute_precision_recall + compute_average_precision.
double ava_eval_average_precision(const std::vector<double>& scores, const std::vector<bool>& tp,
                                  int64_t num_gt) {
  if (scores.empty()) return 0.0;
  std::vector<size_t> order = numpy_argsort(scores);
  std::reverse(order.begin(), order.end());
  const size_t n = order.size();
  std::vector<double> recall(n + 2), precision(n + 2);
  int64_t cum_tp = 0, cum_fp = 0;
  for (size_t k = 0; k < n; ++k) {
    const int64_t t = tp[order[k]] ? 1 : 0;
    cum_tp += t;
    cum_fp += 1 - t;
    precision[k + 1] = static_cast<double>(cum_tp) / static_cast<double>(cum_tp + cum_fp);
    recall[k + 1] = static_cast<double>(cum_tp) / static_cast<double>(num_gt);
  }
  recall[0] = 0;
  recall[n + 1] = 1;
  precision[0] = 0;
  precision[n + 1] = 0;
  for (size_t i = n + 1; i-- > 0;) precision[i] = std::max(precision[i], precision[i + 1]);
  std::vector<double> parts;
  for (size_t i = 1; i < n + 2; ++i)
    if (recall[i] != recall[i - 1]) parts.push_back((recall[i] - recall[i - 1]) * precision[i]);
  return numpy_sum(parts);
}

}  // namespace

std::string ava_image_key(const std::string& video_id, int64_t timestamp) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld", static_cast<long long>(timestamp));
  return video_id + "," + buf;
}

AvaLabelMap read_ava_labelmap(const std::string& path) {
  AvaLabelMap map;
  std::string name;
  const std::vector<std::string> lines = ava_eval_read_lines(path, "label map");
  for (size_t n = 0; n < lines.size(); ++n) {
    const std::string& line = lines[n];
    if (line.rfind("  name:", 0) == 0) {
      const size_t q = line.find('"');
      if (q == std::string::npos)
        throw std::runtime_error(ava_eval_at(path, n + 1) + ": the name is not in quotes");
      const size_t q2 = line.find('"', q + 1);
      name = line.substr(q + 1, q2 == std::string::npos ? std::string::npos : q2 - q - 1);
    } else if (line.rfind("  id:", 0) == 0 || line.rfind("  label_id:", 0) == 0) {
      const std::string s = ava_eval_strip(line);
      const int64_t id =
          ava_eval_int(s.substr(s.rfind(' ') + 1), ava_eval_at(path, n + 1), "class id");
      map.categories.emplace_back(id, name);
      map.class_ids.insert(id);
    }
  }
  return map;
}

AvaCsvBoxes read_ava_csv(const std::string& path, const std::vector<int64_t>& class_whitelist) {
  struct Entry {
    double score;
    int64_t label;
    std::array<double, 4> box;
  };
  std::map<std::string, std::vector<Entry>> entries;
  AvaCsvBoxes out;
  const std::vector<std::string> lines = ava_eval_read_lines(path, "CSV file");
  for (size_t n = 0; n < lines.size(); ++n) {
    const std::string at = ava_eval_at(path, n + 1);
    const std::vector<std::string> row = ava_eval_split_csv(lines[n]);
    if (row.size() != 7 && row.size() != 8)
      throw std::runtime_error(at + ": wrong number of columns: " + std::to_string(row.size()) +
                               " (7 or 8: video_id, timestamp, x1, y1, x2, y2, action_id[, "
                               "score])");
    const std::string key = ava_image_key(row[0], ava_eval_int(row[1], at, "timestamp"));
    std::array<double, 4> xyxy{};
    for (size_t i = 0; i < 4; ++i) xyxy[i] = ava_eval_float(row[2 + i], at, "box coordinate");
    const int64_t action = ava_eval_int(row[6], at, "action id");
    if (!class_whitelist.empty() &&
        std::find(class_whitelist.begin(), class_whitelist.end(), action) == class_whitelist.end())
      continue;
    const double score = row.size() == 8 ? ava_eval_float(row[7], at, "score") : 1.0;
    auto [it, fresh] = entries.try_emplace(key);
    if (fresh) out.keys.push_back(key);
    it->second.push_back({score, action, {xyxy[1], xyxy[0], xyxy[3], xyxy[2]}});
  }
  for (const std::string& key : out.keys) {
    std::vector<Entry>& e = entries[key];
    std::stable_sort(e.begin(), e.end(),
                     [](const Entry& a, const Entry& b) { return -a.score < -b.score; });
    AvaCsvBoxes::Image& image = out.images[key];
    for (const Entry& x : e) {
      image.boxes.push_back(x.box);
      image.labels.push_back(x.label);
      image.scores.push_back(x.score);
    }
  }
  return out;
}

std::set<std::string> read_ava_exclusions(const std::string& path) {
  std::set<std::string> excluded;
  const std::vector<std::string> lines = ava_eval_read_lines(path, "exclusions file");
  for (size_t n = 0; n < lines.size(); ++n) {
    const std::vector<std::string> row = ava_eval_split_csv(lines[n]);
    const std::string at = ava_eval_at(path, n + 1);
    if (row.size() != 2)
      throw std::runtime_error(at + ": expected only 2 columns (video_id, timestamp), got " +
                               std::to_string(row.size()));
    excluded.insert(ava_image_key(row[0], ava_eval_int(row[1], at, "timestamp")));
  }
  return excluded;
}

void write_ava_results_csv(const std::string& path, const std::vector<AvaDetectionRow>& rows) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw std::runtime_error("AVA results: cannot write '" + path + "'");
  char buf[64];
  for (const AvaDetectionRow& r : rows) {
    out << r.video_id << ',' << r.timestamp;
    for (double x : r.box) {
      std::snprintf(buf, sizeof buf, ",%.3f", x);
      out << buf;
    }
    out << ',' << r.label;
    std::snprintf(buf, sizeof buf, ",%.3f", r.score);
    out << buf << '\n';
  }
  if (!out) throw std::runtime_error("AVA results: writing '" + path + "' failed");
}

AvaEvalResult ava_pascal_evaluate(const std::vector<std::pair<int64_t, std::string>>& categories,
                                  const AvaCsvBoxes& ground_truth, const AvaCsvBoxes& detections,
                                  const std::set<std::string>& excluded, double iou_threshold) {
  if (categories.empty()) throw std::invalid_argument("AVA evaluation: the label map is empty");
  int64_t num_class = 0, min_id = categories.front().first;
  for (const auto& c : categories) {
    num_class = std::max(num_class, c.first);
    min_id = std::min(min_id, c.first);
  }
  if (min_id < 1) throw std::invalid_argument("AVA evaluation: Classes should be 1-indexed.");
  const auto classes = static_cast<size_t>(num_class);
  std::vector<int64_t> num_gt(classes, 0);
  for (const std::string& key : ground_truth.keys) {
    if (excluded.count(key)) continue;
    for (int64_t label : ground_truth.images.at(key).labels) {
      if (label < 1 || label > num_class)
        throw std::invalid_argument("AVA evaluation: ground truth of " + key + " has class " +
                                    std::to_string(label) + ", outside the label map's 1.." +
                                    std::to_string(num_class));
      ++num_gt[static_cast<size_t>(label - 1)];
    }
  }
  std::vector<std::vector<double>> scores(classes);
  std::vector<std::vector<bool>> tp_fp(classes);
  static const AvaCsvBoxes::Image no_gt;
  for (const std::string& key : detections.keys) {
    if (excluded.count(key)) continue;
    const AvaCsvBoxes::Image& det = detections.images.at(key);
    auto gt_it = ground_truth.images.find(key);
    const AvaCsvBoxes::Image& gt = gt_it == ground_truth.images.end() ? no_gt : gt_it->second;
    for (size_t c = 0; c < classes; ++c) {
      const auto label = static_cast<int64_t>(c) + 1;
      std::vector<std::array<double, 4>> det_boxes, gt_boxes;
      std::vector<double> det_scores;
      for (size_t i = 0; i < det.boxes.size(); ++i) {
        const auto& b = det.boxes[i];
        if (!(b[0] < b[2] && b[1] < b[3])) continue;  // _remove_invalid_boxes
        if (det.labels[i] != label) continue;
        det_boxes.push_back(b);
        det_scores.push_back(det.scores[i]);
      }
      if (det_boxes.empty()) continue;
      for (size_t j = 0; j < gt.boxes.size(); ++j)
        if (gt.labels[j] == label) gt_boxes.push_back(gt.boxes[j]);
      const std::vector<bool> tp = ava_eval_tp_fp(det_boxes, gt_boxes, iou_threshold);
      scores[c].insert(scores[c].end(), det_scores.begin(), det_scores.end());
      tp_fp[c].insert(tp_fp[c].end(), tp.begin(), tp.end());
    }
  }
  std::vector<double> ap(classes, std::numeric_limits<double>::quiet_NaN());
  for (size_t c = 0; c < classes; ++c)
    if (num_gt[c] > 0) ap[c] = ava_eval_average_precision(scores[c], tp_fp[c], num_gt[c]);
  // np.nanmean: the sum with NaNs as zeros over the count of the others.
  std::vector<double> zeroed;
  size_t count = 0;
  for (double x : ap) {
    zeroed.push_back(std::isnan(x) ? 0.0 : x);
    count += std::isnan(x) ? 0 : 1;
  }
  AvaEvalResult result;
  result.mean_ap = count == 0 ? std::numeric_limits<double>::quiet_NaN()
                              : numpy_sum(zeroed) / static_cast<double>(count);
  std::map<int64_t, std::string> index;  // create_category_index: the last name of an id
  for (const auto& [id, name] : categories) index[id] = name;
  for (const auto& [id, name] : index)
    result.per_class.push_back({id, name, ap[static_cast<size_t>(id - 1)]});
  return result;
}

AvaEvalResult ava_eval(const std::string& result_file, const std::string& label_file,
                       const std::string& ann_file, const std::optional<std::string>& exclude_file,
                       const std::vector<int64_t>& custom_classes) {
  AvaLabelMap map = read_ava_labelmap(label_file);
  std::vector<int64_t> whitelist(map.class_ids.begin(), map.class_ids.end());
  std::vector<std::pair<int64_t, std::string>> categories = map.categories;
  if (!custom_classes.empty()) {
    whitelist.assign(custom_classes.begin() + 1, custom_classes.end());
    for (int64_t id : whitelist)
      if (!map.class_ids.count(id))
        throw std::invalid_argument("AVA evaluation: custom class " + std::to_string(id) +
                                    " is not in the label map " + label_file);
    std::vector<std::pair<int64_t, std::string>> kept;
    for (const auto& c : categories)
      if (std::find(whitelist.begin(), whitelist.end(), c.first) != whitelist.end())
        kept.push_back(c);
    categories = std::move(kept);
  }
  const AvaCsvBoxes gt = read_ava_csv(ann_file, whitelist);
  const std::set<std::string> excluded =
      exclude_file ? read_ava_exclusions(*exclude_file) : std::set<std::string>{};
  const AvaCsvBoxes det = read_ava_csv(result_file, whitelist);
  return ava_pascal_evaluate(categories, gt, det, excluded);
}

}  // namespace tubelet
