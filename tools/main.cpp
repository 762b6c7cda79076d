// The `tubelet` command: MMAction2's tools/ as subcommands.
#include <iostream>

#include "commands/commands.h"
#include "tubelet/config/error.h"
#include "tubelet/plugin.h"
#include "tubelet/registry.h"
#include "tubelet/threads.h"

int main(int argc, char** argv) {
  CLI::App app{"Tubelet: video action understanding on LibTorch, with MMAction2's configs"};
  app.require_subcommand(1);
  std::vector<std::string> plugins;
  app.add_option("--plugin", plugins, "Load a plugin library (path or name); repeatable")
      ->expected(1)
      ->take_all();
  // Plugins load before any subcommand runs, so their modules are there for it.
  app.parse_complete_callback([&plugins] {
    for (const std::string& plugin : plugins) tubelet::load_plugin(plugin);
  });
  tubelet::cli::add_print_config(app);
  tubelet::cli::add_list_modules(app);
  tubelet::cli::add_inspect(app);
  tubelet::cli::add_param_groups(app);
  tubelet::cli::add_schedule(app);
#ifndef TUBELET_NO_MEDIA
  tubelet::cli::add_dump_pipeline(app);
  tubelet::cli::add_analyze_logs(app);
  tubelet::cli::add_make_synthetic(app);
#endif
  tubelet::cli::add_make_synthetic_features(app);
#ifndef TUBELET_NO_MEDIA
  tubelet::cli::add_build_audio_features(app);
  tubelet::cli::add_train(app);
  tubelet::cli::add_dist_launchers(app);
  tubelet::cli::add_test(app);
  tubelet::cli::add_infer(app);
  tubelet::cli::add_stream(app);
  tubelet::cli::add_eval_metric(app);
#endif
  tubelet::cli::add_report_accuracy(app);
  tubelet::cli::add_get_flops(app);
#ifndef TUBELET_NO_MEDIA
  tubelet::cli::add_benchmark(app);
#else
  // Without video decoding and image operations: the commands that run datasets say so.
  tubelet::cli::add_commands_left_out(app);
#endif
  tubelet::cli::add_eval_proposals(app);
  tubelet::cli::add_bsn_proposal_generation(app);
  tubelet::cli::add_collect_env(app);
  // `--plugin` may follow the subcommand too: each one hands the main app what it doesn't take
  // (except the dist- launchers, which pass what they don't take on to their workers).
  for (CLI::App* sub : app.get_subcommands({}))
    if (!sub->get_allow_extras()) sub->fallthrough();
  try {
    tubelet::throw_pending_registration_errors();
    tubelet::configure_threads();
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
