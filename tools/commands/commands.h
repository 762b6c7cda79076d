// The subcommands of `tubelet`. Each adds itself to the CLI11 app and runs when chosen.
#pragma once

#include <CLI/CLI.hpp>

namespace tubelet::cli {

void add_print_config(CLI::App& app);
void add_list_modules(CLI::App& app);
void add_inspect(CLI::App& app);
void add_param_groups(CLI::App& app);
void add_analyze_logs(CLI::App& app);
void add_make_synthetic(CLI::App& app);
void add_train(CLI::App& app);
void add_dist_launchers(CLI::App& app);
void add_test(CLI::App& app);
void add_infer(CLI::App& app);
void add_stream(CLI::App& app);
void add_benchmark(CLI::App& app);
void add_eval_proposals(CLI::App& app);
void add_bsn_proposal_generation(CLI::App& app);
void add_make_synthetic_features(CLI::App& app);
void add_build_audio_features(CLI::App& app);
void add_collect_env(CLI::App& app);
void add_schedule(CLI::App& app);
void add_dump_pipeline(CLI::App& app);
void add_eval_metric(CLI::App& app);
void add_report_accuracy(CLI::App& app);
void add_get_flops(CLI::App& app);
// TUBELET_WITH_MEDIA=OFF: the commands above that run datasets, each saying why it cannot.
void add_commands_left_out(CLI::App& app);

}  // namespace tubelet::cli
