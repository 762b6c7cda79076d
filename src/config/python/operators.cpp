#include "config/python/operators.h"

#include <string>

#include "config/python/numeric.h"
#include "config/python/sequence.h"
#include "config/python/string_format.h"
#include "config/python/text.h"

namespace tubelet::python {

const char* symbol(BinOp op) {
  switch (op) {
    case BinOp::Add:
      return "+";
    case BinOp::Sub:
      return "-";
    case BinOp::Mul:
      return "*";
    case BinOp::Div:
      return "/";
    case BinOp::FloorDiv:
      return "//";
    case BinOp::Mod:
      return "%";
    case BinOp::Pow:
      return "** or pow()";
    case BinOp::LShift:
      return "<<";
    case BinOp::RShift:
      return ">>";
    case BinOp::BitAnd:
      return "&";
    case BinOp::BitOr:
      return "|";
    case BinOp::BitXor:
      return "^";
  }
  return "?";
}

const char* symbol(CmpOp op) {
  switch (op) {
    case CmpOp::Eq:
      return "==";
    case CmpOp::NotEq:
      return "!=";
    case CmpOp::Lt:
      return "<";
    case CmpOp::LtE:
      return "<=";
    case CmpOp::Gt:
      return ">";
    case CmpOp::GtE:
      return ">=";
    case CmpOp::In:
      return "in";
    case CmpOp::NotIn:
      return "not in";
    case CmpOp::Is:
      return "is";
    case CmpOp::IsNot:
      return "is not";
  }
  return "?";
}

void check_key(const Value& key, Budget& budget, const Location& at) {
  budget.charge(1, at);
  if (key.is_str()) {
    budget.charge_bytes(key.as_str().size(), at);
  } else if (key.is_tuple()) {
    for (const Value& item : key.as_list()) check_key(item, budget, at);
  } else if (key.is_list() || key.is_dict()) {
    fail(std::string("TypeError: unhashable type: '") + key.type_name() + "'", at);
  }
}

void charge_dict_copy(const Dict& d, Budget& budget, const Location& at) {
  for (const auto& item : d) check_key(item.first, budget, at);
}

namespace {

[[noreturn]] void unsupported_operands(BinOp op, const Value& a, const Value& b,
                                       const Location& at) {
  fail(std::string("TypeError: unsupported operand type(s) for ") + symbol(op) + ": '" +
           a.type_name() + "' and '" + b.type_name() + "'",
       at);
}

Value concat(const Value& a, const Value& b, Budget& budget, const Location& at) {
  if (a.type() != b.type()) {
    const char* what = a.is_str() ? "str" : a.type_name();
    fail(std::string("TypeError: can only concatenate ") + what + " (not \"" + b.type_name() +
             "\") to " + what,
         at);
  }
  if (a.is_str()) {
    size_t n = a.as_str().size() + b.as_str().size();
    budget.check_size(static_cast<int64_t>(n), "str", at);
    budget.charge_bytes(n, at);
    return Value(a.as_str() + b.as_str()).at(at);
  }
  const List& x = a.as_list();
  const List& y = b.as_list();
  auto n = static_cast<int64_t>(x.size() + y.size());
  budget.check_size(n, a.type_name(), at);
  budget.charge(n, at);
  List out;
  out.reserve(x.size() + y.size());
  out.insert(out.end(), x.begin(), x.end());
  out.insert(out.end(), y.begin(), y.end());
  return make_list(std::move(out), a.is_tuple(), budget, at);
}

Value repeat(const Value& seq, const Value& count, Budget& budget, const Location& at) {
  if (!count.is_int() && !count.is_bool())
    fail(std::string("TypeError: can't multiply sequence by non-int of type '") +
             count.type_name() + "'",
         at);
  int64_t n = count.as_int() < 0 ? 0 : count.as_int();
  int64_t size = seq.is_str() ? static_cast<int64_t>(seq.as_str().size())
                              : static_cast<int64_t>(seq.as_list().size());
  int64_t limit = budget.limits().max_container;
  if (size != 0 && n > limit / size) budget.check_size(-1, seq.type_name(), at);
  int64_t total = size * n;
  if (seq.is_str()) {
    budget.charge_bytes(static_cast<uint64_t>(total), at);
    std::string out;
    out.reserve(static_cast<size_t>(total));
    for (int64_t i = 0; i < n && size; ++i) out += seq.as_str();
    return Value(std::move(out)).at(at);
  }
  budget.charge(total, at);
  List out;
  out.reserve(static_cast<size_t>(total));
  for (int64_t i = 0; i < n && size; ++i)
    out.insert(out.end(), seq.as_list().begin(), seq.as_list().end());
  return make_list(std::move(out), seq.is_tuple(), budget, at);
}

Value merge_dicts(const Value& a, const Value& b, Budget& budget, const Location& at) {
  charge_dict_copy(a.as_dict(), budget, at);
  Dict out = a.as_dict();
  for (const auto& [k, v] : b.as_dict()) {
    check_key(k, budget, at);
    out.set(k, v);
  }
  budget.check_size(static_cast<int64_t>(out.size()), "dict", at);
  return Value(std::move(out)).at(at);
}

bool identical(const Value& a, const Value& b, Budget& budget, const Location& at) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Value::Type::List:
    case Value::Type::Tuple:
      return &a.as_list() == &b.as_list();  // same shared object
    case Value::Type::Dict:
      return &a.as_dict() == &b.as_dict();
    case Value::Type::Str:
      budget.charge_bytes(std::min(a.as_str().size(), b.as_str().size()), at);
      return a == b;
    default:
      return a == b;  // immutable values: identity is not observable in configs
  }
}

