#include "config/python/numeric.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

namespace tubelet::python {

namespace {

constexpr double kTwo63 = 9223372036854775808.0;

bool is_intlike(const Value& v) {
  return v.is_int() || v.is_bool();
}

[[noreturn]] void unsupported_operands(BinOp op, const Value& a, const Value& b,
                                       const Location& at) {
  fail(std::string("TypeError: unsupported operand type(s) for ") + symbol(op) + ": '" +
           a.type_name() + "' and '" + b.type_name() + "'",
       at);
}

int64_t int_floordiv(int64_t a, int64_t b, const Location& at) {
  if (b == 0) fail("ZeroDivisionError: integer division or modulo by zero", at);
  if (a == INT64_MIN && b == -1) integer_overflow(at);
  int64_t q = a / b;
  if (a % b != 0 && ((a < 0) != (b < 0))) --q;
  return q;
}

int64_t int_mod(int64_t a, int64_t b, const Location& at) {
  if (b == 0) fail("ZeroDivisionError: integer modulo by zero", at);
  if (b == -1) return 0;  // INT64_MIN % -1 is undefined behaviour in C++
  int64_t r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}

Value int_pow(int64_t base, int64_t exp, const Location& at) {
  if (exp < 0) {
    if (base == 0) fail("ZeroDivisionError: 0.0 cannot be raised to a negative power", at);
    return Value(std::pow(static_cast<double>(base), static_cast<double>(exp)));
  }
  int64_t result = 1;
  while (exp) {
    if (exp & 1) result = int_mul(result, base, at);
    exp >>= 1;
    // Squaring overflows only when |base| >= 2**32, and then the remaining bits would too.
    if (exp) base = int_mul(base, base, at);
  }
  return Value(result);
}

int64_t int_shift(int64_t a, int64_t n, bool left, const Location& at) {
  if (n < 0) fail("ValueError: negative shift count", at);
  if (!left) {
    if (n >= 63) return a < 0 ? -1 : 0;
    return a < 0 ? ~(~a >> n) : a >> n;  // floor, without implementation-defined shifts
  }
  if (a == 0) return 0;
  if (n >= 63) integer_overflow(at);
  int64_t limit = INT64_MAX >> n;
  if (a > limit || a < -limit - 1) integer_overflow(at);
  return a * (int64_t{1} << n);
}

Value int_op(BinOp op, int64_t a, int64_t b, const Value& va, const Value& vb, const Location& at) {
  int64_t r = 0;
  switch (op) {
    case BinOp::Add:
      if (__builtin_add_overflow(a, b, &r)) integer_overflow(at);
      return Value(r);
    case BinOp::Sub:
      if (__builtin_sub_overflow(a, b, &r)) integer_overflow(at);
      return Value(r);
    case BinOp::Mul:
      return Value(int_mul(a, b, at));
    case BinOp::Div:
      if (b == 0) fail("ZeroDivisionError: division by zero", at);
      return Value(static_cast<double>(a) / static_cast<double>(b));
    case BinOp::FloorDiv:
      return Value(int_floordiv(a, b, at));
    case BinOp::Mod:
      return Value(int_mod(a, b, at));
    case BinOp::Pow:
      return int_pow(a, b, at);
    case BinOp::LShift:
      return Value(int_shift(a, b, true, at));
    case BinOp::RShift:
      return Value(int_shift(a, b, false, at));
    case BinOp::BitAnd:
      if (va.is_bool() && vb.is_bool()) return Value(static_cast<bool>(a & b));
      return Value(a & b);
    case BinOp::BitOr:
      if (va.is_bool() && vb.is_bool()) return Value(static_cast<bool>(a | b));
      return Value(a | b);
    case BinOp::BitXor:
      if (va.is_bool() && vb.is_bool()) return Value(static_cast<bool>(a ^ b));
      return Value(a ^ b);
  }
  unsupported_operands(op, va, vb, at);
}

// Python's float divmod, sign rules included.
void float_divmod(double a, double b, double& floordiv, double& mod) {
  mod = std::fmod(a, b);
  double div = (a - mod) / b;
  if (mod != 0) {
    if ((b < 0) != (mod < 0)) {
      mod += b;
      div -= 1.0;
    }
  } else {
    mod = std::copysign(0.0, b);
  }
  if (div != 0) {
    floordiv = std::floor(div);
    if (div - floordiv > 0.5) floordiv += 1.0;
  } else {
    floordiv = std::copysign(0.0, a / b);
  }
}

double float_pow(double a, double b, const Location& at) {
  bool finite = std::isfinite(a) && std::isfinite(b);
  if (finite && a == 0 && b < 0)
    fail("ZeroDivisionError: 0.0 cannot be raised to a negative power", at);
  if (finite && a < 0 && b != std::floor(b))
    fail("unsupported: a negative number to a fractional power (Python gives a complex number)",
         at);
  double r = std::pow(a, b);
  if (finite && std::isinf(r)) fail("OverflowError: (34, 'Numerical result out of range')", at);
  return r;
}

Value float_op(BinOp op, double a, double b, const Value& va, const Value& vb, const Location& at) {
  double q, m;
  switch (op) {
    case BinOp::Add:
      return Value(a + b);
    case BinOp::Sub:
      return Value(a - b);
    case BinOp::Mul:
      return Value(a * b);
    case BinOp::Div:
      if (b == 0) fail("ZeroDivisionError: float division by zero", at);
      return Value(a / b);
    case BinOp::FloorDiv:
      if (b == 0) fail("ZeroDivisionError: float floor division by zero", at);
      float_divmod(a, b, q, m);
      return Value(q);
    case BinOp::Mod:
      if (b == 0) fail("ZeroDivisionError: float modulo", at);
      float_divmod(a, b, q, m);
      return Value(m);
    case BinOp::Pow:
      return Value(float_pow(a, b, at));
    default:
      unsupported_operands(op, va, vb, at);
  }
}

// Rounds the exact decimal expansion of |x| to `ndigits` places, half to even.
double round_decimal(double x, int64_t ndigits, const Location& at) {
  if (!std::isfinite(x) || ndigits > 323) return x;
  if (ndigits < -308) return std::copysign(0.0, x);
  char buf[1500];
  std::snprintf(buf, sizeof buf, "%.1074f", std::fabs(x));  // exact: doubles are dyadic
  std::string s(buf);
  size_t dot = s.find('.');
  std::string digits = s.substr(0, dot) + s.substr(dot + 1);
  int64_t keep = static_cast<int64_t>(dot) + ndigits;  // digits that survive
  if (keep >= static_cast<int64_t>(digits.size())) return x;
  std::string kept = keep > 0 ? digits.substr(0, static_cast<size_t>(keep)) : "0";
  if (keep >= 0) {
    char next = digits[static_cast<size_t>(keep)];
    bool rest_zero =
        digits.find_first_not_of('0', static_cast<size_t>(keep) + 1) == std::string::npos;
    bool odd = (kept.back() - '0') % 2 == 1;
    if (next > '5' || (next == '5' && (!rest_zero || odd))) {
      size_t i = kept.size();
      while (i > 0 && kept[i - 1] == '9') kept[--i] = '0';
      if (i == 0) {
        kept.insert(kept.begin(), '1');
      } else {
        ++kept[i - 1];
      }
    }
  }
  std::string text = kept + "e" + std::to_string(-ndigits);
  double r = 0;
  auto res = std::from_chars(text.data(), text.data() + text.size(), r);
  if (res.ec == std::errc::result_out_of_range || std::isinf(r))
    fail("OverflowError: rounded value too large to represent", at);
  return x < 0 ? -r : r;
}

int64_t round_int(int64_t x, int64_t ndigits, const Location& at) {
  if (ndigits >= 0) return x;
  if (ndigits < -18) return 0;  // |x| < 10**19 / 2
  int64_t p = 1;
  for (int64_t i = 0; i < -ndigits; ++i) p *= 10;
  int64_t q = int_floordiv(x, p, at);
  int64_t r = int_mod(x, p, at);  // x == q * p + r, 0 <= r < p
  if (2 * r > p || (2 * r == p && (q & 1))) ++q;
  return int_mul(q, p, at);
}

}  // namespace

void integer_overflow(const Location& at) {
  fail("OverflowError: integer overflow", at);
}

int64_t int_add(int64_t a, int64_t b, const Location& at) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) integer_overflow(at);
  return r;
}

