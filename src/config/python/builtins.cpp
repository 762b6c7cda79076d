#include "config/python/builtins.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>

#include "config/python/numeric.h"
#include "config/python/operators.h"
#include "config/python/sequence.h"
#include "config/python/text.h"

namespace tubelet::python {

namespace {

using Builtin = Value (*)(const CallArgs&, Budget&);

std::string quoted(std::string_view fn) {
  return std::string(fn) + "()";
}

bool is_intlike(const Value& v) {
  return v.is_int() || v.is_bool();
}

int64_t index_arg(const Value& v, const Location& at) {
  if (!is_intlike(v))
    fail(std::string("TypeError: '") + v.type_name() +
             "' object cannot be interpreted as an integer",
         at);
  return v.as_int();
}

// A positional argument or the keyword of the same name, or null.
const Value* arg(const CallArgs& args, size_t i, std::string_view fn, std::string_view name) {
  const Value* kw = name.empty() ? nullptr : keyword(fn, args, name);
  if (i < args.positional.size()) {
    if (kw)
      fail("TypeError: argument for " + quoted(fn) + " given by name ('" + std::string(name) +
               "') and position (" + std::to_string(i + 1) + ")",
           args.at);
    return &args.positional[i];
  }
  return kw;
}

bool is_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

std::string_view strip_spaces(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

// int(text, base) with Python's rules: sign, optional prefix, single underscores.
int64_t parse_int(const std::string& text, int64_t base, Budget& budget, const Location& at) {
  auto invalid = [&]() {
    fail("ValueError: invalid literal for int() with base " + std::to_string(base) + ": " +
             repr_of(Value(text), budget, at),
         at);
  };
  std::string_view s = strip_spaces(text);
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  int64_t b = base;
  if (s.size() >= 2 && s[0] == '0') {
    char p = static_cast<char>(s[1] | 0x20);
    int64_t pb = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 0;
    if (pb && (b == 0 || b == pb)) {
      b = pb;
      s.remove_prefix(2);
      if (!s.empty() && s[0] == '_') s.remove_prefix(1);
    }
  }
  if (b == 0) {
    b = 10;
    // Base 0 follows literal rules: no leading zeros in non-zero decimals.
    if (s.size() > 1 && s[0] == '0' && s.find_first_not_of("0_") != std::string_view::npos)
      invalid();
  }
  if (s.empty() || s.front() == '_' || s.back() == '_') invalid();
  uint64_t mag = 0;
  const uint64_t limit = uint64_t{1} << 63;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '_') {
      if (s[i + 1] == '_') invalid();
      continue;
    }
    int d = digit_value(s[i]);
    if (d >= b) invalid();
    if (mag > (limit - static_cast<uint64_t>(d)) / static_cast<uint64_t>(b)) integer_overflow(at);
    mag = mag * static_cast<uint64_t>(b) + static_cast<uint64_t>(d);
  }
  if (!negative && mag == limit) integer_overflow(at);
  return negative ? static_cast<int64_t>(0 - mag) : static_cast<int64_t>(mag);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if ((a[i] | 0x20) != b[i]) return false;
  return true;
}

// float(text): decimal literals with single underscores, inf, infinity and nan.
double parse_float(const std::string& text, Budget& budget, const Location& at) {
  auto invalid = [&]() {
    fail("ValueError: could not convert string to float: " + repr_of(Value(text), budget, at), at);
  };
  std::string_view s = strip_spaces(text);
  std::string_view body = s;
  bool negative = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (iequals(body, "inf") || iequals(body, "infinity")) return negative ? -HUGE_VAL : HUGE_VAL;
  if (iequals(body, "nan")) return std::nan("");
  // Validate: digits[.digits][e[+-]digits] with underscores only between digits.
  std::string clean;
  bool digits = false, dot = false, exp = false;
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    bool prev_digit = i > 0 && body[i - 1] >= '0' && body[i - 1] <= '9';
    bool next_digit = i + 1 < body.size() && body[i + 1] >= '0' && body[i + 1] <= '9';
    if (c >= '0' && c <= '9') {
      digits = true;
      clean += c;
    } else if (c == '_' && prev_digit && next_digit) {
    } else if (c == '.' && !dot && !exp) {
      dot = true;
      clean += c;
    } else if ((c == 'e' || c == 'E') && digits && !exp) {
      exp = true;
      clean += 'e';
      if (i + 1 < body.size() && (body[i + 1] == '+' || body[i + 1] == '-')) clean += body[++i];
      if (i + 1 >= body.size()) invalid();
    } else {
      invalid();
    }
  }
  if (!digits || clean.back() == 'e' || clean.back() == '+' || clean.back() == '-') invalid();
  double x = 0;
  auto res = std::from_chars(clean.data(), clean.data() + clean.size(), x);
  if (res.ec == std::errc::result_out_of_range) {
    // Decide overflow vs underflow by the decimal exponent, as the lexer does.
    size_t e = clean.find('e');
    bool neg_exp = e != std::string::npos && clean.find('-', e) != std::string::npos;
    x = neg_exp ? 0.0 : HUGE_VAL;
  } else if (res.ec != std::errc() || res.ptr != clean.data() + clean.size()) {
    invalid();
  }
  return negative ? -x : x;
}

