// mmcv.dump and mmcv.load for results files: what `tubelet test --out` and MMAction2's
// tools/test.py --out write, and `tubelet eval-metric` / `report-accuracy` read. The format
// follows the file's extension as in mmcv: .json, or .pkl / .pickle (a protocol-2 pickle, as
// Python writes it; see tubelet/checkpoint/results_pickle.h). YAML is not supported.
#pragma once

#include <torch/types.h>

#include <filesystem>
#include <optional>

#include "tubelet/config/value.h"

namespace tubelet {

// What a results file holds.
struct ResultsFile {
  // Score rows, one per video (a recognizer's results): a pickle's list of numpy arrays of one
  // shape (their dtype), or JSON's list of lists of numbers of one length (double).
  std::optional<torch::Tensor> rows;
  // Anything else (a localizer's proposal dicts), numpy arrays in it as lists of numbers. An
  // empty list sets both.
  Value value;
};

// Reads a results file. Errors (std::runtime_error, ConfigError for bad JSON) name the file.
ResultsFile load_results_file(const std::filesystem::path& path);

// Score rows [N, ...]: .json a list of N lists of numbers (each row flattened) and a newline;
// .pkl a list of N numpy arrays rows[i] (rows' dtype). Creates the parent directory; the file
// is written atomically.
void dump_rows_file(const torch::Tensor& rows, const std::filesystem::path& path);

// Any value (a localizer's records): .json on one line, .pkl a pickle of plain Python objects.
void dump_value_file(const Value& value, const std::filesystem::path& path);

// Whether mmcv would write `path` as JSON or pickle (.json, .pkl, .pickle).
bool is_results_file_name(const std::filesystem::path& path);

}  // namespace tubelet
