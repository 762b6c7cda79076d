// tubelet bsn-proposal-generation CONFIG [--mode test|train] [--cfg-options k=v ...]:
// MMAction2's tools/misc/bsn_proposal_generation.py. From the TEM's results, writes the
// candidate proposals and their BSP features the PEM trains and tests on.
#include <iostream>

#include "commands.h"
#include "tubelet/localization/bsn/proposal_generation.h"
#include "tubelet/plugin.h"

namespace tubelet::cli {

namespace {

struct BsnProposalGenerationOptions {
  std::string config;
  std::string mode = "test";
  std::vector<std::string> cfg_options;
};

void bsn_proposal_generation(const BsnProposalGenerationOptions& o) {
  std::cerr << "Begin Proposal Generation Module\n";
  Dict cfg = load_config_for_command(o.config, o.cfg_options);
  bsn::ProposalGenerationSummary summary = bsn::run_proposal_generation(cfg, o.mode, &std::cerr);
  std::cerr << "Finish Proposal Generation Module\n";
  std::cout << "wrote " << summary.proposals << " proposals of " << summary.videos
            << " videos and their BSP features (" << o.mode << ")\n";
}

}  // namespace

void add_bsn_proposal_generation(CLI::App& app) {
  auto o = std::make_shared<BsnProposalGenerationOptions>();
  CLI::App* cmd = app.add_subcommand(
      "bsn-proposal-generation",
      "BSN: proposals and BSP features from TEM results (MMAction2's bsn_proposal_generation)");
  cmd->add_option("config", o->config, "PGM config (tem_results_dir, pgm_*_cfg, ann files)")
      ->required();
  cmd->add_option("--mode", o->mode, "train: ann_file_train; test: ann_file_val")
      ->check(CLI::IsMember({"train", "test"}))
      ->capture_default_str();
  cmd->add_option("--cfg-options", o->cfg_options, "Override settings, e.g. temporal_scale=32")
      ->expected(0, -1);
  cmd->callback([o] { bsn_proposal_generation(*o); });
}

}  // namespace tubelet::cli
