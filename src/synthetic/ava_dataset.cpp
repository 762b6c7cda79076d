// The synthetic AVA-format detection dataset: sampling and drawing of its videos, and writing
// the rawframes, annotation CSVs, label map, exclude files and proposal pickles. All randomness
// comes from our own generator (synthetic_common.h), so a seed gives the same files everywhere.
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "synthetic/synthetic_common.h"
#include "tubelet/checkpoint/results_pickle.h"
#include "tubelet/fileio/atomic_file.h"
#include "tubelet/synthetic/ava_dataset.h"

namespace tubelet::synthetic {

namespace fs = std::filesystem;

namespace {

// Distinct streams of one (seed, index): the video itself, its background, its proposals.
constexpr uint64_t kAvaVideoStream = 0xA7A0000000000001ull;
constexpr uint64_t kAvaProposalStream = 0xA7A0000000000002ull;

cv::Vec3b ava_hsv(double h, double s, double v) {
  cv::Mat hsv(1, 1, CV_8UC3,
              cv::Scalar(std::lround(h * 179), std::lround(s * 255), std::lround(v * 255)));
  cv::Mat rgb;
  cv::cvtColor(hsv, rgb, cv::COLOR_HSV2RGB);
  return rgb.at<cv::Vec3b>(0, 0);
}

int ava_width_for(int size) {
  return (size * 4 / 3) / 2 * 2;
}

// Position of a walker bouncing between 0 and `room` (a triangle wave).
double ava_bounce(double x, double room) {
  if (room <= 0) return 0;
  const double period = 2 * room;
  double m = std::fmod(x, period);
  if (m < 0) m += period;
  return m <= room ? m : period - m;
}

// Background: base colour, a gradient, faint clutter (discs, boxes, bars; none has a head) and
// fixed noise, the same in every frame.
cv::Mat ava_background(uint64_t seed, int width, int height) {
  Rng rng(seed);
  const cv::Vec3b base = ava_hsv(rng.uniform(), rng.uniform(0, 0.5), rng.uniform(0.2, 0.45));
  const double angle = rng.uniform(0, 6.283185307179586), amp = rng.uniform(0, 30);
  cv::Mat img(height, width, CV_8UC3);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const double ramp =
          amp * ((x * std::cos(angle) + y * std::sin(angle)) / std::max(width, height) - 0.5);
      for (int ch = 0; ch < 3; ++ch)
        img.at<cv::Vec3b>(y, x)[ch] = cv::saturate_cast<uchar>(base[ch] + ramp);
    }
  const int clutter = rng.integer(4, 9);
  for (int i = 0; i < clutter; ++i) {
    const cv::Vec3b c = ava_hsv(rng.uniform(), rng.uniform(0.1, 0.6), rng.uniform(0.25, 0.7));
    const cv::Scalar color(c[0], c[1], c[2]);
    const cv::Point center(rng.integer(0, width - 1), rng.integer(0, height - 1));
    const int r = std::max(2, static_cast<int>(rng.uniform(0.04, 0.12) * height));
    switch (rng.integer(0, 2)) {
      case 0:
        cv::circle(img, center, r, color, cv::FILLED, cv::LINE_AA);
        break;
      case 1:
        cv::rectangle(img, cv::Rect(center.x - r, center.y - r / 2, 2 * r, r), color, cv::FILLED);
        break;
      default:
        cv::rectangle(img, cv::Rect(center.x - r / 3, center.y - r, std::max(1, r / 2), 2 * r),
                      color, cv::FILLED);
        break;
    }
  }
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int ch = 0; ch < 3; ++ch)
        img.at<cv::Vec3b>(y, x)[ch] =
            cv::saturate_cast<uchar>(img.at<cv::Vec3b>(y, x)[ch] + rng.integer(-6, 6));
  return img;
}

std::string ava_video_id(int64_t index) {
  char name[32];
  std::snprintf(name, sizeof name, "synava_%04lld", static_cast<long long>(index));
  return name;
}

