// tubelet analyze-logs plot_curve LOG.json [LOG2.json ...] [--keys K ...] [--legend L ...]
//                      [--title T] [--out curve.png]
// tubelet analyze-logs cal_train_time LOG.json [...] [--include-outliers]
// MMAction2's tools/analysis/analyze_logs.py on the .log.json that TextLoggerHook writes.
#include <iostream>

#include "commands.h"
#include "tubelet/analysis/json_log.h"
#include "tubelet/analysis/plot_curve.h"
#include "tubelet/analysis/train_time.h"

namespace tubelet::cli {

namespace {

struct AnalyzeLogsOptions {
  std::vector<std::string> logs;
  analysis::PlotCurveOptions plot;
  std::string out = "curve.png";
  bool include_outliers = false;
};

// As analyze_logs.py asserts: the logs are the .json ones.
void check_json_names(const std::vector<std::string>& logs) {
  for (const std::string& log : logs)
    if (log.size() < 5 || log.compare(log.size() - 5, 5, ".json") != 0)
      throw std::invalid_argument(log +
                                  " is not a .json log (give the run's <timestamp>.log.json)");
}

void run_plot_curve(AnalyzeLogsOptions& o) {
  check_json_names(o.logs);
  o.plot.out = o.out;
  std::vector<std::filesystem::path> paths(o.logs.begin(), o.logs.end());
  analysis::plot_curve(paths, o.plot, std::cout);
}

void run_cal_train_time(const AnalyzeLogsOptions& o) {
  check_json_names(o.logs);
  for (const std::string& log : o.logs)
    analysis::print_train_time(
        log, analysis::cal_train_time(analysis::load_json_log(log), o.include_outliers), std::cout);
}

}  // namespace

void add_analyze_logs(CLI::App& app) {
  auto o = std::make_shared<AnalyzeLogsOptions>();
  CLI::App* cmd =
      app.add_subcommand("analyze-logs", "Plot curves or time training from .log.json logs");
  cmd->require_subcommand(1);

  CLI::App* plot = cmd->add_subcommand("plot_curve", "Plot logged keys (PNG)");
  plot->add_option("json_logs", o->logs, "Logs in JSON (<timestamp>.log.json)")->required();
  plot->add_option("--keys", o->plot.keys, "Keys to plot (default: top1_acc)")->expected(1, -1);
  plot->add_option("--legend", o->plot.legend, "One legend per log and key")->expected(1, -1);
  plot->add_option("--title", o->plot.title, "Title of the figure");
  plot->add_option("--out", o->out, "Image to write (default: curve.png)");
  plot->add_option("--width", o->plot.width, "Image width in pixels");
  plot->add_option("--height", o->plot.height, "Image height in pixels");
  plot->callback([o] { run_plot_curve(*o); });

  CLI::App* time = cmd->add_subcommand("cal_train_time", "Average time of a training iteration");
  time->add_option("json_logs", o->logs, "Logs in JSON (<timestamp>.log.json)")->required();
  time->add_flag("--include-outliers", o->include_outliers,
                 "Keep the first iteration of each epoch in the average");
  time->callback([o] { run_cal_train_time(*o); });
}

}  // namespace tubelet::cli
