#include "config/python/string_format.h"
#include "tubelet/config/format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <unordered_map>

#include "config/python/numeric.h"
#include "config/python/sequence.h"
#include "config/python/text.h"

namespace tubelet::python {

namespace {

constexpr int64_t kMaxWidth = 1'000'000;  // width and precision; Python's limit is larger

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads a decimal width or precision at s[i].
int64_t read_count(std::string_view s, size_t& i, const Location& at) {
  int64_t n = 0;
  while (i < s.size() && is_digit(s[i])) {
    n = n * 10 + (s[i++] - '0');
    if (n > kMaxWidth) fail("ValueError: Too many decimal digits in format string", at);
  }
  return n;
}

// printf of one double with a C conversion; Python's e/f/g output matches C's.
std::string c_format(char conv, int64_t precision, double x, bool alt, Budget& budget,
                     const Location& at) {
  char fmt[16];
  std::snprintf(fmt, sizeof fmt, "%%%s.*%c", alt ? "#" : "", conv);
  int n = std::snprintf(nullptr, 0, fmt, static_cast<int>(precision), x);
  if (n < 0) fail("ValueError: cannot format float", at);
  budget.check_size(n, "str", at);
  std::string out(static_cast<size_t>(n) + 1, '\0');
  std::snprintf(out.data(), out.size(), fmt, static_cast<int>(precision), x);
  out.pop_back();
  return out;
}

std::string to_base(uint64_t v, int base, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  do {
    out.insert(out.begin(), digits[v % static_cast<uint64_t>(base)]);
    v /= static_cast<uint64_t>(base);
  } while (v);
  return out;
}

uint64_t magnitude(int64_t v) {
  return v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
}

std::string group_digits(const std::string& digits, char sep, size_t every) {
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % every == 0) out += sep;
    out += digits[i];
  }
  return out;
}

// ---- the format-spec mini-language ----

struct Spec {
  std::string fill;  // one code point, empty when not given
  char align = 0;
  char sign = 0;
  bool no_neg_zero = false;  // 'z'
  bool alt = false;
  bool zero = false;
  int64_t width = -1;
  char grouping = 0;
  int64_t precision = -1;
  char type = 0;
};

bool is_align(char c) {
  return c == '<' || c == '>' || c == '=' || c == '^';
}

Spec parse_spec(std::string_view s, const Value& v, const Location& at) {
  Spec spec;
  size_t i = 0;
  size_t first_len = 1;
  while (first_len < s.size() && (static_cast<unsigned char>(s[first_len]) & 0xC0) == 0x80)
    ++first_len;
  if (s.size() > first_len && is_align(s[first_len])) {
    spec.fill = std::string(s.substr(0, first_len));
    spec.align = s[first_len];
    i = first_len + 1;
  } else if (!s.empty() && is_align(s[0])) {
    spec.align = s[0];
    i = 1;
  }
  if (i < s.size() && (s[i] == '+' || s[i] == '-' || s[i] == ' ')) spec.sign = s[i++];
  if (i < s.size() && s[i] == 'z') {
    spec.no_neg_zero = true;
    ++i;
  }
  if (i < s.size() && s[i] == '#') {
    spec.alt = true;
    ++i;
  }
  if (i < s.size() && s[i] == '0') {
    spec.zero = true;
    ++i;
  }
  if (i < s.size() && is_digit(s[i])) spec.width = read_count(s, i, at);
  if (i < s.size() && (s[i] == ',' || s[i] == '_')) spec.grouping = s[i++];
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (i >= s.size() || !is_digit(s[i]))
      fail("ValueError: Format specifier missing precision", at);
    spec.precision = read_count(s, i, at);
  }
  if (i + 1 == s.size()) spec.type = s[i++];
  if (i != s.size())
    fail("ValueError: Invalid format specifier '" + std::string(s) + "' for object of type '" +
             v.type_name() + "'",
         at);
  if (spec.zero && spec.fill.empty()) spec.fill = "0";
  if (spec.fill.empty()) spec.fill = " ";
  return spec;
}

