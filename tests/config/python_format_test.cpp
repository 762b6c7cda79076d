// python_format: the config interpreter's str.format, public for the data layer's name
// templates (RawFrameDecode's filename_tmpl, RawVideoDataset's clipname_tmpl).
#include <gtest/gtest.h>

#include <stdexcept>

#include "tubelet/config/format.h"

namespace tubelet::python_format_test {
namespace {

TEST(PythonFormat, FillsNameTemplatesAsPython) {
  EXPECT_EQ(python_format("img_{:05}.jpg", {Value(int64_t{7})}), "img_00007.jpg");
  EXPECT_EQ(python_format("{}_{:05d}.jpg", {Value(std::string("x")), Value(int64_t{12})}),
            "x_00012.jpg");
  EXPECT_EQ(python_format("clip{}", {Value(int64_t{3})}), "clip3");
}

TEST(PythonFormat, ABadTemplateThrows) {
  EXPECT_ANY_THROW(python_format("img_{1}.jpg", {Value(int64_t{1})}));
}

}  // namespace
}  // namespace tubelet::python_format_test