// ---- the builtins ----

Value b_dict(const CallArgs& args, Budget& budget) {
  check_arity("dict", args, 0, 1);
  Dict out;
  if (!args.positional.empty()) {
    const Value& src = args.positional[0];
    if (src.is_dict()) {
      charge_dict_copy(src.as_dict(), budget, args.at);
      out = src.as_dict();
    } else {
      int64_t index = 0;
      for_each(src, budget, args.at, [&](const Value& item) {
        if (!item.is_sequence() && !item.is_str() && !item.is_range() && !item.is_dict())
          fail("TypeError: cannot convert dictionary update sequence element #" +
                   std::to_string(index) + " to a sequence",
               args.at);
        List pair = to_list(item, budget, args.at);
        if (pair.size() != 2)
          fail("ValueError: dictionary update sequence element #" + std::to_string(index) +
                   " has length " + std::to_string(pair.size()) + "; 2 is required",
               args.at);
        check_key(pair[0], budget, args.at);
        out.set(pair[0], pair[1]);
        ++index;
      });
    }
  }
  for (const auto& [name, value] : args.keywords) {
    budget.charge_bytes(name.size(), args.at);
    out.set(name, value);
  }
  budget.check_size(static_cast<int64_t>(out.size()), "dict", args.at);
  return Value(std::move(out)).at(args.at);
}

Value b_range(const CallArgs& args, Budget&) {
  check_no_keywords("range", args);
  check_arity("range", args, 1, 3);
  const List& p = args.positional;
  Range r;
  if (p.size() == 1) {
    r.stop = index_arg(p[0], args.at);
  } else {
    r.start = index_arg(p[0], args.at);
    r.stop = index_arg(p[1], args.at);
    if (p.size() == 3) r.step = index_arg(p[2], args.at);
  }
  if (r.step == 0) fail("ValueError: range() arg 3 must not be zero", args.at);
  return Value(r).at(args.at);
}

Value b_len(const CallArgs& args, Budget&) {
  check_no_keywords("len", args);
  check_arity("len", args, 1, 1);
  return Value(length(args.positional[0], args.at)).at(args.at);
}

