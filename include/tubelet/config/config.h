// Loading MMAction2/mmcv config files: Python-syntax (.py), JSON and YAML, with `_base_`
// inheritance, `_delete_`, `{{_base_.x}}` references, predefined variables and
// `--cfg-options` overrides, matching mmcv 1.7.0's Config.fromfile.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tubelet/config/value.h"

namespace tubelet {

struct ConfigLoadOptions {
  // Replace `{{ fileDirname }}`, `{{ fileBasename }}`, `{{ fileBasenameNoExtension }}` and
  // `{{ fileExtname }}` in the source text before evaluating it, as mmcv does.
  bool use_predefined_variables = true;
};

// Loads a config file and its bases. The result holds every top-level name of the file
// and its bases that does not start with `__`, in mmcv's order (base keys first).
// Throws ConfigError naming the file (and line/column where one applies).
Dict load_config(const std::string& path, const ConfigLoadOptions& options = {});

// Evaluates config text as if it were a file named `filename` (its extension picks the
// format; `_base_` paths resolve relative to the file's directory).
Dict load_config_text(std::string_view text, const std::string& filename,
                      const ConfigLoadOptions& options = {});

// mmcv's Config._merge_a_into_b: dicts merge recursively, `_delete_=True` replaces, other
// values replace. With allow_list_keys, digit keys index into lists of `base`.
Value merge_config(const Value& child, const Value& base, bool allow_list_keys = false);

// One `--cfg-options` item, "a.b.c=value", parsed with mmcv's DictAction rules: numbers,
// true/false (any case), None, quoted or bare strings, `[a,b]` lists and `(a,b)` tuples,
// nested; a bare `a,b` is a list.
std::pair<std::string, Value> parse_cfg_option(std::string_view option);
Value parse_cfg_option_value(std::string_view text);

// Applies `--cfg-options` items to `cfg` as mmcv's Config.merge_from_dict does
// (dotted keys, list indices like `data.train.pipeline.0.type=...`).
void apply_cfg_options(Dict& cfg, const std::vector<std::string>& options);

}  // namespace tubelet
