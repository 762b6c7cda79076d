// Checkpoints named by URL or model-zoo name, resolved as mmcv 1.7.0's CheckpointLoader does:
//   torchvision://NAME (and the deprecated modelzoo://NAME)  torchvision's weights table
//   open-mmlab://NAME (and openmmlab://NAME)                  mmcv's open_mmlab.json
//   mmcls://NAME                                              mmcv's mmcls.json
//   http://... and https://...                                the URL itself
// A URL's file lives in torch.hub's cache, $TORCH_HOME/hub/checkpoints/<file name of the URL>
// (TORCH_HOME defaults to $XDG_CACHE_HOME/torch, else ~/.cache/torch), where PyTorch and mmcv
// keep the same files; a missing one is downloaded there unless downloads are off.
// Anything else is a local path. checkpoint::load_checkpoint resolves every name through here,
// so `pretrained`, `load_from`, `resume_from` and a checkpoint argument all accept these names.
#pragma once

#include <filesystem>
#include <string>

namespace tubelet {

// mmcv's loader name for `name` ("torchvision", "openmmlab", "mmcls", "http" or "local"), as
// its log line "load checkpoint from <scheme> path: <name>" says it.
std::string checkpoint_scheme(const std::string& name);

// What a model-zoo name or URL stands for: a URL, or for an open-mmlab entry that is a file
// name, that file under $MMCV_HOME (default $XDG_CACHE_HOME/mmcv, else ~/.cache/mmcv).
// A name the tables do not know, and pavi:// and s3:// (not read by Tubelet), throw
// ConfigError. A local path is returned as it is.
std::string checkpoint_location(const std::string& name);

// For a module's `pretrained` argument, so that a typo fails when the config is read rather
// than when the weights are loaded: "" when checkpoint_location(name) succeeds, else its
// message ("NAME: why").
std::string checkpoint_name_problem(const std::string& name);
// Throws ConfigError("WHERE: pretrained=NAME: why") where checkpoint_name_problem finds one.
void check_checkpoint_name(const std::string& name, const std::string& where);

// The local file for `name` (see above), downloading a missing URL's file to the cache.
std::filesystem::path resolve_checkpoint(const std::string& name);

// torch.hub's cache folder: $TORCH_HOME/hub/checkpoints (not created here).
std::filesystem::path torch_hub_checkpoint_dir();

// Downloads off: set by --offline, or TUBELET_OFFLINE set to anything but "" or "0". A missing
// file is then an error that says which file to put where.
void set_offline(bool offline);
bool offline();

}  // namespace tubelet
