// StreamSpan: `tubelet stream`'s --window and --stride, in frames or seconds.
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "tubelet/apis/stream.h"

namespace tubelet {

namespace {

[[noreturn]] void bad_span(const std::string& what, const std::string& text,
                           const std::string& why) {
  throw std::invalid_argument(what + " '" + text + "' " + why +
                              ": give a number of frames ('32') or of seconds ('2s')");
}

// The whole of `text` as a number, or nothing.
bool parse_span_number(const std::string& text, double& out) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text.front()))) return false;
  errno = 0;
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return errno == 0 && end == text.c_str() + text.size() && std::isfinite(out);
}

}  // namespace

StreamSpan StreamSpan::parse(const std::string& text, const std::string& what) {
  StreamSpan span;
  span.in_seconds = !text.empty() && text.back() == 's';
  const std::string number = span.in_seconds ? text.substr(0, text.size() - 1) : text;
  if (!parse_span_number(number, span.value)) bad_span(what, text, "is not a length");
  if (!(span.value > 0)) bad_span(what, text, "must be positive");
  // Frames are counted in digits only: "1.5" or "1e3" frames is more likely a slip.
  if (!span.in_seconds && number.find_first_not_of("0123456789") != std::string::npos)
    bad_span(what, text, "is not a whole number of frames");
  return span;
}

int64_t StreamSpan::frames(double fps, const std::string& what, const std::string& source) const {
  if (!in_seconds) {
    if (!(value >= 1) || value != std::floor(value))
      throw std::invalid_argument(what + " must be a whole number of frames of at least 1, got " +
                                  str());
    return static_cast<int64_t>(value);
  }
  if (!(fps > 0))
    throw std::invalid_argument(what + " '" + str() + "' is in seconds, but " + source +
                                " does not state its frame rate: give it in frames");
  const auto n = static_cast<int64_t>(std::llround(value * fps));
  if (n < 1) {
    std::ostringstream fps_text;
    fps_text << fps;
    throw std::invalid_argument(what + " '" + str() + "' is less than one frame of " + source +
                                " (" + fps_text.str() + " frames/s)");
  }
  return n;
}

std::string StreamSpan::str() const {
  std::ostringstream out;
  out.precision(12);
  out << value;
  if (in_seconds) out << 's';
  return out.str();
}

}  // namespace tubelet
