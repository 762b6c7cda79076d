#include "config/python/nesting.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace tubelet::python {

namespace {

class Bounder {
 public:
  Bounder(const GlobalBound& globals, int& worst) : globals_(globals), worst_(worst) {}

  int bound(const Expr& e) {
    int b = compute(e);
    worst_ = std::max(worst_, b);
    return b;
  }

 private:
  int children_max(const Expr& e) {
    int m = 0;
    for_each_child(e, [&](const Expr& c) { m = std::max(m, bound(c)); });
    return m;
  }

  int name(const std::string& id) {
    for (auto it = locals_.rbegin(); it != locals_.rend(); ++it)
      if (it->first == id) return it->second;
    return globals_(id);
  }

  void bind(const Expr& target, int b) {
    if (target.kind == ExprKind::Name) {
      locals_.emplace_back(static_cast<const Name&>(target).id, b);
    } else if (target.kind == ExprKind::Tuple || target.kind == ExprKind::List) {
      for (const ExprPtr& elt : static_cast<const Sequence&>(target).elts) bind(*elt, b);
    } else if (target.kind == ExprKind::Starred) {
      bind(*static_cast<const Starred&>(target).value, b + 1);
    }
  }

  int comprehension(const Comprehension& c) {
    size_t mark = locals_.size();
    int b = 0;
    for (const ForClause& fc : c.fors) {
      int it = bound(*fc.iter);
      bind(*fc.target, it);  // an element nests less deeply than its container
      for (const ExprPtr& cond : fc.ifs) bound(*cond);
    }
    b = bound(*c.elt);
    if (c.value) b = std::max(b, bound(*c.value));
    locals_.resize(mark);
    return b + 1;
  }

  int compute(const Expr& e) {
    switch (e.kind) {
      case ExprKind::Name:
        return name(static_cast<const Name&>(e).id);
      case ExprKind::Comprehension:
        return comprehension(static_cast<const Comprehension&>(e));
      case ExprKind::Constant:
        return 0;
      // Results that are numbers, bools or strings.
      case ExprKind::FString:
      case ExprKind::Unary:
      case ExprKind::Compare:
      case ExprKind::Slice:
        children_max(e);
        return 0;
      // Results no deeper than an operand.
      case ExprKind::Starred:
      case ExprKind::Binary:
      case ExprKind::BoolOp:
      case ExprKind::IfExp:
      case ExprKind::Subscript:
      case ExprKind::Attribute:
        return children_max(e);
      // Displays and calls build one level on top of their operands.
      default:
        return children_max(e) + 1;
    }
  }

  const GlobalBound& globals_;
  int& worst_;
  std::vector<std::pair<std::string, int>> locals_;
};

}  // namespace

int nesting_bound(const Expr& e, const GlobalBound& globals, int& worst) {
  return Bounder(globals, worst).bound(e);
}

}  // namespace tubelet::python
