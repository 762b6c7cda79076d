#include "tubelet/analysis/plot_curve.h"

#include <algorithm>
#include <ostream>
#include <stdexcept>

#include "tubelet/analysis/json_log.h"
#include "tubelet/analysis/log_curve.h"

namespace tubelet::analysis {

std::vector<PlotSeries> plot_curve_series(const std::vector<std::filesystem::path>& logs,
                                          const PlotCurveOptions& options, PlotOptions& plot,
                                          std::ostream& report) {
  if (logs.empty()) throw std::invalid_argument("plot_curve needs at least one .log.json");
  if (options.keys.empty()) throw std::invalid_argument("plot_curve needs at least one key");
  const size_t expected = logs.size() * options.keys.size();
  if (!options.legend.empty() && options.legend.size() != expected)
    throw std::invalid_argument("--legend needs one entry per log and key (" +
                                std::to_string(expected) + "), got " +
                                std::to_string(options.legend.size()));
  std::vector<LogCurve> curves;
  std::vector<std::string> labels;
  for (const auto& path : logs) {
    const JsonLog log = load_json_log(path);
    for (const std::string& key : options.keys) {
      report << "plot curve of " << path.string() << ", metric is " << key << "\n";
      curves.push_back(log_curve(log, key));
      labels.push_back(options.legend.empty() ? path.string() + "_" + key
                                              : options.legend[labels.size()]);
    }
  }
  const bool by_epoch =
      std::all_of(curves.begin(), curves.end(), [](const LogCurve& c) { return c.validation; });
  std::vector<PlotSeries> series;
  for (size_t i = 0; i < curves.size(); ++i)
    series.push_back({labels[i], by_epoch ? curves[i].epochs : curves[i].iters, curves[i].values,
                      curves[i].validation});
  plot.xlabel = by_epoch ? "epoch" : "iter";
  plot.integer_x = true;  // epochs and iterations are whole numbers
  plot.ylabel = options.keys.size() == 1 ? options.keys.front() : "";
  plot.title = options.title;
  plot.width = options.width;
  plot.height = options.height;
  return series;
}

void plot_curve(const std::vector<std::filesystem::path>& logs, const PlotCurveOptions& options,
                std::ostream& report) {
  PlotOptions plot;
  const std::vector<PlotSeries> series = plot_curve_series(logs, options, plot, report);
  const cv::Mat image = render_plot(series, plot);
  report << "save curve to: " << options.out.string() << "\n";
  save_plot(image, options.out);
}

}  // namespace tubelet::analysis
