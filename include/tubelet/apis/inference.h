// MMAction2's inference_recognizer (mmaction/apis/inference.py) and demo/demo.py: one video
// file, rawframe folder or decoded array through the config's test pipeline (its decoder
// swapped for the input's kind, as MMAction2 does), the model's scores, the top-k classes.
// Two stages, so that a caller can prepare the next input while the model runs: the pipeline
// (inference_batch, any number of threads at once) and the forward (inference_scores, one at
// a time per model). apis/recognizer.h wraps both with the model's loading.
// Needs TUBELET_WITH_MEDIA: it runs a dataset and its pipeline.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <torch/nn/module.h>

#include "tubelet/config/value.h"
#include "tubelet/data/batch.h"

namespace tubelet {

// The test pipeline MMAction2 runs for `input`: for a video file, OpenCVInit first and every
// *Decode replaced by OpenCVDecode; for a folder, no *Init and every *Decode replaced by
// RawFrameDecode. Also returns the initial results dict (filename / frame_dir, ...).
// Throws std::invalid_argument naming `input` when it does not exist.
std::pair<Value, Dict> inference_pipeline(const Dict& cfg, const std::string& input);

// The test pipeline MMAction2 runs for an array input (a T x H x W x C ndarray): every *Decode
// replaced by ArrayDecode and every *Init step removed.
Value array_inference_pipeline(const Dict& cfg);

// What one pass of the backbone may hold in activations when inference picks the views per
// pass itself (default_view_chunk). Measured on TSN-R50 (250 views of 224x224, 2 cores):
// 27 views per pass (256 MiB) peaked at 1.15 GB RSS, 13 (128 MiB) at 0.84 GB, with no
// measurable difference in CPU time; below ~8 views the CPU time grows (more, smaller
// oneDNN calls, each reordering the weights).
constexpr int64_t kDefaultViewChunkBytes = int64_t{128} << 20;

struct InferenceOptions {
  // Views (clips x crops) per backbone pass when the model's test_cfg has no
  // max_testing_views: none picks default_view_chunk(imgs); 0 runs them all at once, as
  // MMAction2 does. The scores are the same either way, float rounding aside.
  std::optional<int64_t> view_chunk;
};

// What prepare_for_inference does to a loaded model.
struct InferenceModelOptions {
  // Fold each batch norm into the conv before it (models/fuse_conv_bn.h).
  bool fuse_conv_bn = true;
  // Convolution weights in channels-last; none: as inference_channels_last says.
  std::optional<bool> channels_last;
};

// Whether inference runs in channels-last when the caller does not say: the config's
// `channels_last` when it has the key (then 4-D and 5-D weights, as training does), else on
// the CPU for 2D convolutions (4-D weights only): oneDNN then convolves NHWC maps directly
// instead of reordering every NCHW input and output (TSN-R50 on 2 cores: ~18% faster).
bool inference_channels_last(const Dict& cfg, const torch::Device& device);

// Readies a loaded model (on its device) for inference_recognizer: eval mode, batch norms
// folded (when asked), weights in channels-last (when asked or inference_channels_last).
// Returns what it did, e.g. "53 batch norms folded, 2D convs channels-last".
std::string prepare_for_inference(torch::nn::Module& model, const Dict& cfg,
                                  const InferenceModelOptions& options = {});

// `input` (a video file or rawframe folder) through inference_pipeline's steps, collated into
// a batch of one, on the CPU. Safe to call from several threads at once.
Batch inference_batch(const Dict& cfg, const std::string& input);

// A decoded video, uint8 [T, H, W, C] (C = 3: RGB frames; C = 2: the x and y of optical flow,
// as MMAction2 maps the last dimension to a modality), through array_inference_pipeline's
// steps as MMAction2 runs an ndarray: total_frames T, start_index 0, label -1, the tensor as
// results['array']. Throws std::invalid_argument naming the tensor's shape or dtype when it is
// not such a video. Any device; it is read on the CPU. Safe to call from several threads.
Batch inference_batch(const Dict& cfg, const torch::Tensor& video);

// Class scores ([num_classes], CPU) of a batch from inference_batch, from `model` (built from
// cfg.model), computed under c10::InferenceMode (no autograd bookkeeping, no version
// counters). Several threads may call it with the same model: their forwards run one at a
// time (a forward sets the recognizer's view_chunk and eval mode for its duration).
torch::Tensor inference_scores(torch::nn::Module& model, Batch batch,
                               const InferenceOptions& options = {});

// inference_scores(model, inference_batch(cfg, input), options).
torch::Tensor inference_recognizer(torch::nn::Module& model, const Dict& cfg,
                                   const std::string& input, const InferenceOptions& options = {});

// Views per backbone pass for a test batch `imgs` ([N, views, ...]): as many as keep one
// pass's activations within about `budget_bytes`, at least 1. A view's activations are
// estimated at 16x its input: ResNet-50's largest maps at 224x224 (64x112x112 after the stem,
// 256x56x56 in layer1) are 5.3x a 3x224x224 input, and a residual block holds about three at
// once. The default budget gives 13 views of 224x224 (TSN's 25 clips x TenCrop: 20 passes)
// and one 3D clip of 3x32x224x224 per pass.
int64_t default_view_chunk(const torch::Tensor& imgs,
                           int64_t budget_bytes = kDefaultViewChunkBytes);

// The `k` best (class index, score) pairs, best first (ties keep the lower index first, as
// Python's stable sort does).
std::vector<std::pair<int64_t, double>> top_k(const torch::Tensor& scores, int64_t k);

}  // namespace tubelet
