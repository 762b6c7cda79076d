// Syntax tree of the Python subset: expressions and the assignments that bind them.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config/python/operators.h"
#include "tubelet/config/value.h"

namespace tubelet::python {

enum class ExprKind {
  Constant,  // literal: number, string, True/False/None
  FString,   // f'...' (possibly joined with adjacent plain strings)
  Name,
  List,           // [a, b]
  Tuple,          // (a, b) and bare a, b
  Set,            // {a, b}: parsed only to be reported as unsupported
  Dict,           // {k: v, **splat}
  Comprehension,  // list, dict, set comprehension and generator expression
  Starred,        // *x in displays, calls and targets
  Unary,
  Binary,
  BoolOp,     // a and b and c / a or b
  Compare,    // a < b <= c
  IfExp,      // a if c else b
  Subscript,  // a[i]
  Slice,      // i:j:k inside a subscript
  Attribute,  // a.name (only as the callee of a method call)
  Call,
};

struct Expr {
  Expr(ExprKind k, Location l) : kind(k), loc(std::move(l)) {}
  virtual ~Expr() = default;
  ExprKind kind;
  Location loc;   // where the expression (or, for operators, the operator) starts
  int depth = 1;  // height of the subtree, bounded by EvalLimits::max_depth
};
using ExprPtr = std::unique_ptr<Expr>;

struct Constant : Expr {
  Constant(Location l, Value v) : Expr(ExprKind::Constant, std::move(l)), value(std::move(v)) {}
  Value value;  // already carries its location
};

// One piece of an f-string: literal text, or a replacement field {expr!conv:spec}.
struct FPart {
  std::string literal;
  ExprPtr expr;            // null for literal text
  char conversion = 0;     // 0, 's' or 'r'
  std::string debug_text;  // f'{x=}' prints "x=" before the value
  bool has_spec = false;
  std::vector<FPart> spec;  // the format spec may itself hold replacement fields
};

struct FString : Expr {
  explicit FString(Location l) : Expr(ExprKind::FString, std::move(l)) {}
  std::vector<FPart> parts;
};

struct Name : Expr {
  Name(Location l, std::string n) : Expr(ExprKind::Name, std::move(l)), id(std::move(n)) {}
  std::string id;
};

// List, Tuple and Set displays.
struct Sequence : Expr {
  using Expr::Expr;
  std::vector<ExprPtr> elts;  // may hold Starred
};

struct DictItem {
  ExprPtr key;  // null for a **splat entry
  ExprPtr value;
};

struct DictDisplay : Expr {
  explicit DictDisplay(Location l) : Expr(ExprKind::Dict, std::move(l)) {}
  std::vector<DictItem> items;
};

struct ForClause {
  ExprPtr target;  // Name, or Tuple/List of targets
  ExprPtr iter;
  std::vector<ExprPtr> ifs;
};

struct Comprehension : Expr {
  enum class Form { List, Dict, Set, Generator };
  Comprehension(Location l, Form f) : Expr(ExprKind::Comprehension, std::move(l)), form(f) {}
  Form form;
  ExprPtr elt;    // the element, or the key of a dict comprehension
  ExprPtr value;  // dict comprehensions only
  std::vector<ForClause> fors;
};

struct Starred : Expr {
  Starred(Location l, ExprPtr v) : Expr(ExprKind::Starred, std::move(l)), value(std::move(v)) {}
  ExprPtr value;
};

struct Unary : Expr {
  Unary(Location l, UnaryOp o, ExprPtr e)
      : Expr(ExprKind::Unary, std::move(l)), op(o), operand(std::move(e)) {}
  UnaryOp op;
  ExprPtr operand;
};

struct Binary : Expr {
  Binary(Location l, BinOp o, ExprPtr a, ExprPtr b)
      : Expr(ExprKind::Binary, std::move(l)), op(o), left(std::move(a)), right(std::move(b)) {}
  BinOp op;
  ExprPtr left, right;
};

struct BoolOp : Expr {
  BoolOp(Location l, bool is_and_) : Expr(ExprKind::BoolOp, std::move(l)), is_and(is_and_) {}
  bool is_and;
  std::vector<ExprPtr> values;
};

struct Compare : Expr {
  explicit Compare(Location l) : Expr(ExprKind::Compare, std::move(l)) {}
  ExprPtr left;
  std::vector<CmpOp> ops;
  std::vector<Location> op_locs;
  std::vector<ExprPtr> comparators;
};

struct IfExp : Expr {
  explicit IfExp(Location l) : Expr(ExprKind::IfExp, std::move(l)) {}
  ExprPtr test, body, orelse;
};

struct Subscript : Expr {
  Subscript(Location l, ExprPtr v, ExprPtr i)
      : Expr(ExprKind::Subscript, std::move(l)), value(std::move(v)), index(std::move(i)) {}
  ExprPtr value;
  ExprPtr index;  // an expression, a Slice, or a Tuple of them
};

struct Slice : Expr {
  explicit Slice(Location l) : Expr(ExprKind::Slice, std::move(l)) {}
  ExprPtr lower, upper, step;  // each may be null
};

struct Attribute : Expr {
  Attribute(Location l, ExprPtr v, std::string a)
      : Expr(ExprKind::Attribute, std::move(l)), value(std::move(v)), attr(std::move(a)) {}
  ExprPtr value;
  std::string attr;
};

struct Keyword {
  std::string name;  // empty for a **splat
  ExprPtr value;
  Location loc;
};

struct Call : Expr {
  Call(Location l, ExprPtr f) : Expr(ExprKind::Call, std::move(l)), func(std::move(f)) {}
  ExprPtr func;
  std::vector<ExprPtr> args;  // may hold Starred, or one generator Comprehension
  std::vector<Keyword> keywords;
};

// `t1 = t2 = value`: targets are Names, Subscripts rooted at a Name, or Tuple/List of them.
struct Assign {
  std::vector<ExprPtr> targets;
  ExprPtr value;
};

struct Module {
  std::vector<Assign> body;
};

// Calls f(child) for every direct sub-expression (used to measure tree height).
template <class F>
void for_each_child(const Expr& e, F&& f) {
  auto visit = [&f](const ExprPtr& p) {
    if (p) f(*p);
  };
  switch (e.kind) {
    case ExprKind::Constant:
    case ExprKind::Name:
      break;
    case ExprKind::FString: {
      // Replacement fields nest at most twice ({x:{w}}), so recursion here is shallow.
      struct Walk {
        static void parts(const std::vector<FPart>& ps, decltype(visit)& v) {
          for (const FPart& p : ps) {
            v(p.expr);
            parts(p.spec, v);
          }
        }
      };
      Walk::parts(static_cast<const FString&>(e).parts, visit);
      break;
    }
    case ExprKind::List:
    case ExprKind::Tuple:
    case ExprKind::Set:
      for (const ExprPtr& p : static_cast<const Sequence&>(e).elts) visit(p);
      break;
    case ExprKind::Dict:
      for (const DictItem& item : static_cast<const DictDisplay&>(e).items) {
        visit(item.key);
        visit(item.value);
      }
      break;
    case ExprKind::Comprehension: {
      const auto& c = static_cast<const Comprehension&>(e);
      visit(c.elt);
      visit(c.value);
      for (const ForClause& fc : c.fors) {
        visit(fc.target);
        visit(fc.iter);
        for (const ExprPtr& p : fc.ifs) visit(p);
      }
      break;
    }
    case ExprKind::Starred:
      visit(static_cast<const Starred&>(e).value);
      break;
    case ExprKind::Unary:
      visit(static_cast<const Unary&>(e).operand);
      break;
    case ExprKind::Binary:
      visit(static_cast<const Binary&>(e).left);
      visit(static_cast<const Binary&>(e).right);
      break;
    case ExprKind::BoolOp:
      for (const ExprPtr& p : static_cast<const BoolOp&>(e).values) visit(p);
      break;
    case ExprKind::Compare:
      visit(static_cast<const Compare&>(e).left);
      for (const ExprPtr& p : static_cast<const Compare&>(e).comparators) visit(p);
      break;
    case ExprKind::IfExp: {
      const auto& x = static_cast<const IfExp&>(e);
      visit(x.test);
      visit(x.body);
      visit(x.orelse);
      break;
    }
    case ExprKind::Subscript:
      visit(static_cast<const Subscript&>(e).value);
      visit(static_cast<const Subscript&>(e).index);
      break;
    case ExprKind::Slice: {
      const auto& s = static_cast<const Slice&>(e);
      visit(s.lower);
      visit(s.upper);
      visit(s.step);
      break;
    }
    case ExprKind::Attribute:
      visit(static_cast<const Attribute&>(e).value);
      break;
    case ExprKind::Call: {
      const auto& c = static_cast<const Call&>(e);
      visit(c.func);
      for (const ExprPtr& p : c.args) visit(p);
      for (const Keyword& k : c.keywords) visit(k.value);
      break;
    }
  }
}

}  // namespace tubelet::python
