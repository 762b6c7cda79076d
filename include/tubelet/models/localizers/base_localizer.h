// What BMN, TEM and PEM share (MMAction2's BaseTAPGenerator and the localizers' common
// arguments): reading a batch's per-video inputs and the proposal post-processing options.
#pragma once

#include <string>
#include <vector>

#include "tubelet/args.h"
#include "tubelet/data/batch.h"
#include "tubelet/localization/proposal_post_processing.h"

namespace tubelet {

// soft_nms_alpha, soft_nms_low_threshold, soft_nms_high_threshold, post_process_top_k
// (required) and feature_extraction_interval (default 16).
ProposalPostProcessOptions read_post_process_options(Args& args);

// The batch's field `name` as one tensor per video: the per-sample list when ToDataContainer
// kept it unstacked (stack=False), otherwise the rows of the stacked tensor.
std::vector<torch::Tensor> per_video(const Batch& batch, const std::string& name);

// The i-th video's meta dict (Collect's meta_name, 'video_meta' in the localization configs).
const Dict& video_meta(const Batch& batch, size_t i);
// video_meta(batch, i)["video_name"], or an error saying the config must collect it.
Value video_name(const Batch& batch, size_t i);

// Checks a [N, channels, length] input: wrong ranks or sizes name the argument that sets them.
void check_feature_shape(const torch::Tensor& x, const std::string& model, int64_t channels,
                         const std::string& channels_arg, int64_t length,
                         const std::string& length_arg);
// The batch's "raw_feature", checked as above; an error also names the batch's videos (their
// feature files are <data_prefix>/<video_name>.csv).
const torch::Tensor& checked_raw_feature(const Batch& batch, const std::string& model,
                                         int64_t channels, const std::string& channels_arg,
                                         int64_t length, const std::string& length_arg);

}  // namespace tubelet
