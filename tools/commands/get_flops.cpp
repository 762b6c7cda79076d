// tubelet get-flops CONFIG [--shape H [W] | N C H W | N C T H W] [--cfg-options k=v ...]
// MMAction2's tools/analysis/get_flops.py: builds the config's recognizer, runs its
// forward_dummy once on a batch of one and prints mmcv's get_model_complexity_info: the
// FLOPs and parameters of every module, then the totals.
#include <c10/util/Exception.h>

#include <iostream>
#include <sstream>

#include "commands.h"
#include "tubelet/analysis/flops_counter.h"
#include "tubelet/config/error.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/recognizers/base_recognizer.h"
#include "tubelet/plugin.h"

namespace tubelet::cli {

namespace {

struct GetFlopsOptions {
  std::string config;
  std::vector<int64_t> shape{340, 256};  // get_flops.py's default
  std::vector<std::string> cfg_options;
};

// get_flops.py's input_shape: H -> (1, 3, H, H), H W -> (1, 3, H, W), 4 or 5 numbers as they
// are (a 2D recognizer's N_SEGS C H W, a 3D one's N_CLIPS C T H W).
std::vector<int64_t> flops_input_shape(const std::vector<int64_t>& shape) {
  for (int64_t d : shape)
    if (d <= 0)
      throw std::invalid_argument("--shape: every size must be positive, got " + std::to_string(d));
  switch (shape.size()) {
    case 1:
      return {1, 3, shape[0], shape[0]};
    case 2:
      return {1, 3, shape[0], shape[1]};
    case 4:
    case 5:
      return shape;
    default:
      throw std::invalid_argument(
          "--shape: invalid input shape: give 1 number (H), 2 (H W), 4 (N C H W) or 5 "
          "(N C T H W), got " +
          std::to_string(shape.size()));
  }
}

// Python's repr of a tuple of ints: "(1, 3, 224, 224)".
std::string shape_repr(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

// MMAction2 builds the model without init_weights, so no checkpoint is read; Tubelet's
// backbones load `pretrained` while they are built. Weights change neither FLOPs nor
// parameter counts, so every `pretrained` checkpoint name becomes None.
void drop_pretrained(Value& v) {
  if (v.is_sequence()) {
    for (Value& item : v.mutable_list()) drop_pretrained(item);
    return;
  }
  if (!v.is_dict()) return;
  Dict& d = v.mutable_dict();
  std::vector<Value> keys;
  for (const auto& item : d) keys.push_back(item.first);
  for (const Value& key : keys) {
    Value& child = *d.find(key);
    if (key.is_str() && key.as_str() == "pretrained" && child.is_str())
      child = Value();
    else
      drop_pretrained(child);
  }
}

// build_recognizer(cfg.model), and get_flops.py's check that the model has a forward_dummy.
std::shared_ptr<BaseRecognizerImpl> build_flops_model(const Dict& cfg) {
  const Value* model_cfg = cfg.find("model");
  if (!model_cfg) throw ConfigError("the config has no 'model'");
  Value model = *model_cfg;
  drop_pretrained(model);
  std::shared_ptr<torch::nn::Module> module = build_model(model, "model");
  auto recognizer = std::dynamic_pointer_cast<BaseRecognizerImpl>(module);
  if (!recognizer) {
    const Value* type = model.is_dict() ? model.as_dict().find("type") : nullptr;
    throw std::invalid_argument("FLOPs counter is currently not supported with " +
                                (type && type->is_str() ? type->as_str() : module->name()) +
                                ": get-flops runs a recognizer's forward_dummy");
  }
  return recognizer;
}

analysis::ModelComplexity count_recognizer_flops(BaseRecognizerImpl& model,
                                                 const std::vector<int64_t>& shape) {
  try {
    return analysis::get_model_complexity_info(
        model, shape, [&model](const torch::Tensor& batch) { model.forward_dummy(batch); });
  } catch (const c10::Error& e) {
    std::vector<int64_t> batch{1};
    batch.insert(batch.end(), shape.begin(), shape.end());
    throw std::invalid_argument(
        "--shape " + shape_repr(shape) + ": the model cannot run on a batch of shape " +
        shape_repr(batch) + " (mmcv puts a batch of one in front): " + e.what_without_backtrace() +
        "\n(a 2D recognizer takes H W or N_SEGS C H W; a 3D one N_CLIPS C T H W, e.g. --shape "
        "1 3 32 224 224)");
  }
}

void get_flops(const GetFlopsOptions& o) {
  const std::vector<int64_t> shape = flops_input_shape(o.shape);
  const Dict cfg = load_config_for_command(o.config, o.cfg_options);
  std::shared_ptr<BaseRecognizerImpl> model = build_flops_model(cfg);
  const analysis::ModelComplexity complexity = count_recognizer_flops(*model, shape);
  analysis::print_model_with_flops(complexity, std::cout);
  const std::string split_line(30, '=');
  std::cout << split_line << "\nInput shape: " << shape_repr(shape)
            << "\nFlops: " << analysis::flops_to_string(complexity.flops)
            << "\nParams: " << analysis::params_to_string(complexity.params) << "\n"
            << split_line << "\n"
            << "!!!Please be cautious if you use the results in papers. You may need to check if "
               "all ops are supported and verify that the flops computation is correct.\n";
}

}  // namespace

void add_get_flops(CLI::App& app) {
  auto o = std::make_shared<GetFlopsOptions>();
  CLI::App* cmd = app.add_subcommand(
      "get-flops",
      "FLOPs and parameters of a config's recognizer (MMAction2's tools/analysis/get_flops.py)");
  cmd->add_option("config", o->config, "Config file")->required();
  cmd->add_option("--shape", o->shape,
                  "Input size: H, H W, N C H W or N C T H W (default: 340 256)")
      ->expected(1, -1);
  cmd->add_option("--cfg-options", o->cfg_options, "Override settings, e.g. a.b=1")
      ->expected(0, -1);
  cmd->callback([o] { get_flops(*o); });
}

}  // namespace tubelet::cli