int64_t int_mul(int64_t a, int64_t b, const Location& at) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) integer_overflow(at);
  return r;
}

int64_t int_neg(int64_t a, const Location& at) {
  if (a == INT64_MIN) integer_overflow(at);
  return -a;
}

Value numeric_op(BinOp op, const Value& a, const Value& b, const Location& at) {
  if (!a.is_number() || !b.is_number()) unsupported_operands(op, a, b, at);
  if (is_intlike(a) && is_intlike(b)) return int_op(op, a.as_int(), b.as_int(), a, b, at);
  return float_op(op, a.as_float(), b.as_float(), a, b, at);
}

namespace {

int compare_int_float(int64_t i, double d) {
  if (std::isnan(d)) return 2;
  if (d >= kTwo63) return -1;
  if (d < -kTwo63) return 1;
  double fl = std::floor(d);
  auto di = static_cast<int64_t>(fl);
  if (i != di) return i < di ? -1 : 1;
  return fl == d ? 0 : -1;
}

}  // namespace

int compare_numbers(const Value& a, const Value& b) {
  if (is_intlike(a) && is_intlike(b)) {
    int64_t x = a.as_int(), y = b.as_int();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (is_intlike(a)) return compare_int_float(a.as_int(), b.as_float());
  if (is_intlike(b)) {
    int c = compare_int_float(b.as_int(), a.as_float());
    return c == 2 ? 2 : -c;
  }
  double x = a.as_float(), y = b.as_float();
  if (std::isnan(x) || std::isnan(y)) return 2;
  return x < y ? -1 : x > y ? 1 : 0;
}

int64_t float_to_int(double x, const Location& at) {
  if (std::isnan(x)) fail("ValueError: cannot convert float NaN to integer", at);
  if (std::isinf(x)) fail("OverflowError: cannot convert float infinity to integer", at);
  double t = std::trunc(x);
  if (t < -kTwo63 || t >= kTwo63) integer_overflow(at);
  return static_cast<int64_t>(t);
}

Value round_number(const Value& x, const Value* ndigits, const Location& at) {
  if (ndigits && !ndigits->is_none() && !is_intlike(*ndigits))
    fail(std::string("TypeError: '") + ndigits->type_name() +
             "' object cannot be interpreted as an integer",
         at);
  bool has_digits = ndigits && !ndigits->is_none();
  if (is_intlike(x))
    return Value(has_digits ? round_int(x.as_int(), ndigits->as_int(), at) : x.as_int());
  if (!x.is_float())
    fail(std::string("TypeError: type ") + x.type_name() + " doesn't define __round__ method", at);
  double v = x.as_float();
  if (has_digits) return Value(round_decimal(v, ndigits->as_int(), at));
  double r = std::round(v);  // half away from zero; fix ties to even
  if (std::fabs(r - v) == 0.5) r = 2.0 * std::round(v / 2.0);
  return Value(float_to_int(r, at));
}

}  // namespace tubelet::python
