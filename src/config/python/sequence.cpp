#include "config/python/sequence.h"

#include <string>

#include "config/python/numeric.h"
#include "config/python/operators.h"
#include "config/python/text.h"

namespace tubelet::python {

namespace {

bool is_intlike(const Value& v) {
  return v.is_int() || v.is_bool();
}

const char* index_noun(const Value& v) {
  switch (v.type()) {
    case Value::Type::List:
      return "list";
    case Value::Type::Tuple:
      return "tuple";
    case Value::Type::Str:
      return "string";
    default:
      return "range object";
  }
}

// Python's slice.indices(): clamps start/stop to the length; returns the result length.
struct SliceIndices {
  int64_t start, stop, step, count;
};

int64_t slice_bound(const Value& v, int64_t if_none, const Location& at) {
  if (v.is_none()) return if_none;
  if (!is_intlike(v))
    fail("TypeError: slice indices must be integers or None or have an __index__ method", at);
  return v.as_int();
}

SliceIndices adjust_slice(const Value& lower, const Value& upper, const Value& step_v,
                          int64_t length, const Location& at) {
  int64_t step = slice_bound(step_v, 1, at);
  if (step == 0) fail("ValueError: slice step cannot be zero", at);
  if (step < -INT64_MAX) step = -INT64_MAX;  // so that -step is representable
  int64_t start = slice_bound(lower, step < 0 ? INT64_MAX : 0, at);
  int64_t stop = slice_bound(upper, step < 0 ? INT64_MIN : INT64_MAX, at);
  auto clamp = [&](int64_t& i) {
    if (i < 0) {
      i += length;
      if (i < 0) i = step < 0 ? -1 : 0;
    } else if (i >= length) {
      i = step < 0 ? length - 1 : length;
    }
  };
  clamp(start);
  clamp(stop);
  int64_t count = 0;
  if (step < 0) {
    if (stop < start) count = (start - stop - 1) / -step + 1;
  } else if (start < stop) {
    count = (stop - start - 1) / step + 1;
  }
  return {start, stop, step, count};
}

// Element k (< count) of a slice; start + k * step stays within [0, length), so no overflow
// (stepping past the last element could overflow with a huge step).
size_t index_of(const SliceIndices& ix, int64_t k) {
  return static_cast<size_t>(ix.start + k * ix.step);
}

int64_t normalize_index(const Value& obj, const Value& index, int64_t length, const Location& at) {
  int64_t i = index.as_int();
  if (i < 0) i += length;  // cannot overflow: length >= 0
  if (i < 0 || i >= length)
    fail(std::string("IndexError: ") + index_noun(obj) + " index out of range", at);
  return i;
}

Value slice_range(const Range& r, const SliceIndices& s, const Location& at) {
  // range(10)[1:8:3] is range(1, 8, 3): Python keeps slices of ranges as ranges.
  int64_t start = int_add(r.start, int_mul(s.start, r.step, at), at);
  int64_t stop = int_add(r.start, int_mul(s.stop, r.step, at), at);
  return Value(Range{start, stop, int_mul(r.step, s.step, at)});
}

Value slice_str(const std::string& s, const SliceIndices& ix, Budget& budget, const Location& at) {
  budget.charge_bytes(static_cast<uint64_t>(ix.count), at);
  std::string out;
  if (is_ascii(s)) {
    if (ix.step == 1)
      return Value(s.substr(static_cast<size_t>(ix.start), static_cast<size_t>(ix.count)));
    out.reserve(static_cast<size_t>(ix.count));
    for (int64_t k = 0; k < ix.count; ++k) out += s[index_of(ix, k)];
    return Value(std::move(out));
  }
  std::vector<size_t> off = utf8_offsets(s);
  for (int64_t k = 0; k < ix.count; ++k) {
    size_t u = index_of(ix, k);
    out.append(s, off[u], off[u + 1] - off[u]);
  }
  return Value(std::move(out));
}

}  // namespace

int64_t length(const Value& v, const Location& at) {
  switch (v.type()) {
    case Value::Type::List:
    case Value::Type::Tuple:
      return static_cast<int64_t>(v.as_list().size());
    case Value::Type::Dict:
      return static_cast<int64_t>(v.as_dict().size());
    case Value::Type::Str:
      return utf8_length(v.as_str());
    case Value::Type::Range: {
      int64_t n = v.as_range().size();
      if (n == INT64_MAX) fail("OverflowError: range too long for len()", at);
      return n;
    }
    default:
      fail(std::string("TypeError: object of type '") + v.type_name() + "' has no len()", at);
  }
}

Value make_list(List items, bool tuple, Budget& budget, const Location& at) {
  budget.check_size(static_cast<int64_t>(items.size()), tuple ? "tuple" : "list", at);
  Value v = tuple ? Value::tuple(std::move(items)) : Value::list(std::move(items));
  v.at(at);
  return v;
}

Value subscript(const Value& obj, const Value& index, Budget& budget, const Location& at) {
  if (obj.is_dict()) {
    check_key(index, budget, at);
    const Value* found = obj.as_dict().find(index);
    if (!found) fail("KeyError: " + repr_of(index, budget, at), at);
    return *found;
  }
  if (!obj.is_sequence() && !obj.is_str() && !obj.is_range())
    fail(std::string("TypeError: '") + obj.type_name() + "' object is not subscriptable", at);
  if (!is_intlike(index)) {
    if (obj.is_str())
      fail(std::string("TypeError: string indices must be integers, not '") + index.type_name() +
               "'",
           at);
    fail(std::string("TypeError: ") + (obj.is_range() ? "range" : obj.type_name()) +
             " indices must be integers or slices, not " + index.type_name(),
         at);
  }
  if (obj.is_sequence()) {
    const List& items = obj.as_list();
    return items[static_cast<size_t>(
        normalize_index(obj, index, static_cast<int64_t>(items.size()), at))];
  }
  if (obj.is_range()) {
    const Range& r = obj.as_range();
    return Value(r.at(normalize_index(obj, index, length(obj, at), at))).at(at);
  }
  const std::string& s = obj.as_str();
  if (is_ascii(s)) {
    int64_t i = normalize_index(obj, index, static_cast<int64_t>(s.size()), at);
    return Value(std::string(1, s[static_cast<size_t>(i)])).at(at);
  }
  budget.charge_bytes(s.size(), at);
  std::vector<size_t> off = utf8_offsets(s);
  auto i =
      static_cast<size_t>(normalize_index(obj, index, static_cast<int64_t>(off.size() - 1), at));
  return Value(s.substr(off[i], off[i + 1] - off[i])).at(at);
}

Value slice(const Value& obj, const Value& lower, const Value& upper, const Value& step,
            Budget& budget, const Location& at) {
  if (!obj.is_sequence() && !obj.is_str() && !obj.is_range()) {
    if (obj.is_dict()) fail("TypeError: unhashable type: 'slice'", at);
    fail(std::string("TypeError: '") + obj.type_name() + "' object is not subscriptable", at);
  }
  SliceIndices ix = adjust_slice(lower, upper, step, length(obj, at), at);
  if (obj.is_range()) return slice_range(obj.as_range(), ix, at).at(at);
  if (obj.is_str()) return slice_str(obj.as_str(), ix, budget, at).at(at);
  budget.charge(ix.count, at);
  const List& items = obj.as_list();
  List out;
  out.reserve(static_cast<size_t>(ix.count));
  for (int64_t k = 0; k < ix.count; ++k) out.push_back(items[index_of(ix, k)]);
  return make_list(std::move(out), obj.is_tuple(), budget, at);
}

void for_each(const Value& iterable, Budget& budget, const Location& at,
              const std::function<void(const Value&)>& f) {
  Value keep = iterable;  // holds the container while f runs
  switch (keep.type()) {
    case Value::Type::List:
    case Value::Type::Tuple:
      for (const Value& item : keep.as_list()) {
        budget.charge(1, at);
        f(item);
      }
      return;
    case Value::Type::Dict:
      for (const auto& item : keep.as_dict()) {
        budget.charge(1, at);
        f(item.first);
      }
      return;
    case Value::Type::Range: {
      const Range& r = keep.as_range();
      int64_t n = r.size();
      for (int64_t i = 0; i < n; ++i) {
        budget.charge(1, at);
        f(Value(r.at(i)).at(at));
      }
      return;
    }
    case Value::Type::Str: {
      const std::string& s = keep.as_str();
      for (size_t i = 0; i < s.size();) {
        size_t n = 1;
        while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) ++n;
        budget.charge(1, at);
        f(Value(s.substr(i, n)).at(at));
        i += n;
      }
      return;
    }
    default:
      fail(std::string("TypeError: '") + keep.type_name() + "' object is not iterable", at);
  }
}

List to_list(const Value& iterable, Budget& budget, const Location& at) {
  List out;
  if (iterable.is_sequence()) {
    budget.charge(static_cast<int64_t>(iterable.as_list().size()), at);
    return iterable.as_list();
  }
  if (iterable.is_range()) {
    int64_t n = iterable.as_range().size();
    budget.check_size(n, "list", at);
    out.reserve(static_cast<size_t>(n));
  }
  for_each(iterable, budget, at, [&](const Value& v) { out.push_back(v); });
  return out;
}

}  // namespace tubelet::python