std::string ava_format(const char* fmt, double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

// A box relative to the frame, clipped to [0, 1].
std::array<double, 4> ava_relative(const std::array<double, 4>& box, int width, int height) {
  std::array<double, 4> r;
  for (int i = 0; i < 4; ++i) r[i] = std::clamp(box[i] / (i % 2 == 0 ? width : height), 0.0, 1.0);
  return r;
}

// The proposals of one keyframe: each person's box jittered by up to 2% of its size per
// coordinate (score 0.9-1.0; AVA's detector threshold is 0.9), plus 0-2 person-sized
// distractors anywhere (score 0.5-1.0), as float32 [n, 5] rows x1, y1, x2, y2, score (relative).
torch::Tensor ava_proposals(const AvaVideoSpec& video, int frame, Rng& rng) {
  std::vector<float> rows;
  auto push = [&](std::array<double, 4> b, double score) {
    for (double v : ava_relative(b, video.width, video.height)) rows.push_back(float(v));
    rows.push_back(static_cast<float>(score));
  };
  for (const AvaPerson& p : video.people) {
    std::array<double, 4> b = ava_person_box(video, p, frame);
    const double w = b[2] - b[0], h = b[3] - b[1];
    for (int i = 0; i < 4; ++i) b[i] += rng.uniform(-0.02, 0.02) * (i % 2 == 0 ? w : h);
    push(b, rng.uniform(0.9, 1.0));
  }
  const int distractors = rng.integer(0, 2);
  for (int i = 0; i < distractors; ++i) {
    const double h = rng.uniform(0.3, 0.55) * video.height, w = h * rng.uniform(0.35, 0.5);
    const double x = rng.uniform(0, video.width - w), y = rng.uniform(0, video.height - h);
    push({x, y, x + w, y + h}, rng.uniform(0.5, 1.0));
  }
  const auto n = static_cast<int64_t>(rows.size() / 5);
  return torch::tensor(rows, torch::kFloat32).reshape({n, 5});
}

}  // namespace

const std::vector<std::string>& ava_action_names() {
  static const std::vector<std::string> names = {"walk", "blink", "stand", "carry"};
  return names;
}

std::vector<int> AvaPerson::actions() const {
  std::vector<int> out{motion};
  if (carry) out.push_back(kAvaCarry);
  std::sort(out.begin(), out.end());
  return out;
}

AvaVideoSpec sample_ava_video(uint64_t seed, int64_t index, int size, int seconds) {
  if (size < 32 || size > 1024)
    throw std::invalid_argument("synthetic AVA dataset: size must be in [32, 1024], got " +
                                std::to_string(size));
  if (seconds < 3 || seconds > 600)
    throw std::invalid_argument("synthetic AVA dataset: seconds must be in [3, 600], got " +
                                std::to_string(seconds));
  Rng rng = Rng::for_item(seed ^ kAvaVideoStream, index);
  AvaVideoSpec v;
  v.video_id = ava_video_id(index);
  v.height = size;
  v.width = ava_width_for(size);
  v.frames = seconds * AvaDatasetOptions::kFps;
  v.background_seed = rng.next();
  const int people = rng.integer(1, 3);
  for (int i = 0; i < people; ++i) {
    AvaPerson p;
    p.entity_id = i;
    p.motion = rng.integer(kAvaWalk, kAvaStand);
    p.carry = rng.uniform() < 0.4;
    p.color = ava_hsv(rng.uniform(), rng.uniform(0.6, 1.0), rng.uniform(0.75, 1.0));
    p.height = rng.uniform(0.38, 0.55) * v.height;
    p.width = p.height * rng.uniform(0.35, 0.5);
    // People stand in a band of the frame, left to right in entity order with some overlap.
    const double slot = static_cast<double>(v.width) / people;
    p.x0 = std::clamp(slot * i + rng.uniform(0, std::max(1.0, slot - p.width)), 0.0,
                      v.width - p.width);
    p.y = rng.uniform(0.05, 0.95) * (v.height - p.height);
    if (p.motion == kAvaWalk)
      p.speed = (rng.uniform() < 0.5 ? -1 : 1) * rng.uniform(0.003, 0.005) * v.height;
    if (p.motion == kAvaBlink) {
      // Half periods for which AVA's 4x16 test clips (frames c - 32, c - 16, c, c + 16) show
      // both states whatever the phase (4 or 7 frames would not).
      const int halves[] = {3, 5, 6};
      p.blink_half_period = halves[rng.integer(0, 2)];
      p.blink_phase = rng.integer(0, 2 * p.blink_half_period - 1);
    }
    v.people.push_back(p);
  }
  return v;
}

