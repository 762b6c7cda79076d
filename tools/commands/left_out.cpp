// The commands a build without video decoding and image operations (TUBELET_WITH_MEDIA=OFF)
// leaves out. They stay in the command list and say why they cannot run, instead of CLI11's
// "unexpected argument".
#include <stdexcept>
#include <string>

#include "commands.h"

namespace tubelet::cli {

void add_commands_left_out(CLI::App& app) {
  for (const char* name :
       {"dump-pipeline", "analyze-logs", "make-synthetic", "build-audio-features", "train",
        "dist-train", "dist-test", "test", "infer", "stream", "eval-metric", "benchmark"}) {
    CLI::App* cmd = app.add_subcommand(name, "(not in this build: no FFmpeg/OpenCV)");
    cmd->allow_extras();
    cmd->callback([name = std::string(name)] {
      throw std::runtime_error("'tubelet " + name +
                               "' is not in this build: it was configured with "
                               "TUBELET_WITH_MEDIA=OFF (no FFmpeg or OpenCV, so no datasets or "
                               "pipelines); build with them (scripts/install-deps.sh) to use it");
    });
  }
}

}  // namespace tubelet::cli
