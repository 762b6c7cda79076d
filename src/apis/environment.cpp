#include "tubelet/apis/environment.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <dlfcn.h>
#include <torch/cuda.h>
#include <torch/version.h>

// Only a LibTorch with CUDA has (and needs) the CUDA headers; CMake defines TUBELET_WITH_CUDA
// then. Without it every CUDA question goes through LibTorch's CUDA hooks.
#ifdef TUBELET_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>
#endif
#if defined(TUBELET_WITH_CUDA) && defined(USE_C10D_NCCL)
#include <torch/csrc/cuda/nccl.h>
#endif

// A build without video decoding and image operations (TUBELET_WITH_MEDIA=OFF) has neither
// FFmpeg's nor OpenCV's headers, and reports their versions as None.
#ifndef TUBELET_NO_MEDIA
extern "C" {
#include <libavcodec/version.h>
#include <libavformat/version.h>
#include <libavutil/avutil.h>
}
#include <opencv2/core/version.hpp>
#endif

#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "tubelet/allocator.h"
#include "tubelet/build_info.h"
#include "tubelet/config/dump.h"
#include "tubelet/distributed/process_group.h"
#include "tubelet/fileio/download.h"

namespace tubelet {

namespace {

// "13.0" from CUDA's 13000; "9.19.0" from cuDNN's 91900 (cuDNN 9: major * 10000 + minor * 100
// + patch; cuDNN 8 and before: major * 1000 + minor * 100 + patch).
std::string cuda_version_text(long v) {
  return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10);
}

std::string cudnn_version_text(long v) {
  const long major_unit = v >= 90000 ? 10000 : 1000;
  return std::to_string(v / major_unit) + "." + std::to_string(v % major_unit / 100) + "." +
         std::to_string(v % 100);
}

// The value after `key=` in at::show_config()'s "Build settings: A=x, B=y, ..." line.
Value build_setting(const std::string& config, const std::string& key) {
  const std::string needle = " " + key + "=";
  const size_t at = config.find(needle);
  if (at == std::string::npos) return Value();
  const size_t begin = at + needle.size();
  const size_t end = config.find_first_of(",\n", begin);
  return Value(config.substr(begin, end == std::string::npos ? std::string::npos : end - begin));
}

// The rest of the first line of `text` that starts with `prefix` (after leading blanks).
Value line_after(const std::string& text, std::string_view prefix) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const size_t first = line.find_first_not_of(" \t-");
    if (first != std::string::npos && line.compare(first, prefix.size(), prefix) == 0)
      return Value(line.substr(first + prefix.size()));
  }
  return Value();
}

// The file behind a loaded library's path, symbolic links resolved (Debian's libblas.so.3 is
// a link the alternatives system points at OpenBLAS or the reference BLAS).
std::string resolved(const char* path) {
  std::error_code ec;
  const auto canonical = std::filesystem::canonical(path, ec);
  return ec ? std::string(path) : canonical.string();
}

// The libtorch_cpu this process loaded (at::show_config lives there), found through dladdr.
std::string libtorch_library() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&at::show_config), &info) == 0 || !info.dli_fname)
    return "unknown";
  return resolved(info.dli_fname);
}

// The library that serves BLAS's sgemm_ in this process: Debian's LibTorch says
// BLAS_INFO=generic and gets whatever libblas.so.3 the alternatives system picked (OpenBLAS
// is ~50x faster than the reference BLAS). None where no sgemm_ is exported.
Value blas_library() {
  void* symbol = dlsym(RTLD_DEFAULT, "sgemm_");
  Dl_info info{};
  if (!symbol || dladdr(symbol, &info) == 0 || !info.dli_fname) return Value();
  return Value(resolved(info.dli_fname));
}

// Whether the LibTorch loaded has CUDA compiled in: its CUDA library registered CUDA hooks
// whose hasCUDART() is true (the CPU-only default's is false). Not at::hasCUDA(): that one is
// false on a CUDA build without a GPU.
bool cuda_compiled() {
  return at::detail::getCUDAHooks().hasCUDART();
}

