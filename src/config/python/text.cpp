#include "config/python/text.h"

namespace tubelet::python {

bool is_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

int64_t utf8_length(std::string_view s) {
  int64_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

std::vector<size_t> utf8_offsets(std::string_view s) {
  std::vector<size_t> out;
  for (size_t i = 0; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) out.push_back(i);
  out.push_back(s.size());
  return out;
}

size_t find_text(std::string_view s, std::string_view needle, size_t from) {
  if (from > s.size()) return std::string_view::npos;
  size_t m = needle.size();
  if (m <= 8 || s.size() - from < 64) return s.find(needle, from);
  // Knuth-Morris-Pratt.
  std::vector<size_t> border(m, 0);
  for (size_t i = 1, k = 0; i < m; ++i) {
    while (k && needle[i] != needle[k]) k = border[k - 1];
    if (needle[i] == needle[k]) ++k;
    border[i] = k;
  }
  for (size_t i = from, k = 0; i < s.size(); ++i) {
    while (k && s[i] != needle[k]) k = border[k - 1];
    if (s[i] == needle[k]) ++k;
    if (k == m) return i + 1 - m;
  }
  return std::string_view::npos;
}

size_t find_invalid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return i;
    uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return i;
    i += n;
  }
  return std::string::npos;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

namespace {

// An upper bound of the length of repr(v); charges one step per value visited.
uint64_t repr_size_bound(const Value& v, Budget& budget, const Location& at) {
  budget.charge(1, at);
  switch (v.type()) {
    case Value::Type::Str:
      budget.charge_bytes(v.as_str().size(), at);
      return 4 * v.as_str().size() + 2;  // worst case: every byte as \xNN
    case Value::Type::List:
    case Value::Type::Tuple: {
      uint64_t n = 3;
      for (const Value& item : v.as_list()) n += 2 + repr_size_bound(item, budget, at);
      return n;
    }
    case Value::Type::Dict: {
      uint64_t n = 2;
      for (const auto& [k, item] : v.as_dict())
        n += 4 + repr_size_bound(k, budget, at) + repr_size_bound(item, budget, at);
      return n;
    }
    case Value::Type::Range:
      return 72;
    default:
      return 32;
  }
}

}  // namespace

std::string repr_of(const Value& v, Budget& budget, const Location& at) {
  uint64_t bound = repr_size_bound(v, budget, at);
  auto limit = static_cast<uint64_t>(budget.limits().max_container);
  if (bound > 4 * limit) budget.check_size(-1, "str", at);
  if (bound > limit) {
    // The bound is loose (4 bytes per char): only refuse when the real text is too long.
    std::string text = repr(v);
    budget.check_size(static_cast<int64_t>(text.size()), "str", at);
    return text;
  }
  return repr(v);
}

std::string str_of(const Value& v, Budget& budget, const Location& at) {
  if (v.is_str()) return v.as_str();
  return repr_of(v, budget, at);
}

}  // namespace tubelet::python
