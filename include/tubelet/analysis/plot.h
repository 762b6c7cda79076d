// A line chart drawn with OpenCV (core, imgproc, imgcodecs): axes with round-number ticks,
// a light grid, one colour per series (seaborn's "deep" palette, as analyze_logs' seaborn
// style gives), markers for series with few points, a legend in the emptiest corner, axis
// labels and a title.
#pragma once

#include <filesystem>
#include <opencv2/core/mat.hpp>
#include <string>
#include <vector>

namespace tubelet::analysis {

struct PlotSeries {
  std::string label;
  std::vector<double> xs;
  std::vector<double> ys;
  bool markers = false;  // a dot on each point (validation metrics)
};

struct PlotOptions {
  std::string title;
  std::string xlabel;
  std::string ylabel;
  int width = 1000;
  int height = 620;
  bool integer_x = false;  // ticks on whole numbers only (epochs)
};

// Round tick positions covering [lo, hi], about `target` of them (1, 2 or 5 times a power
// of ten apart, and at least `min_step`).
std::vector<double> nice_ticks(double lo, double hi, int target = 6, double min_step = 0);

// BGR, 8-bit, width x height. Throws std::invalid_argument when there is nothing to draw
// or a series' xs and ys differ in length.
cv::Mat render_plot(const std::vector<PlotSeries>& series, const PlotOptions& options);
// Writes a PNG (or whatever the extension names); throws when OpenCV cannot write it.
void save_plot(const cv::Mat& image, const std::filesystem::path& path);

}  // namespace tubelet::analysis