// Pads `body` (after `sign_prefix`, e.g. "-0x") to the spec's width.
std::string pad(const std::string& sign_prefix, const std::string& body, const Spec& spec,
                char default_align, Budget& budget, const Location& at) {
  int64_t len = utf8_length(sign_prefix) + utf8_length(body);
  if (spec.width <= len) return sign_prefix + body;
  int64_t n = spec.width - len;
  budget.check_size(static_cast<int64_t>(spec.fill.size()) * spec.width, "str", at);
  auto fill = [&](int64_t k) {
    std::string out;
    for (int64_t i = 0; i < k; ++i) out += spec.fill;
    return out;
  };
  switch (spec.align ? spec.align : default_align) {
    case '<':
      return sign_prefix + body + fill(n);
    case '^':
      return fill(n / 2) + sign_prefix + body + fill(n - n / 2);
    case '=':
      return sign_prefix + fill(n) + body;
    default:
      return fill(n) + sign_prefix + body;
  }
}

// Numbers align right, or after the sign when zero-padded ('08' pads -42 as -0000042).
char number_align(const Spec& spec) {
  return spec.zero ? '=' : '>';
}

std::string sign_text(bool negative, const Spec& spec) {
  if (negative) return "-";
  if (spec.sign == '+') return "+";
  if (spec.sign == ' ') return " ";
  return "";
}

std::string format_str(const std::string& s, const Spec& spec, Budget& budget, const Location& at) {
  if (spec.type && spec.type != 's')
    fail(
        std::string("ValueError: Unknown format code '") + spec.type + "' for object of type 'str'",
        at);
  if (spec.sign) fail("ValueError: Sign not allowed in string format specifier", at);
  if (spec.alt) fail("ValueError: Alternate form (#) not allowed in string format specifier", at);
  if (spec.align == '=')
    fail("ValueError: '=' alignment not allowed in string format specifier", at);
  if (spec.grouping)
    fail(std::string("ValueError: Cannot specify '") + spec.grouping + "' with 's'.", at);
  std::string body = s;
  if (spec.precision >= 0 && spec.precision < utf8_length(s)) {
    std::vector<size_t> off = utf8_offsets(s);
    body = s.substr(0, off[static_cast<size_t>(spec.precision)]);
  }
  return pad("", body, spec, '<', budget, at);
}

std::string format_float(double x, Spec spec, Budget& budget, const Location& at,
                         const char* type_name) {
  char type = spec.type;
  if (type && std::string_view("eEfFgGn%").find(type) == std::string_view::npos)
    fail(std::string("ValueError: Unknown format code '") + type + "' for object of type '" +
             type_name + "'",
         at);
  bool negative = std::signbit(x) && !std::isnan(x);
  double ax = std::fabs(x);
  std::string body;
  if (!std::isfinite(ax)) {
    body = std::isnan(ax) ? "nan" : "inf";
    if (type == 'E' || type == 'F' || type == 'G')
      for (char& c : body) c = static_cast<char>(c - 32);
    if (type == '%') body += '%';
  } else if (!type && spec.precision < 0) {
    body = float_repr(ax);
  } else if (!type) {
    // No type with a precision: like 'g', but fixed notation keeps a '.0' and switches to
    // exponent notation one digit earlier (Python's repr-style rule).
    int64_t p = spec.precision == 0 ? 1 : spec.precision;
    std::string e = c_format('e', p - 1, ax, false, budget, at);
    long exp = std::strtol(e.c_str() + e.find('e') + 1, nullptr, 10);
    bool use_exp = exp < -4 || exp >= p - 1;
    body = use_exp ? e : c_format('f', p - 1 - exp, ax, false, budget, at);
    if (!spec.alt) {
      size_t end = use_exp ? body.find('e') : body.size();
      size_t cut = end;
      if (body.find('.') < end) {
        while (cut > 0 && body[cut - 1] == '0') --cut;
        if (cut > 0 && body[cut - 1] == '.') --cut;
      }
      body = body.substr(0, cut) + body.substr(end);
    }
    if (!use_exp && body.find('.') == std::string::npos) body += ".0";
  } else if (type == '%') {
    body = c_format('f', spec.precision < 0 ? 6 : spec.precision, ax * 100, spec.alt, budget, at) +
           "%";
  } else {
    char conv = type == 'n' ? 'g' : type;
    body = c_format(conv, spec.precision < 0 ? 6 : spec.precision, ax, spec.alt, budget, at);
  }
  if (spec.no_neg_zero && negative && body.find_first_of("123456789") == std::string::npos)
    negative = false;
  if (spec.grouping && std::isfinite(ax)) {
    size_t end = body.find_first_of(".eE%");
    if (end == std::string::npos) end = body.size();
    body = group_digits(body.substr(0, end), spec.grouping, 3) + body.substr(end);
  }
  return pad(sign_text(negative, spec), body, spec, number_align(spec), budget, at);
}

