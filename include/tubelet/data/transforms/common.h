// What MMAction2's augmentations share: the image shape they start from, random draws from
// the sample's generator, results keys with numpy's types mapped to Values (float32 arrays
// become lists of float32-rounded floats, int arrays lists of ints), and the crop/resize/flip
// of the boxes and keypoints that travel with the frames (tensors "gt_bboxes", "proposals",
// "keypoint").
#pragma once

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "tubelet/args.h"
#include "tubelet/data/sample.h"

namespace tubelet::transforms {

// Reads `lazy`; the lazy mode (deferred crops fused by Fuse) is not implemented, so True is
// an error.
void reject_lazy(Args& args);

// MMAction2's _init_lazy_if_proper(results, False): img_shape as (h, w), taken from the first
// frame (and stored as a tuple) when the sample has none; a sample carrying 'lazy' is refused.
std::pair<int64_t, int64_t> image_shape(Sample& sample, const std::string& who);
void set_image_shape(Sample& sample, int64_t h, int64_t w);

// A uniform integer in [low, high] (both included) from the sample's generator.
int64_t random_int(Sample& sample, int64_t low, int64_t high);
// A uniform float in [low, high) from the sample's generator.
double random_uniform(Sample& sample, double low, double high);

Value int_list(const std::vector<int64_t>& values);
Value int_tuple(const std::vector<int64_t>& values);
Value float32_list(const std::vector<float>& values);
// A list or tuple of numbers as float32, e.g. results['scale_factor'].
std::vector<float> float32_values(const Value& v, const std::string& what);

// results['crop_quadruple'] after a crop of (x, y, w, h) pixels from an img_w x img_h image,
// combined in float64 with the old one as it is stored (float32 values, or Python floats from
// PoseCompact) and stored as float32.
void update_crop_quadruple(Sample& sample, int64_t x, int64_t y, int64_t w, int64_t h,
                           int64_t img_w, int64_t img_h);
// Crops every frame to [x1, x2) x [y1, y2) (views into the frames, as numpy slicing) and
// moves keypoints and boxes with it, as RandomCrop and its subclasses do. Keypoints come out
// float64, as numpy's kps - crop_bbox[:2] (an int64 array) makes them.
void crop_sample(Sample& sample, const std::array<int64_t, 4>& bbox, const std::string& who);

// "<class 'float'>", as Python formats type(x) in MMAction2's messages.
std::string python_type(const Value& v);
// torch's _pair(x) checked as mmcv.is_tuple_of(x, int): an int n gives (n, n); a list or
// tuple of two ints is taken as it is; otherwise `message` + ", but got <class '...'>".
std::pair<int64_t, int64_t> read_int_pair(Args& args, const std::string& key,
                                          const std::string& message);

// A single-crop transform's results: crop_quadruple, crop_bbox (a list, as np.array), img_shape
// and the cropped frames, boxes and keypoints.
void apply_crop(Sample& sample, int64_t x, int64_t y, int64_t w, int64_t h, int64_t img_w,
                int64_t img_h, const std::string& who);

// The frame at `i` checked to be a non-empty image.
const cv::Mat& frame(const Sample& sample, size_t i, const std::string& who);

}  // namespace tubelet::transforms