// The optional parts this build was configured without (cmake/dependencies.cmake), or None.
Value left_out_parts() {
  std::vector<std::string> parts;
#ifdef TUBELET_NO_MEDIA
  parts.push_back("media (FFmpeg, OpenCV)");
#endif
  if (!yaml_available()) parts.push_back("YAML (yaml-cpp)");
  if (!downloads_available()) parts.push_back("downloads (libcurl)");
  if (!dist::gloo_available()) parts.push_back("Gloo");
  if (parts.empty()) return Value();
  std::string text = parts[0];
  for (size_t i = 1; i < parts.size(); ++i) text += ", " + parts[i];
  return Value(text);
}

Value gpu_list(bool available) {
  List gpus;
#ifdef TUBELET_WITH_CUDA
  if (available) {
    const int count = static_cast<int>(torch::cuda::device_count());
    for (int i = 0; i < count; ++i) {
      const cudaDeviceProp* p = at::cuda::getDeviceProperties(static_cast<c10::DeviceIndex>(i));
      Dict gpu;
      gpu.set("index", Value(i));
      gpu.set("name", Value(std::string(p->name)));
      gpu.set("total_memory_mib", Value(static_cast<int64_t>(p->totalGlobalMem >> 20)));
      gpu.set("compute_capability",
              Value(std::to_string(p->major) + "." + std::to_string(p->minor)));
      gpus.push_back(Value(std::move(gpu)));
    }
  }
#else
  (void)available;
#endif
  return Value::list(std::move(gpus));
}

Value nccl_version() {
#if defined(TUBELET_WITH_CUDA) && defined(USE_C10D_NCCL)
  // LibTorch packs the version as major << 32 | minor << 16 | patch (torch.cuda.nccl.version()
  // unpacks it the same way); 2.11's NCCL 2.28.9 reads 8591769609.
  const uint64_t v = torch::cuda::nccl::version();
  return Value(std::to_string(v >> 32) + "." + std::to_string((v >> 16) & 0xffff) + "." +
               std::to_string(v & 0xffff));
#else
  return Value();
#endif
}

std::string python_bool(bool b) {
  return b ? "True" : "False";
}

std::string text_of(const Value& v) {
  if (v.is_bool()) return python_bool(v.as_bool());
  if (v.is_int()) return std::to_string(v.as_int());
  if (v.is_str()) return v.as_str();
  return repr(v);
}

}  // namespace

Dict collect_env() {
  const auto& hooks = at::detail::getCUDAHooks();
  const bool compiled = cuda_compiled();
  const bool available = compiled && torch::cuda::is_available();
  const std::string config = at::show_config();
  const std::string parallel = at::get_parallel_info();

  Dict env;
  env.set("sys_platform", Value("linux"));
  env.set("cuda_compiled", Value(compiled));
  env.set("cuda_available", Value(available));
  env.set("cuda_runtime_version",
          compiled ? Value(cuda_version_text(hooks.versionCUDART())) : Value());
  env.set("cudnn_version",
          compiled && hooks.hasCuDNN() ? Value(cudnn_version_text(hooks.versionCuDNN())) : Value());
  env.set("nccl_version", nccl_version());
  env.set("gpus", gpu_list(available));
  env.set("compiler", Value(std::string("GCC ") + __VERSION__));
  env.set("libtorch_version", Value(TORCH_VERSION));
  env.set("libtorch_library", Value(libtorch_library()));
  env.set("libtorch_cmake_prefix", Value(TUBELET_TORCH_CMAKE_PREFIX));
  env.set("blas", build_setting(config, "BLAS_INFO"));
  env.set("blas_library", blas_library());
  env.set("lapack", build_setting(config, "LAPACK_INFO"));
  env.set("cpu_capability", line_after(config, "CPU capability usage: "));
  env.set("onednn_available", Value(at::hasMKLDNN()));
  env.set("onednn_version", at::hasMKLDNN() ? Value(at::get_mkldnn_version()) : Value());
  env.set("openmp", at::hasOpenMP() ? Value(at::get_openmp_version()) : Value());
  env.set("parallel_backend", line_after(parallel, "ATen parallel backend: "));
  env.set("intra_op_threads", Value(static_cast<int64_t>(at::get_num_threads())));
  env.set("inter_op_threads", Value(static_cast<int64_t>(at::get_num_interop_threads())));
  env.set("cpu_cores", Value(static_cast<int64_t>(std::thread::hardware_concurrency())));
  env.set("malloc", Value(malloc_implementation()));
  env.set("infer_malloc_policy", Value(keep_freed_memory_policy()));
#ifndef TUBELET_NO_MEDIA
  env.set("ffmpeg", Value(av_version_info()));
  env.set("libavcodec", Value(LIBAVCODEC_IDENT));
  env.set("libavformat", Value(LIBAVFORMAT_IDENT));
  env.set("opencv", Value(CV_VERSION));
#else
  for (const char* key : {"ffmpeg", "libavcodec", "libavformat", "opencv"}) env.set(key, Value());
#endif
  env.set("tubelet_version", Value(TUBELET_VERSION));
  env.set("tubelet_git_hash", Value(TUBELET_GIT_HASH));
  env.set("tubelet_left_out", left_out_parts());
  env.set("libtorch_config", Value(config));
  return env;
}