Value b_int(const CallArgs& args, Budget& budget) {
  check_keywords("int", args, {"base"});
  check_arity("int", args, 0, 2);
  const Value* x = arg(args, 0, "int", "");
  const Value* base = arg(args, 1, "int", "base");
  if (!x) {
    if (base) fail("TypeError: int() missing string argument", args.at);
    return Value(0).at(args.at);
  }
  if (base) {
    int64_t b = index_arg(*base, args.at);
    if (b != 0 && (b < 2 || b > 36))
      fail("ValueError: int() base must be >= 2 and <= 36, or 0", args.at);
    if (!x->is_str()) fail("TypeError: int() can't convert non-string with explicit base", args.at);
    return Value(parse_int(x->as_str(), b, budget, args.at)).at(args.at);
  }
  if (x->is_str()) return Value(parse_int(x->as_str(), 10, budget, args.at)).at(args.at);
  if (x->is_float()) return Value(float_to_int(x->as_float(), args.at)).at(args.at);
  if (is_intlike(*x)) return Value(x->as_int()).at(args.at);
  fail(std::string("TypeError: int() argument must be a string, a bytes-like object or a real "
                   "number, not '") +
           x->type_name() + "'",
       args.at);
}

Value b_float(const CallArgs& args, Budget& budget) {
  check_no_keywords("float", args);
  check_arity("float", args, 0, 1);
  if (args.positional.empty()) return Value(0.0).at(args.at);
  const Value& x = args.positional[0];
  if (x.is_str()) return Value(parse_float(x.as_str(), budget, args.at)).at(args.at);
  if (x.is_number()) return Value(x.as_float()).at(args.at);
  fail(std::string("TypeError: float() argument must be a string or a real number, not '") +
           x.type_name() + "'",
       args.at);
}

Value b_str(const CallArgs& args, Budget& budget) {
  check_no_keywords("str", args);
  check_arity("str", args, 0, 1);
  if (args.positional.empty()) return Value("").at(args.at);
  return Value(str_of(args.positional[0], budget, args.at)).at(args.at);
}

Value b_bool(const CallArgs& args, Budget&) {
  check_no_keywords("bool", args);
  check_arity("bool", args, 0, 1);
  return Value(!args.positional.empty() && is_truthy(args.positional[0])).at(args.at);
}

Value min_max(const CallArgs& args, Budget& budget, bool is_max) {
  const char* fn = is_max ? "max" : "min";
  check_keywords(fn, args, {"default"});
  if (keyword(fn, args, "key")) fail(std::string("unsupported: ") + fn + "(key=...)", args.at);
  if (args.positional.empty())
    fail(std::string("TypeError: ") + fn + " expected at least 1 argument, got 0", args.at);
  const Value* dflt = keyword(fn, args, "default");
  List items;
  if (args.positional.size() == 1) {
    items = to_list(args.positional[0], budget, args.at);
  } else {
    if (dflt)
      fail(std::string("TypeError: Cannot specify a default for ") + fn +
               "() with multiple positional arguments",
           args.at);
    items = args.positional;
  }
  if (items.empty()) {
    if (dflt) return *dflt;
    fail(std::string("ValueError: ") + fn + "() arg is an empty sequence", args.at);
  }
  size_t best = 0;
  for (size_t i = 1; i < items.size(); ++i) {
    budget.charge(1, args.at);
    if (compare(is_max ? CmpOp::Gt : CmpOp::Lt, items[i], items[best], budget, args.at)) best = i;
  }
  return items[best];
}

Value b_min(const CallArgs& args, Budget& budget) {
  return min_max(args, budget, false);
}
Value b_max(const CallArgs& args, Budget& budget) {
  return min_max(args, budget, true);
}

Value b_sum(const CallArgs& args, Budget& budget) {
  check_keywords("sum", args, {"start"});
  check_arity("sum", args, 1, 2);
  const Value* start = arg(args, 1, "sum", "start");
  Value acc = start ? *start : Value(0);
  if (acc.is_str()) fail("TypeError: sum() can't sum strings [use ''.join(seq) instead]", args.at);
  for_each(args.positional[0], budget, args.at,
           [&](const Value& item) { acc = binary_op(BinOp::Add, acc, item, budget, args.at); });
  return acc.at(args.at);
}

