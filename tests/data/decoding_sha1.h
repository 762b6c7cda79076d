// SHA-1 of a byte buffer (FIPS 180-4), to compare decoded frames with the goldens' hashes
// (hashlib.sha1(frame.tobytes()).hexdigest() in MMAction2's process).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace tubelet::test {

inline std::string sha1_hex(const uint8_t* data, size_t size) {
  uint32_t h[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
  std::vector<uint8_t> msg(data, data + size);
  const uint64_t bits = static_cast<uint64_t>(size) * 8;
  msg.push_back(0x80);
  while (msg.size() % 64 != 56) msg.push_back(0);
  for (int i = 7; i >= 0; --i) msg.push_back(static_cast<uint8_t>(bits >> (8 * i)));
  auto rol = [](uint32_t x, int n) { return (x << n) | (x >> (32 - n)); };
  for (size_t block = 0; block < msg.size(); block += 64) {
    uint32_t w[80];
    for (int t = 0; t < 16; ++t)
      w[t] = uint32_t{msg[block + 4 * t]} << 24 | uint32_t{msg[block + 4 * t + 1]} << 16 |
             uint32_t{msg[block + 4 * t + 2]} << 8 | uint32_t{msg[block + 4 * t + 3]};
    for (int t = 16; t < 80; ++t) w[t] = rol(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int t = 0; t < 80; ++t) {
      uint32_t f, k;
      if (t < 20)
        f = (b & c) | (~b & d), k = 0x5A827999u;
      else if (t < 40)
        f = b ^ c ^ d, k = 0x6ED9EBA1u;
      else if (t < 60)
        f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDCu;
      else
        f = b ^ c ^ d, k = 0xCA62C1D6u;
      const uint32_t next = rol(a, 5) + f + e + k + w[t];
      e = d, d = c, c = rol(b, 30), b = a, a = next;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
  }
  char out[41];
  for (int i = 0; i < 5; ++i) std::snprintf(out + 8 * i, 9, "%08x", h[i]);
  return std::string(out, 40);
}

}  // namespace tubelet::test