std::array<double, 4> ava_person_box(const AvaVideoSpec& video, const AvaPerson& p, int t) {
  double x = p.x0;
  if (p.motion == kAvaWalk) x = ava_bounce(p.x0 + p.speed * t, video.width - p.width);
  return {x, p.y, x + p.width, p.y + p.height};
}

cv::Mat render_ava_frame(const AvaVideoSpec& video, int t) {
  if (t < 0 || t >= video.frames)
    throw std::out_of_range("synthetic AVA dataset: frame " + std::to_string(t) +
                            " is outside the video's " + std::to_string(video.frames));
  cv::Mat img = ava_background(video.background_seed, video.width, video.height);
  Rng noise(video.background_seed ^ static_cast<uint64_t>(t + 1) * 0x9E3779B97F4A7C15ull);
  for (const AvaPerson& p : video.people) {
    const auto b = ava_person_box(video, p, t);
    double factor = 1.0;
    if (p.motion == kAvaBlink && ((t + p.blink_phase) / p.blink_half_period) % 2 == 1) factor = 0.4;
    const cv::Scalar color(p.color[0] * factor, p.color[1] * factor, p.color[2] * factor);
    // Head: a disc on top (a fifth of the height); body: a box below it, a little narrower.
    const double head_r = std::min(p.height * 0.1, p.width * 0.45);
    const double cx = (b[0] + b[2]) / 2;
    constexpr int kShift = 4;
    auto fx = [](double v) { return static_cast<int>(std::lround(v * (1 << kShift))); };
    cv::circle(img, cv::Point(fx(cx), fx(b[1] + head_r)), fx(head_r), color, cv::FILLED,
               cv::LINE_AA, kShift);
    const double body_top = b[1] + 2 * head_r;
    std::vector<std::vector<cv::Point>> body{{{fx(b[0]), fx(body_top)},
                                              {fx(b[2]), fx(body_top)},
                                              {fx(b[2]), fx(b[3])},
                                              {fx(b[0]), fx(b[3])}}};
    cv::fillPoly(img, body, color, cv::LINE_AA, kShift);
    if (p.carry) {
      // A bright bag on the lower half of the body, on the side it faces.
      const double s = p.width * 0.45;
      const double bx = p.speed < 0 ? b[0] : b[2] - s, by = b[1] + p.height * 0.55;
      std::vector<std::vector<cv::Point>> bag{
          {{fx(bx), fx(by)}, {fx(bx + s), fx(by)}, {fx(bx + s), fx(by + s)}, {fx(bx), fx(by + s)}}};
      cv::fillPoly(img, bag, cv::Scalar(250, 250, 235), cv::LINE_AA, kShift);
    }
  }
  // A little noise of its own in every frame.
  for (int y = 0; y < img.rows; ++y)
    for (int x = 0; x < img.cols; ++x) {
      const int d = noise.integer(-3, 3);
      for (int ch = 0; ch < 3; ++ch)
        img.at<cv::Vec3b>(y, x)[ch] = cv::saturate_cast<uchar>(img.at<cv::Vec3b>(y, x)[ch] + d);
    }
  return img;
}

bool AvaDatasetOptions::is_val(int64_t index) const {
  const int64_t val = std::clamp<int64_t>(std::llround(static_cast<double>(videos()) * val_ratio()),
                                          1, std::max<int64_t>(1, videos() - 1));
  return index >= videos() - val;
}

