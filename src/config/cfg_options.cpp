// `--cfg-options a.b=value`: mmcv's DictAction value syntax and Config.merge_from_dict.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <limits>

#include "tubelet/config/config.h"

namespace tubelet {

namespace {

ConfigError option_error(const std::string& message) {
  return ConfigError("--cfg-options: " + message);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string without_underscores(const std::string& s) {
  std::string out;
  for (char c : s)
    if (c != '_') out += c;
  return out;
}

// Digits with single underscores between them, from s[i]; returns the end (i if none).
size_t scan_digits(const std::string& s, size_t i) {
  if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return i;
  size_t end = ++i;
  while (i < s.size()) {
    if (s[i] == '_') ++i;
    if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) break;
    end = ++i;
  }
  return end;
}

size_t scan_sign(const std::string& s, size_t i) {
  return i < s.size() && (s[i] == '+' || s[i] == '-') ? i + 1 : i;
}

// What Python's int(s) accepts (after mmcv removed the spaces).
bool is_int_text(const std::string& s) {
  size_t start = scan_sign(s, 0);
  size_t end = scan_digits(s, start);
  return end > start && end == s.size();
}

// What Python's float(s) accepts, apart from inf/nan.
bool is_float_text(const std::string& s) {
  size_t i = scan_sign(s, 0);
  size_t int_end = scan_digits(s, i);
  bool digits = int_end > i;
  i = int_end;
  if (i < s.size() && s[i] == '.') {
    size_t frac_end = scan_digits(s, i + 1);
    digits = digits || frac_end > i + 1;
    i = frac_end;
  }
  if (!digits) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t exp_start = scan_sign(s, i + 1);
    size_t exp_end = scan_digits(s, exp_start);
    if (exp_end == exp_start) return false;
    i = exp_end;
  }
  return i == s.size();
}

// Python's int(s), float(s), then true/false/None, else the text itself.
Value parse_scalar(const std::string& s) {
  if (is_int_text(s)) {
    std::string digits = without_underscores(s);
    errno = 0;
    long long v = std::strtoll(digits.c_str(), nullptr, 10);
    if (errno == ERANGE) throw option_error("integer " + s + " does not fit in 64 bits");
    return Value(static_cast<int64_t>(v));
  }
  if (is_float_text(s)) return Value(std::strtod(without_underscores(s).c_str(), nullptr));
  std::string l = lower(s);
  std::string unsigned_l = (!l.empty() && (l[0] == '+' || l[0] == '-')) ? l.substr(1) : l;
  if (unsigned_l == "inf" || unsigned_l == "infinity" || unsigned_l == "nan") {
    double x = unsigned_l == "nan" ? std::numeric_limits<double>::quiet_NaN()
                                   : std::numeric_limits<double>::infinity();
    return Value(l[0] == '-' ? -x : x);
  }
  if (l == "true") return Value(true);
  if (l == "false") return Value(false);
  if (s == "None") return Value();
  return Value(s);
}

// The end of the first element: the first comma outside () and [].
size_t next_comma(const std::string& s) {
  int paren = 0, bracket = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == ',' && paren == 0 && bracket == 0) return i;
    paren += c == '(' ? 1 : c == ')' ? -1 : 0;
    bracket += c == '[' ? 1 : c == ']' ? -1 : 0;
  }
  return s.size();
}

bool balanced(const std::string& s) {
  return std::count(s.begin(), s.end(), '(') == std::count(s.begin(), s.end(), ')') &&
         std::count(s.begin(), s.end(), '[') == std::count(s.begin(), s.end(), ']');
}

Value parse_iterable(std::string val, int depth) {
  if (depth > 100) throw option_error("value nested too deeply");
  // mmcv strips every outer quote character and every space.
  size_t b = val.find_first_not_of("'\"");
  size_t e = val.find_last_not_of("'\"");
  val = b == std::string::npos ? std::string() : val.substr(b, e - b + 1);
  val.erase(std::remove(val.begin(), val.end(), ' '), val.end());
  bool is_tuple = false;
  if (val.size() >= 2 && val.front() == '(' && val.back() == ')') {
    is_tuple = true;
    val = val.substr(1, val.size() - 2);
  } else if (val.size() >= 2 && val.front() == '[' && val.back() == ']') {
    val = val.substr(1, val.size() - 2);
  } else if (val.find(',') == std::string::npos) {
    return parse_scalar(val);
  }
  if (!balanced(val)) throw option_error("Imbalanced brackets exist in " + val);
  List items;
  while (!val.empty()) {
    size_t comma = next_comma(val);
    items.push_back(parse_iterable(val.substr(0, comma), depth + 1));
    val = comma < val.size() ? val.substr(comma + 1) : std::string();
  }
  return is_tuple ? Value::tuple(std::move(items)) : Value::list(std::move(items));
}

}  // namespace

Value parse_cfg_option_value(std::string_view text) {
  return parse_iterable(std::string(text), 0);
}

std::pair<std::string, Value> parse_cfg_option(std::string_view option) {
  size_t eq = option.find('=');
  if (eq == std::string_view::npos)
    throw option_error("expected KEY=VALUE, got '" + std::string(option) + "'");
  std::string key(option.substr(0, eq));
  if (key.empty()) throw option_error("empty key in '" + std::string(option) + "'");
  return {key, parse_cfg_option_value(option.substr(eq + 1))};
}

void apply_cfg_options(Dict& cfg, const std::vector<std::string>& options) {
  // Dotted keys become nested dicts, then merge like a child config (list indices allowed).
  Value overrides{Dict()};
  for (const std::string& option : options) {
    auto [key, value] = parse_cfg_option(option);
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
      size_t dot = key.find('.', start);
      parts.push_back(key.substr(start, dot == std::string::npos ? dot : dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    Dict* d = &overrides.mutable_dict();
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      Value* next = d->find(parts[i]);
      if (!next) {
        d->set(parts[i], Value(Dict()));
        next = d->find(parts[i]);
      }
      if (!next->is_dict())
        throw option_error("'" + key + "' goes into '" + parts[i] + "', which is set to a value");
      d = &next->mutable_dict();
    }
    d->set(parts.back(), std::move(value));
  }
  cfg = merge_config(overrides, Value(cfg), /*allow_list_keys=*/true).as_dict();
}

}  // namespace tubelet