bool ordered(CmpOp op, const Value& a, const Value& b, Budget& budget, const Location& at);

bool order_result(CmpOp op, int c) {
  switch (op) {
    case CmpOp::Lt:
      return c < 0;
    case CmpOp::LtE:
      return c <= 0;
    case CmpOp::Gt:
      return c > 0;
    default:
      return c >= 0;
  }
}

bool ordered(CmpOp op, const Value& a, const Value& b, Budget& budget, const Location& at) {
  if (a.is_number() && b.is_number()) {
    int c = compare_numbers(a, b);
    return c != 2 && order_result(op, c);
  }
  if (a.is_str() && b.is_str()) {
    budget.charge_bytes(std::min(a.as_str().size(), b.as_str().size()), at);
    return order_result(op, a.as_str().compare(b.as_str()));
  }
  if (a.is_sequence() && a.type() == b.type()) {
    const List& x = a.as_list();
    const List& y = b.as_list();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i)
      if (!equal(x[i], y[i], budget, at)) return ordered(op, x[i], y[i], budget, at);
    return order_result(op, x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0);
  }
  fail(std::string("TypeError: '") + symbol(op) + "' not supported between instances of '" +
           a.type_name() + "' and '" + b.type_name() + "'",
       at);
}

}  // namespace

Value binary_op(BinOp op, const Value& a, const Value& b, Budget& budget, const Location& at) {
  if (a.is_number() && b.is_number()) return numeric_op(op, a, b, at).at(at);
  switch (op) {
    case BinOp::Add:
      if (a.is_str() || a.is_sequence()) return concat(a, b, budget, at);
      break;
    case BinOp::Mul:
      if (a.is_str() || a.is_sequence()) return repeat(a, b, budget, at);
      if (b.is_str() || b.is_sequence()) return repeat(b, a, budget, at);
      break;
    case BinOp::Mod:
      if (a.is_str()) return Value(percent_format(a.as_str(), b, budget, at)).at(at);
      break;
    case BinOp::BitOr:
      if (a.is_dict() && b.is_dict()) return merge_dicts(a, b, budget, at);
      break;
    default:
      break;
  }
  unsupported_operands(op, a, b, at);
}

