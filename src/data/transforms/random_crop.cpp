#include "tubelet/data/transforms/random_crop.h"

#include <stdexcept>

#include "tubelet/data/transforms/common.h"

namespace tubelet {

void RandomCrop::apply(Sample& sample) {
  auto [img_h, img_w] = transforms::image_shape(sample, type());
  if (size_ > img_h || size_ > img_w)
    throw std::invalid_argument("RandomCrop: size " + std::to_string(size_) +
                                " is larger than the " + std::to_string(img_w) + "x" +
                                std::to_string(img_h) + " frames");
  // np.random.randint(0, n) excludes n: MMAction2 never picks the last offset.
  int64_t y = img_h > size_ ? transforms::random_int(sample, 0, img_h - size_ - 1) : 0;
  int64_t x = img_w > size_ ? transforms::random_int(sample, 0, img_w - size_ - 1) : 0;
  transforms::apply_crop(sample, x, y, size_, size_, img_w, img_h, type());
}

namespace {

std::shared_ptr<Transform> build_random_crop(Args& args) {
  Value size = args.required<Value>("size");
  transforms::reject_lazy(args);
  if (!size.is_int())
    throw args.error("size", "Size must be an int, but got " + transforms::python_type(size));
  return std::make_shared<RandomCrop>(size.as_int());
}

}  // namespace

TUBELET_REGISTER(PIPELINES, RandomCrop, build_random_crop);

}  // namespace tubelet