std::string format_int(int64_t v, const Spec& spec, Budget& budget, const Location& at,
                       const char* type_name) {
  char type = spec.type;
  if (type && std::string_view("eEfFgG%").find(type) != std::string_view::npos)
    return format_float(static_cast<double>(v), spec, budget, at, type_name);
  if (type && std::string_view("dnbcoxX").find(type) == std::string_view::npos)
    fail(std::string("ValueError: Unknown format code '") + type + "' for object of type '" +
             type_name + "'",
         at);
  if (spec.precision >= 0)
    fail("ValueError: Precision not allowed in integer format specifier", at);
  if (type == 'c') {
    if (spec.sign) fail("ValueError: Sign not allowed with integer format specifier 'c'", at);
    if (v < 0 || v > 0x10FFFF) fail("OverflowError: %c arg not in range(0x110000)", at);
    std::string ch;
    append_utf8(ch, static_cast<uint32_t>(v));
    return pad("", ch, spec, '>', budget, at);
  }
  int base = type == 'b' ? 2 : type == 'o' ? 8 : (type == 'x' || type == 'X') ? 16 : 10;
  std::string digits = to_base(magnitude(v), base, type == 'X');
  std::string prefix = sign_text(v < 0, spec);
  if (spec.alt && base != 10) prefix += std::string("0") + (type == 'X' ? 'X' : type);
  if (spec.grouping) {
    if (spec.grouping == ',' && base != 10)
      fail(std::string("ValueError: Cannot specify ',' with '") + type + "'.", at);
    size_t every = base == 10 ? 3 : 4;
    // Zero padding is grouped too: format(1234, '010,') == '00,001,234'.
    char align = spec.align ? spec.align : number_align(spec);
    if (align == '=' && spec.fill == "0" && spec.width > 0) {
      auto needed = static_cast<size_t>(spec.width) -
                    std::min(prefix.size(), static_cast<size_t>(spec.width));
      // The fewest digits n whose grouped length n + (n - 1) / every reaches `needed`.
      size_t n = std::max(digits.size(), needed * every / (every + 1));
      while (n + (n - 1) / every < needed) ++n;
      digits.insert(0, n - digits.size(), '0');
    }
    digits = group_digits(digits, spec.grouping, every);
  }
  return pad(prefix, digits, spec, number_align(spec), budget, at);
}

// ---- str.format ----

class StrFormatter {
 public:
  StrFormatter(const List& args, const Keywords& kwargs, Budget& budget, const Location& at)
      : args_(args), budget_(budget), at_(at) {
    for (const auto& [k, v] : kwargs) kwargs_.emplace(k, &v);
  }

