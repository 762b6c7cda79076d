// tubelet report-accuracy --scores rgb.pkl flow.pkl --coefficients 1 1.5 --datalist val_list.txt
//                         [--apply-softmax]
// MMAction2's tools/analysis/report_accuracy.py: fuses the score files of several models (e.g.
// the two streams of a two-stream network) and prints the fused mean class accuracy and top-1
// and top-5 accuracy against the data list's labels (the last field of each line).
#include <iostream>

#include "commands.h"
#include "tubelet/analysis/report_accuracy.h"

namespace tubelet::cli {

void add_report_accuracy(CLI::App& app) {
  auto o = std::make_shared<analysis::ReportAccuracyOptions>();
  CLI::App* cmd = app.add_subcommand(
      "report-accuracy",
      "Fuse score files and report accuracy (MMAction2's tools/analysis/report_accuracy.py)");
  cmd->add_option("--scores", o->scores, "Score files (.pkl or .json from `test --out`)")
      ->capture_default_str();
  cmd->add_option("--coefficients", o->coefficients, "One coefficient per score file")
      ->capture_default_str();
  cmd->add_option("--datalist", o->datalist, "The videos' list, the label last on each line")
      ->capture_default_str();
  cmd->add_flag("--apply-softmax", o->apply_softmax, "Softmax each video's scores before fusing");
  cmd->callback(
      [o] { std::cout << analysis::format_accuracy_report(analysis::report_accuracy(*o)); });
}

}  // namespace tubelet::cli
