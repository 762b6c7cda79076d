// FFmpeg's video4linux2 input, for cameras. It lives in libavdevice, which the build does not
// link (Debian ships no libavdevice-dev in the dependencies): the runtime library that comes
// with FFmpeg (libavdevice.so.<libavformat's major version>) is loaded when a camera is first
// opened, and registers its inputs with the libavformat already loaded.
#pragma once

#include <string>

extern "C" {
#include <libavformat/avformat.h>
}

namespace tubelet::decoding {

// The video4linux2 input format, or nullptr with `why` saying what is missing.
const AVInputFormat* v4l2_input_format(std::string& why);

}  // namespace tubelet::decoding