  std::string run(std::string_view fmt, int depth) {
    if (depth > 2) fail("ValueError: Max string recursion exceeded", at_);
    std::string out;
    size_t i = 0;
    while (i < fmt.size()) {
      char c = fmt[i];
      if (c == '}') {
        if (i + 1 < fmt.size() && fmt[i + 1] == '}') {
          out += '}';
          i += 2;
          continue;
        }
        fail("ValueError: Single '}' encountered in format string", at_);
      }
      if (c != '{') {
        out += c;
        ++i;
        continue;
      }
      if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
        out += '{';
        i += 2;
        continue;
      }
      size_t end = field_end(fmt, i + 1);
      out += field(fmt.substr(i + 1, end - i - 1), depth);
      budget_.check_size(static_cast<int64_t>(out.size()), "str", at_);
      i = end + 1;
    }
    return out;
  }

 private:
  size_t field_end(std::string_view fmt, size_t i) {
    int nested = 0;
    for (; i < fmt.size(); ++i) {
      if (fmt[i] == '{') ++nested;
      if (fmt[i] == '}' && nested-- == 0) return i;
    }
    fail("ValueError: expected '}' before end of string", at_);
  }

  std::string field(std::string_view f, int depth) {
    size_t name_end = 0;
    int bracket = 0;
    while (name_end < f.size()) {
      char c = f[name_end];
      if (c == '[') ++bracket;
      if (c == ']') --bracket;
      if (bracket == 0 && (c == '!' || c == ':')) break;
      ++name_end;
    }
    Value v = lookup(f.substr(0, name_end));
    size_t i = name_end;
    char conversion = 0;
    if (i < f.size() && f[i] == '!') {
      if (i + 1 >= f.size() || (f[i + 1] != 'r' && f[i + 1] != 's' && f[i + 1] != 'a'))
        fail("ValueError: Unknown conversion specifier", at_);
      conversion = f[i + 1];
      i += 2;
      if (i < f.size() && f[i] != ':')
        fail("ValueError: expected ':' after conversion specifier", at_);
    }
    std::string spec;
    if (i < f.size()) spec = run(f.substr(i + 1), depth + 1);
    if (conversion == 's') v = Value(str_of(v, budget_, at_));
    if (conversion == 'r' || conversion == 'a') v = Value(repr_of(v, budget_, at_));
    return format_value(v, spec, budget_, at_);
  }

  Value lookup(std::string_view name) {
    size_t end = name.find_first_of(".[");
    std::string_view head = name.substr(0, end);
    Value v;
    if (head.empty() || std::all_of(head.begin(), head.end(), is_digit)) {
      size_t index = 0;
      if (head.empty()) {
        if (manual_)
          fail(
              "ValueError: cannot switch from manual field specification to automatic field "
              "numbering",
              at_);
        automatic_ = true;
        index = next_++;
      } else {
        if (automatic_)
          fail(
              "ValueError: cannot switch from automatic field numbering to manual field "
              "specification",
              at_);
        manual_ = true;
        size_t k = 0;
        index = static_cast<size_t>(read_count(head, k, at_));
      }
      if (index >= args_.size())
        fail("IndexError: Replacement index " + std::to_string(index) +
                 " out of range for positional args tuple",
             at_);
      v = args_[index];
    } else {
      auto found = kwargs_.find(head);
      if (found == kwargs_.end()) fail("KeyError: '" + std::string(head) + "'", at_);
      v = *found->second;
    }
    while (end != std::string_view::npos && end < name.size()) {
      if (name[end] == '.') fail("unsupported: attribute access in a format field", at_);
      size_t close = name.find(']', end);
      if (close == std::string_view::npos) fail("ValueError: Missing ']' in format string", at_);
      std::string_view key = name.substr(end + 1, close - end - 1);
      if (key.empty()) fail("ValueError: Empty attribute in format string", at_);
      Value index = std::all_of(key.begin(), key.end(), is_digit)
                        ? Value(static_cast<int64_t>(std::stoll(std::string(key.substr(0, 15)))))
                        : Value(std::string(key));
      v = subscript(v, index, budget_, at_);
      end = close + 1;
    }
    return v;
  }

  const List& args_;
  std::unordered_map<std::string_view, const Value*> kwargs_;
  Budget& budget_;
  const Location& at_;
  size_t next_ = 0;
  bool automatic_ = false;
  bool manual_ = false;
};

// ---- printf-style formatting ----

struct Conversion {
  bool left = false, plus = false, space = false, alt = false, zero = false;
  int64_t width = 0;
  int64_t precision = -1;
  char type = 0;
};

