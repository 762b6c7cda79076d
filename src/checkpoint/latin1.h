// Protocol-2 pickles store bytes as _codecs.encode(text, 'latin1'): the text is each byte read
// as a Latin-1 character, written in UTF-8. Shared by the .pth and the results pickler.
#pragma once

#include <string>
#include <string_view>

namespace tubelet::checkpoint {

inline std::string latin1_as_utf8(std::string_view bytes) {
  std::string text;
  for (unsigned char c : bytes) {
    if (c < 0x80) {
      text += static_cast<char>(c);
    } else {
      text += static_cast<char>(0xC0 | (c >> 6));
      text += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return text;
}

}  // namespace tubelet::checkpoint