Value unary_op(UnaryOp op, const Value& v, const Location& at) {
  if (op == UnaryOp::Not) return Value(!is_truthy(v)).at(at);
  if (v.is_int() || v.is_bool()) {
    int64_t x = v.as_int();
    if (op == UnaryOp::Neg) return Value(int_neg(x, at)).at(at);
    if (op == UnaryOp::Pos) return Value(x).at(at);
    return Value(~x).at(at);
  }
  if (v.is_float() && op != UnaryOp::Invert)
    return Value(op == UnaryOp::Neg ? -v.as_float() : v.as_float()).at(at);
  const char* sym = op == UnaryOp::Neg ? "-" : op == UnaryOp::Pos ? "+" : "~";
  fail(std::string("TypeError: bad operand type for unary ") + sym + ": '" + v.type_name() + "'",
       at);
}

bool equal(const Value& a, const Value& b, Budget& budget, const Location& at) {
  if (a.is_number() && b.is_number()) return compare_numbers(a, b) == 0;
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Value::Type::Str:
      budget.charge_bytes(std::min(a.as_str().size(), b.as_str().size()), at);
      return a.as_str() == b.as_str();
    case Value::Type::List:
    case Value::Type::Tuple: {
      const List& x = a.as_list();
      const List& y = b.as_list();
      if (&x == &y) return true;
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        budget.charge(1, at);
        if (!equal(x[i], y[i], budget, at)) return false;
      }
      return true;
    }
    case Value::Type::Dict: {
      const Dict& x = a.as_dict();
      const Dict& y = b.as_dict();
      if (&x == &y) return true;
      if (x.size() != y.size()) return false;
      for (const auto& [k, v] : x) {
        check_key(k, budget, at);
        const Value* other = y.find(k);
        if (!other || !equal(v, *other, budget, at)) return false;
      }
      return true;
    }
    default:
      return a == b;  // None, range
  }
}

bool less(const Value& a, const Value& b, Budget& budget, const Location& at) {
  return ordered(CmpOp::Lt, a, b, budget, at);
}

bool contains(const Value& container, const Value& x, Budget& budget, const Location& at) {
  switch (container.type()) {
    case Value::Type::Dict:
      check_key(x, budget, at);
      return container.as_dict().contains(x);
    case Value::Type::List:
    case Value::Type::Tuple:
      for (const Value& item : container.as_list()) {
        budget.charge(1, at);
        if (equal(item, x, budget, at)) return true;
      }
      return false;
    case Value::Type::Str:
      if (!x.is_str())
        fail(std::string("TypeError: 'in <string>' requires string as left operand, not ") +
                 x.type_name(),
             at);
      budget.charge_bytes(container.as_str().size(), at);
      return find_text(container.as_str(), x.as_str()) != std::string::npos;
    case Value::Type::Range: {
      if (!x.is_number()) return false;
      const Range& r = container.as_range();
      int64_t n = r.size();
      // An int (or integral float) in range: compute its position instead of iterating.
      Value v = x;
      if (x.is_float()) {
        double d = x.as_float();
        if (!(d >= -9.2e18 && d <= 9.2e18) || d != static_cast<double>(static_cast<int64_t>(d)))
          return false;
        v = Value(static_cast<int64_t>(d));
      }
      int64_t i = v.as_int();
      if (n == 0) return false;
      uint64_t offset = static_cast<uint64_t>(i) - static_cast<uint64_t>(r.start);
      uint64_t step =
          r.step > 0 ? static_cast<uint64_t>(r.step) : 0 - static_cast<uint64_t>(r.step);
      if (r.step < 0) offset = 0 - offset;
      if (r.step > 0 ? i < r.start : i > r.start) return false;
      return offset % step == 0 && offset / step < static_cast<uint64_t>(n);
    }
    default:
      fail(std::string("TypeError: argument of type '") + container.type_name() +
               "' is not iterable",
           at);
  }
}

bool compare(CmpOp op, const Value& a, const Value& b, Budget& budget, const Location& at) {
  switch (op) {
    case CmpOp::Eq:
      return equal(a, b, budget, at);
    case CmpOp::NotEq:
      return !equal(a, b, budget, at);
    case CmpOp::In:
      return contains(b, a, budget, at);
    case CmpOp::NotIn:
      return !contains(b, a, budget, at);
    case CmpOp::Is:
      return identical(a, b, budget, at);
    case CmpOp::IsNot:
      return !identical(a, b, budget, at);
    default:
      return ordered(op, a, b, budget, at);
  }
}

}  // namespace tubelet::python
