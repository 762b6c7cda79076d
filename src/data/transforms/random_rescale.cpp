#include "tubelet/data/transforms/random_rescale.h"

#include <limits>

#include "tubelet/data/transforms/common.h"
#include "tubelet/data/transforms/resize.h"

namespace tubelet {

void RandomRescale::apply(Sample& sample) {
  int64_t short_edge = transforms::random_int(sample, scale_range_.first, scale_range_.second);
  auto [img_h, img_w] = transforms::image_shape(sample, type());
  ResizeScale scale;
  scale.first = std::numeric_limits<double>::infinity();
  scale.second = static_cast<double>(short_edge);
  auto [new_w, new_h] = resize_target(scale, true, img_w, img_h);
  resize_sample(sample, new_w, new_h, true, interpolation_, type());
  sample.info.set("short_edge", short_edge);
}

namespace {

std::shared_ptr<Transform> build_random_rescale(Args& args) {
  Value range = args.required<Value>("scale_range");
  std::string interpolation = args.get("interpolation", "bilinear");
  bool ok = range.is_tuple() && range.as_list().size() == 2 && range.as_list()[0].is_int() &&
            range.as_list()[1].is_int();
  if (!ok)
    throw args.error("scale_range", "scale_range must be a tuple of two ints, got " + repr(range));
  int64_t low = range.as_list()[0].as_int(), high = range.as_list()[1].as_int();
  if (!(low < high) || low <= 0)
    throw args.error("scale_range",
                     "scale_range must be (low, high) with 0 < low < high, got " + repr(range));
  try {
    interpolation_code(interpolation);
  } catch (const std::invalid_argument& e) {
    throw args.error("interpolation", e.what());
  }
  return std::make_shared<RandomRescale>(std::make_pair(low, high), interpolation);
}

}  // namespace

TUBELET_REGISTER(PIPELINES, RandomRescale, build_random_rescale);

}  // namespace tubelet
