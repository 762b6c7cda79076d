#include "tubelet/analysis/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

namespace tubelet::analysis {

namespace {

// seaborn "deep", as BGR.
const cv::Scalar kPalette[] = {{176, 114, 76},  {82, 132, 221}, {104, 168, 85},  {82, 78, 196},
                               {179, 114, 129}, {96, 120, 147}, {195, 139, 218}, {140, 140, 140},
                               {116, 185, 204}, {205, 181, 100}};
const cv::Scalar kBackground(242, 234, 234);  // seaborn's axes colour #EAEAF2
const cv::Scalar kInk(40, 40, 40);
const cv::Scalar kWhite(255, 255, 255);
constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;
constexpr double kTickScale = 0.45;
constexpr double kLabelScale = 0.55;
constexpr double kTitleScale = 0.75;
constexpr int kShift = 4;  // sub-pixel bits for lines and circles

struct Range {
  double lo, hi;
};

// The data's extent with matplotlib's 5% margins; a flat series gets room around it.
Range padded(double lo, double hi) {
  if (hi == lo) {
    const double pad = lo == 0 ? 0.5 : std::abs(lo) * 0.1;
    return {lo - pad, hi + pad};
  }
  const double pad = (hi - lo) * 0.05;
  return {lo - pad, hi + pad};
}

std::string tick_text(double value, double step) {
  const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, std::abs(value) < step * 1e-6 ? 0.0 : value);
  return text;
}

cv::Size text_size(const std::string& text, double scale, int thickness = 1) {
  int baseline = 0;
  return cv::getTextSize(text, kFont, scale, thickness, &baseline);
}

void put_text(cv::Mat& image, const std::string& text, cv::Point origin, double scale,
              const cv::Scalar& colour = kInk, int thickness = 1) {
  cv::putText(image, text, origin, kFont, scale, colour, thickness, cv::LINE_AA);
}

cv::Point sub_pixel(double x, double y) {
  return {static_cast<int>(std::lround(x * (1 << kShift))),
          static_cast<int>(std::lround(y * (1 << kShift)))};
}

struct Frame {
  cv::Rect area;
  Range x, y;
  double px(double v) const { return area.x + (v - x.lo) / (x.hi - x.lo) * area.width; }
  double py(double v) const {
    return area.y + area.height - (v - y.lo) / (y.hi - y.lo) * area.height;
  }
};

void draw_axes(cv::Mat& image, const Frame& f, const PlotOptions& o) {
  cv::rectangle(image, f.area, kBackground, cv::FILLED);
  const std::vector<double> xt = nice_ticks(f.x.lo, f.x.hi, 6, o.integer_x ? 1 : 0),
                            yt = nice_ticks(f.y.lo, f.y.hi);
  const double xstep = xt.size() > 1 ? xt[1] - xt[0] : 1, ystep = yt.size() > 1 ? yt[1] - yt[0] : 1;
  const int bottom = f.area.y + f.area.height, left = f.area.x;
  for (double t : xt) {
    const int x = static_cast<int>(std::lround(f.px(t)));
    cv::line(image, {x, f.area.y}, {x, bottom}, kWhite, 1, cv::LINE_AA);
    cv::line(image, {x, bottom}, {x, bottom + 5}, kInk, 1, cv::LINE_AA);
    const std::string label = tick_text(t, xstep);
    put_text(image, label, {x - text_size(label, kTickScale).width / 2, bottom + 22}, kTickScale);
  }
  for (double t : yt) {
    const int y = static_cast<int>(std::lround(f.py(t)));
    cv::line(image, {left, y}, {left + f.area.width, y}, kWhite, 1, cv::LINE_AA);
    cv::line(image, {left - 5, y}, {left, y}, kInk, 1, cv::LINE_AA);
    const std::string label = tick_text(t, ystep);
    const cv::Size size = text_size(label, kTickScale);
    put_text(image, label, {left - 9 - size.width, y + size.height / 2}, kTickScale);
  }
  cv::rectangle(image, f.area, kInk, 1);
  if (!o.xlabel.empty()) {
    const cv::Size size = text_size(o.xlabel, kLabelScale);
    put_text(image, o.xlabel, {left + (f.area.width - size.width) / 2, bottom + 50}, kLabelScale);
  }
  if (!o.ylabel.empty()) {
    // Drawn level on a strip, then turned a quarter to read bottom-up.
    const cv::Size size = text_size(o.ylabel, kLabelScale);
    cv::Mat strip(size.height + 8, size.width + 4, CV_8UC3, kWhite);
    put_text(strip, o.ylabel, {2, size.height + 2}, kLabelScale);
    cv::Mat turned;
    cv::rotate(strip, turned, cv::ROTATE_90_COUNTERCLOCKWISE);
    const int x = 12, y = f.area.y + (f.area.height - turned.rows) / 2;
    if (y >= 0 && y + turned.rows <= image.rows)
      turned.copyTo(image(cv::Rect(x, y, turned.cols, turned.rows)));
  }
  if (!o.title.empty()) {
    const cv::Size size = text_size(o.title, kTitleScale, 2);
    put_text(image, o.title, {(image.cols - size.width) / 2, f.area.y - 18}, kTitleScale, kInk, 2);
  }
}

void draw_series(cv::Mat& image, const Frame& f, const PlotSeries& s, const cv::Scalar& colour) {
  cv::Mat clip = image(f.area);  // lines stay inside the axes
  const cv::Point origin = sub_pixel(f.area.x, f.area.y);
  auto at = [&](size_t i) { return sub_pixel(f.px(s.xs[i]), f.py(s.ys[i])) - origin; };
  for (size_t i = 1; i < s.xs.size(); ++i)
    cv::line(clip, at(i - 1), at(i), colour, 2, cv::LINE_AA, kShift);
  if (s.markers || s.xs.size() == 1)
    for (size_t i = 0; i < s.xs.size(); ++i)
      cv::circle(clip, at(i), 4 << kShift, colour, cv::FILLED, cv::LINE_AA, kShift);
}

// The legend box in whichever corner of the axes covers the fewest data points.
void draw_legend(cv::Mat& image, const Frame& f, const std::vector<PlotSeries>& series) {
  int width = 0;
  const int row = 24;
  for (const auto& s : series) width = std::max(width, text_size(s.label, kTickScale).width);
  const cv::Size box(width + 56, row * static_cast<int>(series.size()) + 10);
  const int m = 10;
  const cv::Point corners[] = {
      {f.area.x + f.area.width - box.width - m, f.area.y + m},
      {f.area.x + m, f.area.y + m},
      {f.area.x + f.area.width - box.width - m, f.area.y + f.area.height - box.height - m},
      {f.area.x + m, f.area.y + f.area.height - box.height - m}};
  cv::Rect best;
  size_t fewest = std::numeric_limits<size_t>::max();
  for (const cv::Point& corner : corners) {
    const cv::Rect r(corner, box);
    size_t covered = 0;
    for (const auto& s : series)
      for (size_t i = 0; i < s.xs.size(); ++i)
        covered +=
            r.contains(cv::Point(static_cast<int>(f.px(s.xs[i])), static_cast<int>(f.py(s.ys[i]))));
    if (covered < fewest) {
      fewest = covered;
      best = r;
    }
  }
  cv::rectangle(image, best, kWhite, cv::FILLED);
  cv::rectangle(image, best, cv::Scalar(200, 200, 200), 1);
  for (size_t i = 0; i < series.size(); ++i) {
    const cv::Scalar& colour = kPalette[i % std::size(kPalette)];
    const int y = best.y + 5 + row * static_cast<int>(i) + row / 2;
    cv::line(image, {best.x + 10, y}, {best.x + 40, y}, colour, 2, cv::LINE_AA);
    if (series[i].markers) cv::circle(image, {best.x + 25, y}, 4, colour, cv::FILLED, cv::LINE_AA);
    put_text(image, series[i].label, {best.x + 48, y + 5}, kTickScale);
  }
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int target, double min_step) {
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return {lo};
  const double raw = (hi - lo) / std::max(target, 1);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / magnitude;
  const double step = std::max((norm < 1.5 ? 1
                                : norm < 3 ? 2
                                : norm < 7 ? 5
                                           : 10) *
                                   magnitude,
                               min_step);
  std::vector<double> ticks;
  for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k += 1)
    ticks.push_back(k * step);
  return ticks;
}