std::string percent_int(const Value& v, const Conversion& c, const Location& at) {
  int64_t n = 0;
  if (c.type == 'x' || c.type == 'X' || c.type == 'o') {
    if (!v.is_int() && !v.is_bool())
      fail(std::string("TypeError: %") + c.type + " format: an integer is required, not " +
               v.type_name(),
           at);
    n = v.as_int();
  } else if (v.is_float()) {
    n = float_to_int(v.as_float(), at);
  } else if (v.is_int() || v.is_bool()) {
    n = v.as_int();
  } else {
    fail(std::string("TypeError: %") + c.type + " format: a real number is required, not " +
             v.type_name(),
         at);
  }
  int base = c.type == 'o' ? 8 : (c.type == 'x' || c.type == 'X') ? 16 : 10;
  std::string digits = to_base(magnitude(n), base, c.type == 'X');
  if (c.precision > static_cast<int64_t>(digits.size()))
    digits.insert(0, static_cast<size_t>(c.precision) - digits.size(), '0');
  std::string prefix = n < 0 ? "-" : c.plus ? "+" : c.space ? " " : "";
  if (c.alt && base != 10) prefix += std::string("0") + c.type;
  int64_t len = static_cast<int64_t>(prefix.size() + digits.size());
  if (c.width > len && c.zero && !c.left) digits.insert(0, static_cast<size_t>(c.width - len), '0');
  return prefix + digits;
}

std::string percent_float(const Value& v, const Conversion& c, const Location& at) {
  if (!v.is_number()) fail(std::string("TypeError: must be real number, not ") + v.type_name(), at);
  double x = v.as_float();
  if (std::isnan(x)) x = std::fabs(x);  // Python never prints '-nan'
  std::string fmt = "%";
  if (c.left) fmt += '-';
  if (c.plus) fmt += '+';
  if (c.space) fmt += ' ';
  if (c.alt) fmt += '#';
  if (c.zero) fmt += '0';
  fmt += std::to_string(c.width) + "." + std::to_string(c.precision < 0 ? 6 : c.precision) + c.type;
  int n = std::snprintf(nullptr, 0, fmt.c_str(), x);
  if (n < 0) fail("ValueError: cannot format float", at);
  std::string out(static_cast<size_t>(n) + 1, '\0');
  std::snprintf(out.data(), out.size(), fmt.c_str(), x);
  out.pop_back();
  return out;
}

std::string percent_one(const Value& v, const Conversion& c, Budget& budget, const Location& at) {
  std::string body;
  switch (c.type) {
    case 's':
    case 'r':
    case 'a':
      body = c.type == 's' ? str_of(v, budget, at) : repr_of(v, budget, at);
      if (c.precision >= 0 && c.precision < utf8_length(body))
        body = body.substr(0, utf8_offsets(body)[static_cast<size_t>(c.precision)]);
      break;
    case 'c':
      if (v.is_int() || v.is_bool()) {
        if (v.as_int() < 0 || v.as_int() > 0x10FFFF)
          fail("OverflowError: %c arg not in range(0x110000)", at);
        append_utf8(body, static_cast<uint32_t>(v.as_int()));
      } else if (v.is_str() && utf8_length(v.as_str()) == 1) {
        body = v.as_str();
      } else {
        fail("TypeError: %c requires int or char", at);
      }
      break;
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
      return percent_float(v, c, at);
    default:
      body = percent_int(v, c, at);
  }
  int64_t len = utf8_length(body);
  if (c.width <= len) return body;
  std::string fill(static_cast<size_t>(c.width - len), ' ');
  return c.left ? body + fill : fill + body;
}

}  // namespace

std::string format_value(const Value& v, std::string_view spec, Budget& budget,
                         const Location& at) {
  if (spec.empty()) return str_of(v, budget, at);
  switch (v.type()) {
    case Value::Type::Str:
      return format_str(v.as_str(), parse_spec(spec, v, at), budget, at);
    case Value::Type::Bool:
    case Value::Type::Int:
      return format_int(v.as_int(), parse_spec(spec, v, at), budget, at, v.type_name());
    case Value::Type::Float:
      return format_float(v.as_float(), parse_spec(spec, v, at), budget, at, "float");
    default:
      fail(std::string("TypeError: unsupported format string passed to ") + v.type_name() +
               ".__format__",
           at);
  }
}