std::vector<int64_t> AvaDatasetOptions::timestamps() const {
  std::vector<int64_t> out;
  for (int s = 2; s < seconds(); ++s) out.push_back(timestamp_start() + s);
  return out;
}

AvaDatasetSummary make_ava_dataset(const fs::path& out, const AvaDatasetOptions& o) {
  if (o.videos() < 2)
    throw std::invalid_argument(
        "synthetic AVA dataset: --videos must be at least 2 (one for training, one for "
        "validation), got " +
        std::to_string(o.videos()));
  if (!(o.val_ratio() > 0 && o.val_ratio() < 1))
    throw std::invalid_argument("synthetic AVA dataset: val_ratio must be in (0, 1)");
  if (o.timestamp_start() < 0)
    throw std::invalid_argument("synthetic AVA dataset: timestamp_start must be >= 0");
  sample_ava_video(o.seed(), 0, o.size(), o.seconds());  // checks size and seconds first
  const fs::path annotations = out / "annotations", rawframes = out / "rawframes";
  fs::create_directories(annotations);
  fs::create_directories(rawframes);
  std::string csv[2];
  std::vector<std::pair<std::string, torch::Tensor>> proposals[2];
  AvaDatasetSummary summary;
  for (int64_t i = 0; i < o.videos(); ++i) {
    const AvaVideoSpec video = sample_ava_video(o.seed(), i, o.size(), o.seconds());
    const bool val = o.is_val(i);
    Rng rng = Rng::for_item(o.seed() ^ kAvaProposalStream, i);
    for (int64_t ts : o.timestamps()) {
      // SampleAVAFrames' centre frame: fps * (timestamp - timestamp_start) + 1 (1-based).
      const int frame = static_cast<int>((ts - o.timestamp_start()) * AvaDatasetOptions::kFps);
      char stamp[16];
      std::snprintf(stamp, sizeof stamp, "%04lld", static_cast<long long>(ts));
      for (const AvaPerson& p : video.people) {
        const auto r = ava_relative(ava_person_box(video, p, frame), video.width, video.height);
        std::string box;
        for (double v : r) box += "," + ava_format("%.3f", v);
        for (int action : p.actions())
          csv[val] += video.video_id + "," + stamp + box + "," + std::to_string(action) + "," +
                      std::to_string(p.entity_id) + "\n";
        ++(val ? summary.val_boxes : summary.train_boxes);
      }
      proposals[val].emplace_back(video.video_id + "," + stamp, ava_proposals(video, frame, rng));
    }
    std::vector<cv::Mat> frames;
    for (int t = 0; t < video.frames; ++t) frames.push_back(render_ava_frame(video, t));
    write_rawframes(frames, rawframes / video.video_id);
    ++(val ? summary.val_videos : summary.train_videos);
    if (o.progress()) o.progress()(i + 1, o.videos());
  }
  std::string labelmap;
  const auto& names = ava_action_names();
  for (size_t k = 0; k < names.size(); ++k)
    labelmap += "item {\n  name: \"" + names[k] + "\"\n  id: " + std::to_string(k + 1) + "\n}\n";
  write_file_atomically(annotations / "ava_train.csv", csv[0]);
  write_file_atomically(annotations / "ava_val.csv", csv[1]);
  write_file_atomically(annotations / "ava_train_excluded_timestamps.csv", "");
  write_file_atomically(annotations / "ava_val_excluded_timestamps.csv", "");
  write_file_atomically(annotations / "ava_action_list.pbtxt", labelmap);
  write_file_atomically(annotations / "ava_proposals_train.pkl",
                        checkpoint::pickle_array_dict(proposals[0]));
  write_file_atomically(annotations / "ava_proposals_val.pkl",
                        checkpoint::pickle_array_dict(proposals[1]));
  return summary;
}

}  // namespace tubelet::synthetic
