#include <ATen/Parallel.h>
#include <torch/version.h>

extern "C" {
#include <libavcodec/version.h>
#include <libavformat/version.h>
}
#include <opencv2/core/version.hpp>
#include <sstream>
#include <thread>

#include "tubelet/apis/train.h"

namespace tubelet {

std::string environment_info() {
  std::ostringstream out;
  out << "sys.platform: linux\n"
      << "Compiler: GCC " << __VERSION__ << "\n"
      << "LibTorch: " << TORCH_VERSION << "\n"
      << "LibTorch parallel info:\n"
      << at::get_parallel_info() << "OpenCV: " << CV_VERSION << "\n"
      << "FFmpeg: libavformat " << LIBAVFORMAT_IDENT << ", libavcodec " << LIBAVCODEC_IDENT << "\n"
      << "CPU cores: " << std::thread::hardware_concurrency() << "\n"
      << "Tubelet: 0.1.0";
  return out.str();
}

}  // namespace tubelet
