#include "tubelet/data/datasets/ssn_dataset.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace tubelet {

namespace {

std::string ssn_data_strip(const std::string& s) {
  const char* ws = " \t\r\n\f\v";
  const size_t b = s.find_first_not_of(ws);
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

std::vector<std::string> ssn_data_split(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

struct SSNFileContext {
  const std::string& file;
  const std::string& video;
  std::runtime_error error(const std::string& what) const {
    return std::runtime_error("SSN proposal file " + file + ", video '" + video + "': " + what);
  }
  int64_t to_int(const std::string& s, const std::string& what) const {
    size_t used = 0;
    int64_t v = 0;
    try {
      v = std::stoll(s, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != s.size()) throw error(what + " must be an integer, got '" + s + "'");
    return v;
  }
  double to_double(const std::string& s, const std::string& what) const {
    size_t used = 0;
    double v = 0;
    try {
      v = std::stod(s, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != s.size()) throw error(what + " must be a number, got '" + s + "'");
    return v;
  }
};

// proposal_utils.temporal_iou of two frame intervals (float64, as NumPy on Python ints).
double ssn_data_iou(double pmin, double pmax, double gmin, double gmax) {
  const double len = pmax - pmin;
  const double inter = std::max(std::min(pmax, gmax) - std::max(pmin, gmin), 0.);
  return inter / (len - inter + gmax - gmin);
}

}  // namespace

SSNInstance::SSNInstance(int64_t start, int64_t end, int64_t num_frames,
                         std::optional<int64_t> label_, double best_iou_, double overlap_self_)
    : start_frame(start),
      end_frame(std::min(end, num_frames)),
      num_video_frames(num_frames),
      label(label_.value_or(-1)),
      coverage(static_cast<double>(end - start) / static_cast<double>(num_frames)),
      best_iou(best_iou_),
      overlap_self(overlap_self_) {}

void SSNInstance::compute_regression_targets(const std::vector<SSNInstance>& gts) {
  if (gts.empty())
    throw std::invalid_argument("SSNInstance.compute_regression_targets: no ground truth");
  size_t best = 0;
  double best_iou_seen = -INFINITY;
  for (size_t i = 0; i < gts.size(); ++i) {
    const double iou = ssn_data_iou(double(start_frame), double(end_frame),
                                    double(gts[i].start_frame), double(gts[i].end_frame));
    if (iou > best_iou_seen || (std::isnan(iou) && !std::isnan(best_iou_seen))) {
      best_iou_seen = iou;
      best = i;
      if (std::isnan(iou)) break;  // np.argmax stops at the first NaN
    }
  }
  const SSNInstance& gt = gts[best];
  const double proposal_center = double(start_frame + end_frame - 1) / 2;
  const double gt_center = double(gt.start_frame + gt.end_frame - 1) / 2;
  const auto proposal_size = double(end_frame - start_frame);
  const auto gt_size = double(gt.end_frame - gt.start_frame);
  regression_targets = {(gt_center - proposal_center) / proposal_size,
                        std::log(gt_size / proposal_size)};
}

std::vector<SSNVideoInfo> load_ssn_proposal_file(const std::string& filename,
                                                 const std::string& data_prefix) {
  std::ifstream in(filename);
  if (!in) throw std::runtime_error("SSN proposal file " + filename + " cannot be read");
  // itertools.groupby on startswith('#'): the runs of lines between '#' lines.
  std::vector<std::vector<std::string>> groups;
  bool in_group = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind('#', 0) == 0) {
      in_group = false;
      continue;
    }
    if (!in_group) groups.emplace_back();
    in_group = true;
    groups.back().push_back(ssn_data_strip(line));
  }
  std::vector<SSNVideoInfo> videos;
  for (const auto& g : groups) {
    const std::string video_id = g.empty() ? "" : g[0];
    SSNFileContext ctx{filename, video_id};
    auto line = [&](size_t i, const std::string& what) -> const std::string& {
      if (i >= g.size()) throw ctx.error("ends before its " + what);
      return g[i];
    };
    SSNVideoInfo v;
    v.video_id = video_id;
    v.frame_dir = data_prefix.empty() ? video_id : data_prefix + "/" + video_id;
    const double frames = ctx.to_double(line(1, "number of frames"), "the number of frames") *
                          ctx.to_double(line(2, "fps"), "the fps line");
    v.total_frames = static_cast<int64_t>(frames);
    const int64_t num_gts = ctx.to_int(line(3, "number of ground truths"), "num_gts");
    size_t offset = 4;
    for (int64_t i = 0; i < num_gts; ++i, ++offset) {
      auto x = ssn_data_split(line(offset, "ground truths"));
      if (x.size() < 3) throw ctx.error("a ground truth line needs label start end");
      const int64_t label = ctx.to_int(x[0], "a label"), s = ctx.to_int(x[1], "a start frame"),
                    e = ctx.to_int(x[2], "an end frame");
      if (e > s && s < v.total_frames) v.gts.emplace_back(s, e, v.total_frames, label, 1.0);
    }
    const int64_t num_proposals = ctx.to_int(line(offset, "number of proposals"), "num_proposals");
    ++offset;
    for (int64_t i = 0; i < num_proposals; ++i, ++offset) {
      auto x = ssn_data_split(line(offset, "proposals"));
      if (x.size() < 5)
        throw ctx.error("a proposal line needs label best_iou overlap_self start end");
      const int64_t label = ctx.to_int(x[0], "a label"), s = ctx.to_int(x[3], "a start frame"),
                    e = ctx.to_int(x[4], "an end frame");
      if (e > s && s < v.total_frames)
        v.proposals.emplace_back(s, e, v.total_frames, label, ctx.to_double(x[1], "best_iou"),
                                 ctx.to_double(x[2], "overlap_self"));
    }
    videos.push_back(std::move(v));
  }
  return videos;
}

std::vector<SSNVideoInfo> ssn_filter_videos(std::vector<SSNVideoInfo> videos, bool filter_gt,
                                            bool test_mode) {
  if (!filter_gt && test_mode)
    throw std::invalid_argument(
        "SSNDataset: filter_gt=False with test_mode=True fails in MMAction2 0.24.1 (valid_inds "
        "is never set)");
  std::vector<SSNVideoInfo> kept;
  for (auto& v : videos)
    if (!v.gts.empty()) kept.push_back(std::move(v));
  return kept;
}

std::vector<SSNInstance> ssn_get_positives(const std::vector<SSNInstance>& gts,
                                           const std::vector<SSNInstance>& proposals,
                                           double positive_threshold, bool with_gt) {
  std::vector<SSNInstance> positives;
  for (const SSNInstance& p : proposals)
    if (p.best_iou > positive_threshold) positives.push_back(p);
  if (with_gt) positives.insert(positives.end(), gts.begin(), gts.end());
  for (SSNInstance& p : positives) p.compute_regression_targets(gts);
  return positives;
}

SSNNegatives ssn_get_negatives(const std::vector<SSNInstance>& proposals,
                               double incomplete_iou_threshold, double background_iou_threshold,
                               double background_coverage_threshold,
                               double incomplete_overlap_threshold) {
  SSNNegatives out;
  for (const SSNInstance& p : proposals) {
    if (p.best_iou < incomplete_iou_threshold && p.overlap_self > incomplete_overlap_threshold)
      out.incompletes.push_back(p);
    else if (p.best_iou < background_iou_threshold && p.coverage > background_coverage_threshold)
      out.backgrounds.push_back(p);
  }
  return out;
}

std::array<std::array<double, 2>, 2> ssn_reg_normalize_constants(
    const std::vector<SSNVideoInfo>& videos, double positive_iou_threshold) {
  std::vector<std::array<double, 2>> targets;
  for (const SSNVideoInfo& v : videos)
    for (const SSNInstance& p : ssn_get_positives(v.gts, v.proposals, positive_iou_threshold,
                                                  /*with_gt=*/false))
      targets.push_back(p.regression_targets);
  std::array<std::array<double, 2>, 2> out{};
  const auto n = static_cast<double>(targets.size());
  for (size_t k = 0; k < 2; ++k) {
    double sum = 0;
    for (const auto& t : targets) sum += t[k];
    const double mean = sum / n;
    double sq = 0;
    for (const auto& t : targets) sq += (t[k] - mean) * (t[k] - mean);
    out[0][k] = mean;
    out[1][k] = std::sqrt(sq / n);
  }
  return out;
}

SSNVideoGroundTruth ssn_ground_truth_of(const SSNVideoInfo& video) {
  SSNVideoGroundTruth g;
  g.video_id = video.video_id;
  g.total_frames = video.total_frames;
  for (const SSNInstance& gt : video.gts)
    g.gts.push_back({gt.label, double(gt.start_frame), double(gt.end_frame)});
  return g;
}

}  // namespace tubelet