Value b_abs(const CallArgs& args, Budget&) {
  check_no_keywords("abs", args);
  check_arity("abs", args, 1, 1);
  const Value& x = args.positional[0];
  if (is_intlike(x)) {
    int64_t v = x.as_int();
    return Value(v < 0 ? int_neg(v, args.at) : v).at(args.at);
  }
  if (x.is_float()) return Value(std::fabs(x.as_float())).at(args.at);
  fail(std::string("TypeError: bad operand type for abs(): '") + x.type_name() + "'", args.at);
}

Value b_round(const CallArgs& args, Budget&) {
  check_keywords("round", args, {"ndigits"});
  check_arity("round", args, 1, 2);
  const Value* ndigits = arg(args, 1, "round", "ndigits");
  return round_number(args.positional[0], ndigits, args.at).at(args.at);
}

Value b_list(const CallArgs& args, Budget& budget) {
  check_no_keywords("list", args);
  check_arity("list", args, 0, 1);
  List items = args.positional.empty() ? List{} : to_list(args.positional[0], budget, args.at);
  return make_list(std::move(items), false, budget, args.at);
}

Value b_tuple(const CallArgs& args, Budget& budget) {
  check_no_keywords("tuple", args);
  check_arity("tuple", args, 0, 1);
  if (!args.positional.empty() && args.positional[0].is_tuple()) return args.positional[0];
  List items = args.positional.empty() ? List{} : to_list(args.positional[0], budget, args.at);
  return make_list(std::move(items), true, budget, args.at);
}

// Stable bottom-up merge sort. std::sort is undefined for inconsistent orders (nan), and
// `less` may throw TypeError halfway; this never reads out of bounds either way.
void merge_sort(List& v, Budget& budget, const Location& at) {
  size_t n = v.size();
  List tmp(n);
  for (size_t width = 1; width < n; width *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      size_t mid = std::min(lo + width, n), hi = std::min(lo + 2 * width, n);
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) {
        budget.charge(1, at);
        tmp[k++] = less(v[j], v[i], budget, at) ? v[j++] : v[i++];
      }
      while (i < mid) tmp[k++] = v[i++];
      while (j < hi) tmp[k++] = v[j++];
    }
    v.swap(tmp);
  }
}

Value b_sorted(const CallArgs& args, Budget& budget) {
  check_keywords("sorted", args, {"reverse"});
  if (keyword("sorted", args, "key")) fail("unsupported: sorted(key=...)", args.at);
  check_arity("sorted", args, 1, 1);
  List items = to_list(args.positional[0], budget, args.at);
  const Value* reverse = keyword("sorted", args, "reverse");
  bool rev = reverse && is_truthy(*reverse);
  // Python keeps equal elements in order even when reversing.
  if (rev) std::reverse(items.begin(), items.end());
  merge_sort(items, budget, args.at);
  if (rev) std::reverse(items.begin(), items.end());
  return make_list(std::move(items), false, budget, args.at);
}

Value b_reversed(const CallArgs& args, Budget& budget) {
  check_no_keywords("reversed", args);
  check_arity("reversed", args, 1, 1);
  const Value& x = args.positional[0];
  if (!x.is_sequence() && !x.is_str() && !x.is_range() && !x.is_dict())
    fail(std::string("TypeError: '") + x.type_name() + "' object is not reversible", args.at);
  List items = to_list(x, budget, args.at);
  std::reverse(items.begin(), items.end());
  return make_list(std::move(items), false, budget, args.at);
}

Value b_zip(const CallArgs& args, Budget& budget) {
  check_no_keywords("zip", args);
  std::vector<List> columns;
  size_t n = SIZE_MAX;
  for (const Value& it : args.positional) {
    columns.push_back(to_list(it, budget, args.at));
    n = std::min(n, columns.back().size());
  }
  if (columns.empty()) n = 0;
  List out;
  for (size_t i = 0; i < n; ++i) {
    budget.charge(1, args.at);
    List row;
    for (const List& col : columns) row.push_back(col[i]);
    out.push_back(make_list(std::move(row), true, budget, args.at));
  }
  return make_list(std::move(out), false, budget, args.at);
}

