// One sample on its way through a pipeline: MMAction2's `results` dict, split by what the
// values are. Transforms read and write it in place.
#pragma once

#include <torch/types.h>

#include <memory>
#include <opencv2/core/mat.hpp>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "tubelet/config/value.h"

namespace tubelet {

class VideoReader;

struct Sample {
  // Plain values: filename, label, total_frames, start_index, modality, frame_inds, clip_len,
  // frame_interval, num_clips, original_shape, img_shape, crop_bbox, flip, img_norm_cfg, ...
  // under MMAction2's keys and with its Python types (lists/tuples as Value lists/tuples).
  Dict info;
  // results['imgs'] while it is a list of frames: H x W x 3 uint8 RGB from the decoders (one
  // H x W uint8 image per x or y component for Flow), float32 after Normalize.
  std::vector<cv::Mat> imgs;
  // Arrays: 'imgs' once FormatShape stacked the frames, 'label' as a tensor, 'raw_feature',
  // 'gt_bbox', ... in the order they were made. Collect keeps the ones asked for.
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  // Tensors ToDataContainer marked stack=False: the loader gives them to the model as a list.
  std::vector<std::string> unstacked;
  // results['video_reader'] between an *Init and its *Decode.
  std::shared_ptr<VideoReader> video_reader;
  // Where random transforms draw from; the loader seeds it from (seed, epoch, index) so a
  // sample is the same whichever worker makes it.
  std::mt19937_64 rng{0};

  // info[key], or std::invalid_argument "the sample has no 'key' (needed by `who`)".
  const Value& need(const std::string& key, const std::string& who) const;
  const torch::Tensor* tensor(const std::string& name) const;
  void set_tensor(const std::string& name, torch::Tensor value);  // replaces or appends
};

// A uniform draw in [0, 1) from the sample's generator, as np.random.rand() would give.
double uniform01(Sample& sample);

}  // namespace tubelet
