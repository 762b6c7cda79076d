// mmcv-style checkpoints: {meta, state_dict, optimizer} in a .pth file, loaded into modules
// with mmcv 1.7.0's semantics (module. prefix stripped, strict or not, a report of missing,
// unexpected and shape-mismatched keys).
#pragma once

#include <torch/nn/module.h>
#include <torch/ordered_dict.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tubelet/checkpoint/pickle.h"
#include "tubelet/config/value.h"

namespace tubelet::checkpoint {

using StateDict = torch::OrderedDict<std::string, torch::Tensor>;

struct Checkpoint {
  StateDict state_dict;  // keys revised (by default `module.` stripped)
  Value meta;            // what of meta is a config value (dict; None when absent)
  Pickle optimizer;      // as stored (root is nullptr when absent)
  Pickle raw;            // the whole file's object
};

struct LoadOptions {
  // mmcv's revise_keys: (regex, replacement) applied to every key, in order.
  std::vector<std::pair<std::string, std::string>> revise_keys = {{"^module\\.", ""}};
};

// Loads a .pth file: a mmcv checkpoint ({'state_dict': ...}) or a bare state_dict.
// Entries of the state_dict that are not tensors are skipped.
Checkpoint load_checkpoint(const std::string& path, const LoadOptions& options = {});
Checkpoint checkpoint_from(Pickle raw, const std::string& name, const LoadOptions& options = {});

// Writes {meta, state_dict, optimizer} (mmcv's layout) atomically; `optimizer` may be an
// empty Pickle (no optimizer key) or one from a loaded checkpoint or from to_pickle().
// `extras` are further top-level entries (a runner's RNG state, for example).
void save_checkpoint(const std::string& path, const StateDict& state_dict, const Value& meta = {},
                     const Pickle& optimizer = {},
                     const std::vector<std::pair<std::string, Pickle>>& extras = {});

// Config values and IValues (e.g. an optimizer's state) as pickle trees.
PyObject* to_pyobject(PickleArena& arena, const Value& v);
PyObject* to_pyobject(PickleArena& arena, const c10::IValue& v);
Pickle to_pickle(const c10::IValue& v);
// The config value of a pickle node; nullopt for what has no meaning here (tensors, bytes,
// opaque objects). Inside containers such values are dropped.
std::optional<Value> to_value(const PyObject& o);

// The module's parameters and buffers in PyTorch's state_dict order (each module's
// parameters, its buffers, then its children).
StateDict state_dict(const torch::nn::Module& module);

struct LoadReport {
  std::vector<std::string> missing_keys;  // without num_batches_tracked, as mmcv
  std::vector<std::string> unexpected_keys;
  std::vector<std::string> size_mismatches;  // "size mismatch for k: copying a param ..."
  bool ok() const {
    return missing_keys.empty() && unexpected_keys.empty() && size_mismatches.empty();
  }
  // mmcv's message: "The model and loaded state dict do not match exactly\n..."; "" if ok.
  std::string message() const;
};

// Copies matching tensors into the module's parameters and buffers. With `strict`, any
// mismatch throws CheckpointError(report.message()) after copying what matches, as mmcv.
LoadReport load_state_dict(torch::nn::Module& module, const StateDict& state_dict,
                           bool strict = false);

}  // namespace tubelet::checkpoint
