// Sampling and drawing of the synthetic motion clips. All randomness comes from our own
// generator and integer-to-double conversion (std:: distributions differ between standard
// libraries), so a seed gives the same clips everywhere.
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "synthetic/synthetic_common.h"
#include "tubelet/synthetic/motion_dataset.h"

namespace tubelet::synthetic {

namespace {

constexpr double kPi = 3.14159265358979323846;

enum KindMotionClips { kHorizontal, kVertical, kRotation, kScale, kBlink, kStill };

// label -> (kind, reversed): each pair's second class is its first played backwards.
struct ClassInfo {
  const char* name;
  KindMotionClips kind;
  bool reversed;
};
const ClassInfo kClasses[] = {
    {"moving_left", kHorizontal, false},
    {"moving_right", kHorizontal, true},
    {"moving_up", kVertical, false},
    {"moving_down", kVertical, true},
    {"rotating_clockwise", kRotation, false},
    {"rotating_anticlockwise", kRotation, true},
    {"growing", kScale, false},
    {"shrinking", kScale, true},
    {"blinking", kBlink, false},
    {"static", kStill, false},
};
constexpr int kNumClasses = sizeof(kClasses) / sizeof(kClasses[0]);

const ClassInfo& class_info(int label) {
  if (label < 0 || label >= kNumClasses)
    throw std::out_of_range("synthetic motion dataset: label " + std::to_string(label) +
                            " is not in [0, " + std::to_string(kNumClasses) + ")");
  return kClasses[label];
}

cv::Vec3b hsv_to_rgb(double h, double s, double v) {
  double c = v * s, hp = h * 6, x = c * (1 - std::fabs(std::fmod(hp, 2.0) - 1));
  double r = 0, g = 0, b = 0;
  switch (static_cast<int>(hp) % 6) {
    case 0:
      r = c, g = x;
      break;
    case 1:
      r = x, g = c;
      break;
    case 2:
      g = c, b = x;
      break;
    case 3:
      g = x, b = c;
      break;
    case 4:
      r = x, b = c;
      break;
    default:
      r = c, b = x;
      break;
  }
  auto u8 = [&](double ch) { return cv::saturate_cast<uchar>(std::lround((ch + v - c) * 255)); };
  return {u8(r), u8(g), u8(b)};
}

// Outline of a shape of radius 1 pointing along +x, around its reference point (origin).
std::vector<cv::Point2d> unit_outline(Shape shape) {
  std::vector<cv::Point2d> pts;
  auto arc = [&pts](double from_deg, double to_deg, int n) {
    for (int i = 0; i <= n; ++i) {
      double a = (from_deg + (to_deg - from_deg) * i / n) * kPi / 180;
      pts.emplace_back(std::cos(a), std::sin(a));
    }
  };
  switch (shape) {
    case Shape::kPacman:  // mouth towards +x
      arc(35, 325, 36);
      pts.emplace_back(0, 0);
      break;
    case Shape::kArrowhead:
      pts = {{1, 0}, {-0.6, 0.75}, {-0.25, 0}, {-0.6, -0.75}};
      break;
    case Shape::kHalfDisk:
      arc(-90, 90, 24);
      break;
    case Shape::kLShape:
      pts = {{-0.7, -0.7}, {-0.2, -0.7}, {-0.2, 0.2}, {0.7, 0.2}, {0.7, 0.7}, {-0.7, 0.7}};
      break;
  }
  return pts;
}

// Fills a shape with sub-pixel accuracy (4 fractional bits) and anti-aliased edges.
void fill_shape(cv::Mat& img, Shape shape, cv::Point2d center, double radius, double angle,
                cv::Scalar color) {
  constexpr int kShift = 4;
  const double c = std::cos(angle), s = std::sin(angle);
  std::vector<cv::Point> pts;
  for (const cv::Point2d& p : unit_outline(shape)) {
    double x = center.x + radius * (c * p.x - s * p.y);
    double y = center.y + radius * (s * p.x + c * p.y);
    pts.emplace_back(static_cast<int>(std::lround(x * (1 << kShift))),
                     static_cast<int>(std::lround(y * (1 << kShift))));
  }
  std::vector<std::vector<cv::Point>> polys{pts};
  cv::fillPoly(img, polys, color, cv::LINE_AA, kShift);
}

Shape random_shape(Rng& rng) {
  return static_cast<Shape>(rng.integer(0, 3));
}

// A canvas larger than the frame by `margin` on each side: base colour, a gradient, faded
// clutter shapes (the same kinds as the object, plus discs and boxes) and fixed noise. The
// clutter is fainter than the object, so a small network finds the object quickly.
cv::Mat background_canvas(uint64_t seed, int size, int margin) {
  Rng rng(seed);
  const int side = size + 2 * margin;
  cv::Vec3b base = hsv_to_rgb(rng.uniform(), rng.uniform(0, 0.6), rng.uniform(0.15, 0.45));
  double g_angle = rng.uniform(0, 2 * kPi), g_amp = rng.uniform(0, 30);
  cv::Mat canvas(side, side, CV_8UC3);
  for (int y = 0; y < side; ++y) {
    for (int x = 0; x < side; ++x) {
      double ramp = g_amp * ((x * std::cos(g_angle) + y * std::sin(g_angle)) / side - 0.5);
      for (int ch = 0; ch < 3; ++ch)
        canvas.at<cv::Vec3b>(y, x)[ch] = cv::saturate_cast<uchar>(base[ch] + ramp);
    }
  }
  const int clutter = rng.integer(3, 7);
  for (int i = 0; i < clutter; ++i) {
    cv::Vec3b color = hsv_to_rgb(rng.uniform(), rng.uniform(0.2, 1), rng.uniform(0.3, 1));
    double alpha = rng.uniform(0.25, 0.5);
    cv::Scalar mixed;
    for (int ch = 0; ch < 3; ++ch) mixed[ch] = alpha * color[ch] + (1 - alpha) * base[ch];
    cv::Point2d at(rng.uniform(0, side), rng.uniform(0, side));
    double radius = size * rng.uniform(0.04, 0.11), angle = rng.uniform(0, 2 * kPi);
    int kind = rng.integer(0, 5);
    if (kind < 4) {
      fill_shape(canvas, static_cast<Shape>(kind), at, radius, angle, mixed);
    } else if (kind == 4) {
      cv::circle(canvas, at, static_cast<int>(std::lround(radius)), mixed, cv::FILLED, cv::LINE_AA);
    } else {
      cv::rectangle(canvas, cv::Rect(cv::Point(at), cv::Size(radius * 1.6, radius * 1.2)), mixed,
                    cv::FILLED);
    }
  }
  for (auto it = canvas.begin<cv::Vec3b>(); it != canvas.end<cv::Vec3b>(); ++it)
    for (int ch = 0; ch < 3; ++ch)
      (*it)[ch] = cv::saturate_cast<uchar>((*it)[ch] + rng.integer(-8, 8));
  return canvas;
}

// A coordinate in [lo, hi], or the middle when the range is empty.
double place(Rng& rng, double lo, double hi) {
  return hi > lo ? rng.uniform(lo, hi) : (lo + hi) / 2;
}

void sample_motion(KindMotionClips kind, Rng& rng, ClipSpec& spec) {
  const double size = spec.size;
  double r = size * rng.uniform(0.10, 0.16);
  spec.radius_start = spec.radius_end = r;
  spec.angle_end = spec.angle_start;
  cv::Point2d at(place(rng, r, size - r), place(rng, r, size - r));
  spec.start = spec.end = at;
  if (kind == kHorizontal || kind == kVertical) {
    // Symmetric about a random centre, so start and end positions share one distribution.
    double half = size * rng.uniform(0.35, 0.55) / 2;
    half = std::min(half, std::max(0.0, size / 2 - r));
    double centre = place(rng, r + half, size - r - half);
    double& s = kind == kHorizontal ? spec.start.x : spec.start.y;
    double& e = kind == kHorizontal ? spec.end.x : spec.end.y;
    s = centre + half;  // forward: towards smaller x (left) or smaller y (up)
    e = centre - half;
  } else if (kind == kRotation) {
    spec.angle_end = spec.angle_start + rng.uniform(0.8, 1.6) * kPi;  // clockwise on screen
  } else if (kind == kScale) {
    double r0 = size * rng.uniform(0.06, 0.09), r1 = r0 * rng.uniform(1.8, 2.4);
    spec.radius_start = r0;
    spec.radius_end = r1;
    spec.start = spec.end = cv::Point2d(place(rng, r1, size - r1), place(rng, r1, size - r1));
  } else if (kind == kBlink) {
    // Half-periods of at least 3 frames: 8 segments of a 32-frame clip are 4 frames apart,
    // and a period of 4 would show the object always or never.
    spec.blink_half_period =
        std::clamp(static_cast<int>(std::lround(rng.uniform(3, 6) * spec.frames / 32.0)), 1,
                   std::max(1, spec.frames / 2));
    spec.blink_phase = rng.integer(0, 2 * spec.blink_half_period - 1);
  }
}

int background_margin(const ClipSpec& spec) {
  return static_cast<int>(std::ceil(std::hypot(spec.drift.x, spec.drift.y))) + 2;
}

cv::Mat draw_frame(const ClipSpec& spec, int t, bool draw_object, const cv::Mat& canvas) {
  if (t < 0 || t >= spec.frames)
    throw std::out_of_range("synthetic motion dataset: frame " + std::to_string(t) + " of a " +
                            std::to_string(spec.frames) + "-frame clip");
  const int tau = spec.reversed ? spec.frames - 1 - t : t;
  const double f = spec.frames > 1 ? static_cast<double>(tau) / (spec.frames - 1) : 0;
  const int margin = background_margin(spec);
  // The view slides over the canvas by `drift` across the clip (sub-pixel, bilinear).
  cv::Mat shift = (cv::Mat_<double>(2, 3) << 1, 0, margin - spec.drift.x * f + spec.drift.x / 2, 0,
                   1, margin - spec.drift.y * f + spec.drift.y / 2);
  cv::Mat frame;
  cv::warpAffine(canvas, frame, shift, cv::Size(spec.size, spec.size),
                 cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_REFLECT);
  if (!draw_object) return frame;
  if (spec.blink_half_period > 0 && ((tau + spec.blink_phase) / spec.blink_half_period) % 2 == 1)
    return frame;
  cv::Point2d at = spec.start + (spec.end - spec.start) * f;
  double radius = spec.radius_start * std::pow(spec.radius_end / spec.radius_start, f);
  double angle = spec.angle_start + (spec.angle_end - spec.angle_start) * f;
  fill_shape(frame, spec.shape, at, radius, angle,
             cv::Scalar(spec.color[0], spec.color[1], spec.color[2]));
  return frame;
}

}  // namespace

const std::vector<std::string>& motion_class_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const ClassInfo& c : kClasses) v.emplace_back(c.name);
    return v;
  }();
  return names;
}

