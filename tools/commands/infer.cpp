// tubelet infer CONFIG CHECKPOINT VIDEO_OR_FOLDER [--label-map FILE] [--topk 5]
//                [--device cpu|cuda|cuda:N] [--view-chunk N]
// MMAction2's demo/demo.py: the top-k labels of one video with their scores. The model is
// built as MMAction2's init_recognizer builds it (backbone.pretrained=None: the checkpoint
// brings the weights), and run lean: batch norms folded into the convs, 2D convs in
// channels-last on the CPU, views in chunks, under InferenceMode, with a malloc that keeps
// freed activations for the next chunk (apis/inference.h, tubelet/allocator.h).
#include <fstream>
#include <iostream>

#include "commands.h"
#include "tubelet/allocator.h"
#include "tubelet/apis/inference.h"
#include "tubelet/apis/run_device.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/config.h"
#include "tubelet/fileio/model_cache.h"
#include "tubelet/models/builder.h"
#include "tubelet/plugin.h"

namespace tubelet::cli {

namespace {

struct InferOptions {
  std::string config, checkpoint, input, label_map;
  int64_t topk = 5;
  std::string device;  // empty: the config's device, else cpu
  std::vector<std::string> cfg_options;
  std::optional<int64_t> view_chunk;  // none: inference's default
  bool no_fuse_conv_bn = false;
};

std::vector<std::string> read_labels(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read label map " + path);
  std::vector<std::string> labels;
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    labels.push_back(line);
  }
  return labels;
}

// MMAction2's init_recognizer sets model.backbone.pretrained = None: the checkpoint brings
// every weight, so the ImageNet one named there (torchvision://resnet50) is not loaded. Only
// where the key exists, so backbones without the argument still build.
void drop_backbone_pretrained(Dict& cfg) {
  Value* model = cfg.find("model");
  if (!model || !model->is_dict()) return;
  Value* backbone = model->mutable_dict().find("backbone");
  if (!backbone || !backbone->is_dict() || !backbone->as_dict().contains("pretrained")) return;
  backbone->mutable_dict().set("pretrained", Value());
}

void infer(const InferOptions& o) {
  Dict cfg = load_config_for_command(o.config, o.cfg_options);
  drop_backbone_pretrained(cfg);
  const RunConfig run = read_run_config(cfg);
  auto model = build_model(cfg.at("model"), "model");
  auto report =
      checkpoint::load_state_dict(*model, checkpoint::load_checkpoint(o.checkpoint).state_dict);
  if (!report.ok()) std::cerr << report.message() << "\n";
  const torch::Device device =
      run_device(run, o.device.empty() ? std::nullopt : std::optional<std::string>(o.device));
  model->to(device);
  InferenceModelOptions prepare;
  prepare.fuse_conv_bn = !o.no_fuse_conv_bn;
  prepare_for_inference(*model, cfg, prepare);
  // From here on, what is freed stays in the heap for the next pass. Not before: the
  // checkpoint's tensors and the weights that folding and channels-last replace are freed
  // once, and kept they would only fragment the heap (TSN-R50: 140 MB more peak RSS).
  keep_freed_memory();
  InferenceOptions options;
  options.view_chunk = o.view_chunk;
  auto scores = inference_recognizer(*model, cfg, o.input, options);
  std::vector<std::string> labels;
  if (!o.label_map.empty()) labels = read_labels(o.label_map);
  std::cout << "The top-" << o.topk << " labels with corresponding scores are:\n";
  for (const auto& [index, score] : top_k(scores, o.topk)) {
    std::string name =
        index < static_cast<int64_t>(labels.size()) ? labels[index] : std::to_string(index);
    std::cout << name << ": " << score << "\n";
  }
}

}  // namespace

void add_infer(CLI::App& app) {
  auto o = std::make_shared<InferOptions>();
  CLI::App* cmd = app.add_subcommand("infer", "Top-k classes of one video (MMAction2's demo)");
  cmd->add_option("config", o->config, "Config file")->required();
  cmd->add_option("checkpoint", o->checkpoint, "Checkpoint (.pth)")->required();
  cmd->add_option("video", o->input, "Video file or rawframe folder")->required();
  cmd->add_option("--label-map", o->label_map, "One class name per line");
  cmd->add_option("--topk", o->topk, "How many classes to print (default 5)");
  cmd->add_option("--device", o->device,
                  "cpu, cuda or cuda:N (default: the config's device, else cpu)");
  cmd->add_option("--view-chunk", o->view_chunk,
                  "Views (clips x crops) per backbone pass when test_cfg has no "
                  "max_testing_views; 0: all at once (default: as many as fit in ~128 MiB)");
  cmd->add_flag("--no-fuse-conv-bn", o->no_fuse_conv_bn,
                "Keep batch norms as separate layers (default: folded into the convs before "
                "them, as MMAction2's test.py --fuse-conv-bn)");
  cmd->add_option("--cfg-options", o->cfg_options, "Override settings, e.g. a.b=1")
      ->expected(0, -1);
  cmd->add_flag_callback(
      "--offline", [] { set_offline(true); },
      "Download nothing: URL and model-zoo checkpoints must be in the cache (TUBELET_OFFLINE=1)");
  cmd->callback([o] { infer(*o); });
}

}  // namespace tubelet::cli
