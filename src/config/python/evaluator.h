// Tree-walking evaluator: runs the assignments of a config module.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "config/python/ast.h"
#include "config/python/budget.h"
#include "config/python/builtins.h"

namespace tubelet::python {

class Evaluator {
 public:
  explicit Evaluator(const EvalLimits& limits) : limits_(limits), budget_(limits) {}

  void run(const Module& module);
  // Evaluates a standalone expression (no names are defined).
  Value evaluate(const Expr& e);
  Dict take_globals() { return std::move(globals_); }

 private:
  using Scope = std::vector<std::pair<std::string, Value>>;  // comprehension variables

  // Checks the static nesting bound of `e` and returns it.
  int check_nesting(const Expr& e);
  void assign(const Expr& target, const Value& value, int bound);
  void assign_item(const Subscript& target, const Value& value, int bound);
  void unpack(const Sequence& target, const Value& value,
              const std::function<void(const Expr&, const Value&)>& store);
  void bind_local(const Expr& target, const Value& value, Scope& scope);

  Value eval(const Expr& e);
  Value eval_name(const Name& e);
  Value eval_sequence(const Sequence& e);
  Value eval_dict(const DictDisplay& e);
  Value eval_comprehension(const Comprehension& e);
  // A list (or dict) of the comprehension's items; generators are built as lists.
  Value build_comprehension(const Comprehension& e);
  void comprehension_loop(const Comprehension& e, size_t level, const Value& iterable, Scope& scope,
                          const std::function<void()>& emit);
  Value eval_bool_op(const BoolOp& e);
  Value eval_compare(const Compare& e);
  Value eval_subscript(const Subscript& e);
  Value eval_call(const Call& e);
  CallArgs eval_args(const Call& e, const std::string& fn);
  Value eval_fstring(const FString& e);
  std::string render(const std::vector<FPart>& parts);
  const Value* lookup(const std::string& name) const;

  const EvalLimits& limits_;
  Budget budget_;
  Dict globals_;
  std::unordered_map<std::string, int> nesting_;  // per global: bound of its value's nesting
  std::vector<Scope*> scopes_;                    // innermost last
  int depth_ = 0;
};

}  // namespace tubelet::python