Value b_enumerate(const CallArgs& args, Budget& budget) {
  check_keywords("enumerate", args, {"start"});
  check_arity("enumerate", args, 1, 2);
  const Value* start = arg(args, 1, "enumerate", "start");
  int64_t i = start ? index_arg(*start, args.at) : 0;
  List out;
  for_each(args.positional[0], budget, args.at, [&](const Value& item) {
    out.push_back(make_list({Value(i).at(args.at), item}, true, budget, args.at));
    i = int_add(i, 1, args.at);
  });
  return make_list(std::move(out), false, budget, args.at);
}

Value any_all(const CallArgs& args, Budget& budget, bool is_all) {
  const char* fn = is_all ? "all" : "any";
  check_no_keywords(fn, args);
  check_arity(fn, args, 1, 1);
  bool result = is_all;
  List items = to_list(args.positional[0], budget, args.at);
  for (const Value& item : items)
    if (is_truthy(item) != is_all) {
      result = !is_all;
      break;
    }
  return Value(result).at(args.at);
}

Value b_any(const CallArgs& args, Budget& budget) {
  return any_all(args, budget, false);
}
Value b_all(const CallArgs& args, Budget& budget) {
  return any_all(args, budget, true);
}

struct Entry {
  const char* name;
  Builtin fn;
};

constexpr Entry kBuiltins[] = {
    {"dict", b_dict},         {"range", b_range}, {"len", b_len},
    {"int", b_int},           {"float", b_float}, {"str", b_str},
    {"bool", b_bool},         {"min", b_min},     {"max", b_max},
    {"sum", b_sum},           {"abs", b_abs},     {"round", b_round},
    {"list", b_list},         {"tuple", b_tuple}, {"sorted", b_sorted},
    {"reversed", b_reversed}, {"zip", b_zip},     {"enumerate", b_enumerate},
    {"any", b_any},           {"all", b_all},
};

}  // namespace

bool is_builtin(std::string_view name) {
  for (const Entry& e : kBuiltins)
    if (name == e.name) return true;
  return false;
}

const char* builtin_list() {
  return "dict() and the builtins range, len, int, float, str, bool, min, max, sum, abs, round, "
         "list, tuple, sorted, reversed, zip, enumerate, any, all";
}

Value call_builtin(std::string_view name, const CallArgs& args, Budget& budget) {
  for (const Entry& e : kBuiltins)
    if (name == e.name) return e.fn(args, budget);
  fail("unsupported: call of '" + std::string(name) + "'", args.at);
}

void check_arity(std::string_view fn, const CallArgs& args, size_t min, size_t max) {
  size_t n = args.positional.size();
  if (n >= min && n <= max) return;
  std::string how = min == max ? "exactly " : n < min ? "at least " : "at most ";
  size_t count = n < min ? min : max;
  fail("TypeError: " + quoted(fn) + " takes " + how + std::to_string(count) + " argument" +
           (count == 1 ? "" : "s") + " (" + std::to_string(n) + " given)",
       args.at);
}

void check_no_keywords(std::string_view fn, const CallArgs& args) {
  if (!args.keywords.empty())
    fail("TypeError: " + quoted(fn) + " takes no keyword arguments", args.at);
}

const Value* keyword(std::string_view, const CallArgs& args, std::string_view name) {
  for (const auto& [k, v] : args.keywords)
    if (k == name) return &v;
  return nullptr;
}

void check_keywords(std::string_view fn, const CallArgs& args,
                    std::initializer_list<std::string_view> allowed) {
  for (const auto& kw : args.keywords) {
    if (kw.first == "key" && (fn == "sorted" || fn == "min" || fn == "max")) continue;
    if (std::find(allowed.begin(), allowed.end(), kw.first) == allowed.end())
      fail("TypeError: '" + kw.first + "' is an invalid keyword argument for " + quoted(fn),
           args.at);
  }
}

}  // namespace tubelet::python
