// MMAction2's inference_recognizer (mmaction/apis/inference.py) and demo/demo.py: one video
// file or rawframe folder through the config's test pipeline (its decoder swapped for the
// input's kind, as MMAction2 does), the model's scores, the top-k classes.
// Needs TUBELET_WITH_MEDIA: it runs a dataset and its pipeline.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <torch/nn/module.h>

#include "tubelet/config/value.h"

namespace tubelet {

// The test pipeline MMAction2 runs for `input`: for a video file, OpenCVInit first and every
// *Decode replaced by OpenCVDecode; for a folder, no *Init and every *Decode replaced by
// RawFrameDecode. Also returns the initial results dict (filename / frame_dir, ...).
std::pair<Value, Dict> inference_pipeline(const Dict& cfg, const std::string& input);

// Class scores of `input` ([num_classes]) from `model` (built from cfg.model, in eval mode).
torch::Tensor inference_recognizer(torch::nn::Module& model, const Dict& cfg,
                                   const std::string& input);

// The `k` best (class index, score) pairs, best first (ties keep the lower index first, as
// Python's stable sort does).
std::vector<std::pair<int64_t, double>> top_k(const torch::Tensor& scores, int64_t k);

}  // namespace tubelet