cv::Mat render_plot(const std::vector<PlotSeries>& series, const PlotOptions& o) {
  if (series.empty()) throw std::invalid_argument("nothing to plot");
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (const auto& s : series) {
    if (s.xs.size() != s.ys.size() || s.xs.empty())
      throw std::invalid_argument("series '" + s.label + "' has " + std::to_string(s.xs.size()) +
                                  " x and " + std::to_string(s.ys.size()) + " y values");
    for (size_t i = 0; i < s.xs.size(); ++i) {
      x0 = std::min(x0, s.xs[i]), x1 = std::max(x1, s.xs[i]);
      y0 = std::min(y0, s.ys[i]), y1 = std::max(y1, s.ys[i]);
    }
  }
  if (o.width < 320 || o.height < 240)
    throw std::invalid_argument("the plot must be at least 320x240");
  cv::Mat image(o.height, o.width, CV_8UC3, kWhite);
  const int top = o.title.empty() ? 30 : 60;
  const Frame frame{cv::Rect(90, top, o.width - 90 - 30, o.height - top - 75), padded(x0, x1),
                    padded(y0, y1)};
  draw_axes(image, frame, o);
  for (size_t i = 0; i < series.size(); ++i)
    draw_series(image, frame, series[i], kPalette[i % std::size(kPalette)]);
  draw_legend(image, frame, series);
  return image;
}

void save_plot(const cv::Mat& image, const std::filesystem::path& path) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  bool written = false;
  try {
    written = cv::imwrite(path.string(), image);
  } catch (const cv::Exception& e) {
    throw std::runtime_error("cannot write the plot " + path.string() + ": " + e.what());
  }
  if (!written) throw std::runtime_error("cannot write the plot " + path.string());
}

}  // namespace tubelet::analysis