std::string percent_format(const std::string& fmt, const Value& args, Budget& budget,
                           const Location& at) {
  budget.charge_bytes(fmt.size(), at);
  List items = args.is_tuple() ? args.as_list() : List{args};
  const Dict* mapping = args.is_dict() ? &args.as_dict() : nullptr;
  // Python skips the "not all arguments converted" check for anything with __getitem__.
  bool getitem = args.is_dict() || args.is_list() || args.is_range();
  size_t next = 0;
  auto take = [&]() -> const Value& {
    if (next >= items.size()) fail("TypeError: not enough arguments for format string", at);
    return items[next++];
  };
  std::string out;
  size_t i = 0;
  while (i < fmt.size()) {
    if (fmt[i] != '%') {
      out += fmt[i++];
      continue;
    }
    ++i;
    const Value* keyed = nullptr;
    if (i < fmt.size() && fmt[i] == '(') {
      if (!mapping) fail("TypeError: format requires a mapping", at);
      int depth = 1;
      size_t key_start = ++i;
      while (i < fmt.size() && depth) {
        if (fmt[i] == '(') ++depth;
        if (fmt[i] == ')') --depth;
        ++i;
      }
      if (depth) fail("ValueError: incomplete format key", at);
      std::string key = fmt.substr(key_start, i - 1 - key_start);
      keyed = mapping->find(std::string_view(key));
      if (!keyed) fail("KeyError: '" + key + "'", at);
    }
    Conversion c;
    for (; i < fmt.size(); ++i) {
      char f = fmt[i];
      if (f == '-')
        c.left = true;
      else if (f == '+')
        c.plus = true;
      else if (f == ' ')
        c.space = true;
      else if (f == '#')
        c.alt = true;
      else if (f == '0')
        c.zero = true;
      else
        break;
    }
    auto star = [&](int64_t& target) {
      const Value& w = take();
      if (!w.is_int() && !w.is_bool()) fail("TypeError: * wants int", at);
      target = w.as_int();
      if (target > kMaxWidth || target < -kMaxWidth) fail("ValueError: width too big", at);
    };
    if (i < fmt.size() && fmt[i] == '*') {
      star(c.width);
      ++i;
      if (c.width < 0) {
        c.left = true;
        c.width = -c.width;
      }
    } else {
      c.width = read_count(fmt, i, at);
    }
    if (i < fmt.size() && fmt[i] == '.') {
      ++i;
      if (i < fmt.size() && fmt[i] == '*') {
        star(c.precision);
        ++i;
        if (c.precision < 0) c.precision = 0;
      } else {
        c.precision = read_count(fmt, i, at);
      }
    }
    while (i < fmt.size() && (fmt[i] == 'h' || fmt[i] == 'l' || fmt[i] == 'L')) ++i;
    if (i >= fmt.size()) fail("ValueError: incomplete format", at);
    c.type = fmt[i++];
    if (c.type == '%') {
      out += '%';
      continue;
    }
    if (std::string_view("sradiuoxXeEfFgGc").find(c.type) == std::string_view::npos) {
      char buf[96];
      std::snprintf(buf, sizeof buf,
                    "ValueError: unsupported format character '%c' (0x%x) at index %zu",
                    (c.type >= 0x20 && c.type < 0x7f) ? c.type : '?',
                    static_cast<unsigned char>(c.type), i - 1);
      fail(buf, at);
    }
    if (c.type == 'i' || c.type == 'u') c.type = 'd';
    out += percent_one(keyed ? *keyed : take(), c, budget, at);
    budget.check_size(static_cast<int64_t>(out.size()), "str", at);
  }
  if (next < items.size() && !getitem)
    fail("TypeError: not all arguments converted during string formatting", at);
  return out;
}

std::string str_format(const std::string& fmt, const List& args, const Keywords& kwargs,
                       Budget& budget, const Location& at) {
  budget.charge_bytes(fmt.size(), at);
  return StrFormatter(args, kwargs, budget, at).run(fmt, 0);
}

}  // namespace tubelet::python

namespace tubelet {

std::string python_format(const std::string& fmt, const List& args) {
  python::EvalLimits limits;
  python::Budget budget(limits);
  return python::str_format(fmt, args, {}, budget, Location());
}

}  // namespace tubelet
