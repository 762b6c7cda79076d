// tubelet eval-proposals GT.json RESULT.json [--max-avg-proposals N] [--temporal-iou-thresholds
// t ...] [--mAP]: AR@AN and AUC of ActivityNet proposals as MMAction2 reports them, as JSON.
#include <iostream>

#include "commands.h"
#include "tubelet/config/dump.h"
#include "tubelet/evaluation/localization/proposal_file_evaluation.h"

namespace tubelet::cli {

namespace {

struct EvalProposalsOptions {
  std::string ground_truth;
  std::string results;
  double max_avg_proposals = 100;
  std::vector<double> thresholds;
  bool detection_map = false;
};

void eval_proposals(const EvalProposalsOptions& o) {
  ProposalFileEvaluationOptions options;
  // 0 is MMAction2's max_avg_proposals=None: the overall average per video.
  options.max_avg_proposals =
      o.max_avg_proposals == 0 ? std::nullopt : std::optional<double>(o.max_avg_proposals);
  options.temporal_iou_thresholds = o.thresholds;
  options.detection_map = o.detection_map;
  std::cout << to_json(Value(evaluate_proposal_files(o.ground_truth, o.results, options)), -1)
            << "\n";
}

}  // namespace

void add_eval_proposals(CLI::App& app) {
  auto o = std::make_shared<EvalProposalsOptions>();
  CLI::App* cmd = app.add_subcommand(
      "eval-proposals",
      "AR@AN and AUC of ActivityNet proposals (MMAction2's ActivityNetDataset.evaluate), as JSON");
  cmd->add_option("ground_truth", o->ground_truth,
                  "Annotation JSON: {\"v_ID\": {\"annotations\": [{\"segment\", \"label\"}]}}")
      ->required();
  cmd->add_option("results", o->results,
                  "Result JSON: {\"results\": {\"ID\": [{\"segment\", \"score\"}]}}")
      ->required();
  cmd->add_option("--max-avg-proposals", o->max_avg_proposals,
                  "Proposals per video at the end of the AR@AN curve (default 100; 0: the "
                  "overall average)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--temporal-iou-thresholds", o->thresholds,
                  "Temporal IoU thresholds (default 0.5 0.55 ... 0.95)")
      ->expected(1, -1);
  cmd->add_flag(
      "--mAP", o->detection_map,
      "Also the detection mAP at each threshold and its average (ActivityNetLocalization; "
      "results need a 'label' per proposal)");
  cmd->callback([o] { eval_proposals(*o); });
}

}  // namespace tubelet::cli
