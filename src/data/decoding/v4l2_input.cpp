#include "data/decoding/v4l2_input.h"

#include <dlfcn.h>

#include <mutex>

namespace tubelet::decoding {

namespace {

// Loads libavdevice once; "" when its devices are registered, else why not.
std::string register_avdevice() {
  // libavdevice's major version follows libavformat's (59 with FFmpeg 5, 60 with 6, ...): a
  // library of another major would register devices with another libavformat.
  const std::string name = "libavdevice.so." + std::to_string(LIBAVFORMAT_VERSION_MAJOR);
  // Never closed: libavformat keeps pointers to the devices it registers.
  void* handle = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* error = dlerror();
    return name + " could not be loaded (" + (error ? error : "unknown error") +
           "; install FFmpeg's libavdevice, e.g. Debian's libavdevice59)";
  }
  using Register = void (*)();
  auto reg = reinterpret_cast<Register>(dlsym(handle, "avdevice_register_all"));
  if (!reg) return name + " has no avdevice_register_all";
  reg();
  return "";
}

}  // namespace

const AVInputFormat* v4l2_input_format(std::string& why) {
  static std::once_flag once;
  static std::string failure;
  std::call_once(once, [] { failure = register_avdevice(); });
  if (!failure.empty()) {
    why = failure;
    return nullptr;
  }
  const AVInputFormat* format = av_find_input_format("video4linux2");
  if (!format) why = "this FFmpeg's libavdevice was built without the video4linux2 input";
  return format;
}

}  // namespace tubelet::decoding