int reversed_partner(int label) {
  const ClassInfo& info = class_info(label);
  if (info.kind == kBlink || info.kind == kStill) return -1;
  return info.reversed ? label - 1 : label + 1;
}

ClipSpec sample_clip(int label, uint64_t seed, int64_t index, int size, int frames) {
  const ClassInfo& info = class_info(label);
  if (size < 16 || frames < 2)
    throw std::invalid_argument(
        "synthetic motion dataset: frames must be at least 16x16 and "
        "clips at least 2 frames long (got size " +
        std::to_string(size) + ", " + std::to_string(frames) + " frames)");
  Rng rng = Rng::for_item(seed, index);
  ClipSpec spec;
  spec.label = label;
  spec.size = size;
  spec.frames = frames;
  spec.reversed = info.reversed;
  spec.shape = random_shape(rng);
  spec.color = hsv_to_rgb(rng.uniform(), rng.uniform(0.6, 1), rng.uniform(0.85, 1));
  spec.angle_start = rng.uniform(0, 2 * kPi);
  sample_motion(info.kind, rng, spec);
  double drift_angle = rng.uniform(0, 2 * kPi), drift = size * rng.uniform(0.03, 0.15);
  spec.drift = cv::Point2d(drift * std::cos(drift_angle), drift * std::sin(drift_angle));
  spec.background_seed = rng.next();
  return spec;
}

cv::Mat render_frame(const ClipSpec& spec, int t, bool draw_object) {
  return draw_frame(spec, t, draw_object,
                    background_canvas(spec.background_seed, spec.size, background_margin(spec)));
}

std::vector<cv::Mat> render_clip(const ClipSpec& spec) {
  std::vector<cv::Mat> frames;
  frames.reserve(spec.frames);
  const cv::Mat canvas =
      background_canvas(spec.background_seed, spec.size, background_margin(spec));
  for (int t = 0; t < spec.frames; ++t) frames.push_back(draw_frame(spec, t, true, canvas));
  return frames;
}

}  // namespace tubelet::synthetic
