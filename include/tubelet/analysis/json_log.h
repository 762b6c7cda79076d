// A run's .log.json as MMAction2's tools/analysis/analyze_logs.py loads it: one JSON object
// per line, lines without "epoch" (the run's meta line) skipped, the others grouped by
// epoch in the order epochs first appear.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tubelet/config/value.h"

namespace tubelet::analysis {

struct EpochLog {
  int64_t epoch = 0;
  std::vector<Dict> entries;  // each line without "epoch", in file order
};

struct JsonLog {
  std::filesystem::path path;
  std::vector<EpochLog> epochs;

  // Names with a numeric value in some entry ("loss", "top1_acc", ...) other than epoch and
  // iter, in the order they first appear.
  std::vector<std::string> keys() const;
};

// Throws std::runtime_error for a missing file and for a line that is not a JSON object
// (naming the file and the line).
JsonLog load_json_log(const std::filesystem::path& path);

// "mode" of an entry ("train", "val"); "" when absent.
std::string entry_mode(const Dict& entry);

}  // namespace tubelet::analysis
