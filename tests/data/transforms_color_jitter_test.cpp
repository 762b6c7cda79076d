// ColorJitter's brightness, contrast and saturation arithmetic against numpy evaluating
// MMAction2 0.24.1's formulas (tests/fixtures/data/color_jitter.json, made by
// tools/fixtures/make_color_jitter_fixtures.py), for the adjustment order this build uses.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "support/paths.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"
#include "tubelet/data/transforms/color_jitter.h"

namespace tubelet::transforms_color_jitter_test {
namespace {

cv::Mat image_of(const Value& rows) {
  const List& r = rows.as_list();
  int h = static_cast<int>(r.size()), w = static_cast<int>(r[0].as_list().size());
  cv::Mat m(h, w, CV_8UC3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c)
        m.ptr<uint8_t>(y)[3 * x + c] =
            static_cast<uint8_t>(r[y].as_list()[x].as_list()[c].as_int());
  return m;
}

TEST(TransformsColorJitterNumpy, MatchesNumpyFloat32Arithmetic) {
  auto file = test::source_dir() / "tests/fixtures/data/color_jitter.json";
  Dict fx = from_json(test::read_text(file), file.string()).as_dict();
  ColorJitter jitter({fx.at("brightness").as_float(), fx.at("brightness").as_float()},
                     {fx.at("contrast").as_float(), fx.at("contrast").as_float()},
                     {fx.at("saturation").as_float(), fx.at("saturation").as_float()}, {0, 0});
  const Value* want = nullptr;
  for (const Value& r : fx.at("results").as_list()) {
    const List& order = r.as_dict().at("order").as_list();
    bool match = true;
    for (int i = 0; i < 4; ++i) match = match && order[i].as_int() == jitter.order()[i];
    if (match) want = &r.as_dict().at("image");
  }
  ASSERT_NE(want, nullptr);
  Sample s;
  s.imgs.push_back(image_of(fx.at("image")));
  jitter.apply(s);
  // np.mean sums float32 pairwise, we in double: a value on a truncation edge may move by 1.
  cv::Mat expected = image_of(*want), diff;
  cv::absdiff(s.imgs[0], expected, diff);
  EXPECT_LE(cv::norm(diff, cv::NORM_INF), 1);
  EXPECT_LE(cv::countNonZero(diff.reshape(1)), 1);
}

}  // namespace
}  // namespace tubelet::transforms_color_jitter_test