std::string format_env(const Dict& env) {
  // MMAction2's labels where it has one ("CUDA available", "GPU 0", "PyTorch" -> "LibTorch").
  static const std::vector<std::pair<const char*, const char*>> labels = {
      {"sys_platform", "sys.platform"},
      {"cuda_compiled", "CUDA compiled"},
      {"cuda_available", "CUDA available"},
      {"cuda_runtime_version", "CUDA runtime"},
      {"cudnn_version", "cuDNN"},
      {"nccl_version", "NCCL"},
      {"gpus", ""},
      {"compiler", "Compiler"},
      {"libtorch_version", "LibTorch"},
      {"libtorch_library", "LibTorch library"},
      {"libtorch_cmake_prefix", "LibTorch CMake prefix"},
      {"libtorch_config", "LibTorch compiling details"},
      {"blas", "BLAS"},
      {"blas_library", "BLAS library"},
      {"lapack", "LAPACK"},
      {"cpu_capability", "CPU capability"},
      {"onednn_available", "oneDNN available"},
      {"onednn_version", "oneDNN"},
      {"openmp", "OpenMP"},
      {"parallel_backend", "ATen parallel backend"},
      {"intra_op_threads", "Intra-op threads"},
      {"inter_op_threads", "Inter-op threads"},
      {"cpu_cores", "CPU cores"},
      {"malloc", "malloc"},
      {"infer_malloc_policy", "malloc in tubelet infer"},
      {"ffmpeg", "FFmpeg"},
      {"libavcodec", "libavcodec"},
      {"libavformat", "libavformat"},
      {"opencv", "OpenCV"},
      {"tubelet_version", "Tubelet"},
      {"tubelet_git_hash", "Tubelet git hash"},
      {"tubelet_left_out", "Built without"},
  };
  std::ostringstream out;
  bool first = true;
  auto line = [&](const std::string& label, const std::string& text) {
    out << (first ? "" : "\n") << label << ": " << text;
    first = false;
  };
  for (const auto& [key, label] : labels) {
    const Value* v = env.find(key);
    if (!v || v->is_none()) continue;
    if (std::string_view(key) == "gpus") {
      for (const Value& gpu : v->as_list()) {
        const Dict& g = gpu.as_dict();
        line("GPU " + text_of(g.at("index")),
             text_of(g.at("name")) + " (" + text_of(g.at("total_memory_mib")) +
                 " MiB, compute capability " + text_of(g.at("compute_capability")) + ")");
      }
      continue;
    }
    std::string text = text_of(*v);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    line(label, std::string_view(key) == "libtorch_config" ? "\n" + text : text);
  }
  return out.str();
}

std::string environment_info() {
  return format_env(collect_env());
}

}  // namespace tubelet
