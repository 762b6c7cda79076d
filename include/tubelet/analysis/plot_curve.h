// `tubelet analyze-logs plot_curve`: MMAction2's analyze_logs.py plot_curve, drawing the
// chosen keys of one or more .log.json files into a PNG. Legends default to
// "<log>_<key>", one per (log, key) in that order. Training keys are plotted against the
// iteration; when every key is a validation metric the x axis is the epoch.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "tubelet/analysis/plot.h"

namespace tubelet::analysis {

struct PlotCurveOptions {
  std::vector<std::string> keys = {"top1_acc"};
  std::vector<std::string> legend;  // empty: "<log>_<key>"
  std::string title;
  std::filesystem::path out = "curve.png";
  int width = 1000;
  int height = 620;
};

// The series and axis labels without drawing them (errors: a log that is missing or has
// no such key, a legend of the wrong length).
std::vector<PlotSeries> plot_curve_series(const std::vector<std::filesystem::path>& logs,
                                          const PlotCurveOptions& options, PlotOptions& plot,
                                          std::ostream& report);
// Draws and saves the plot; prints MMAction2's lines ("plot curve of X, metric is K",
// "save curve to: OUT") to `report`.
void plot_curve(const std::vector<std::filesystem::path>& logs, const PlotCurveOptions& options,
                std::ostream& report);

}  // namespace tubelet::analysis
