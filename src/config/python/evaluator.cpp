#include "config/python/evaluator.h"

#include <algorithm>
#include <unordered_set>

#include "config/python/nesting.h"
#include "config/python/operators.h"
#include "config/python/sequence.h"
#include "config/python/string_format.h"
#include "config/python/text.h"

namespace tubelet::python {

namespace {

// Pops a comprehension scope on every exit path.
class ScopeGuard {
 public:
  ScopeGuard(std::vector<std::vector<std::pair<std::string, Value>>*>& scopes,
             std::vector<std::pair<std::string, Value>>* scope)
      : scopes_(scopes) {
    scopes_.push_back(scope);
  }
  ~ScopeGuard() { scopes_.pop_back(); }
  ScopeGuard(const ScopeGuard&) = delete;
  ScopeGuard& operator=(const ScopeGuard&) = delete;

 private:
  std::vector<std::vector<std::pair<std::string, Value>>*>& scopes_;
};

std::string callee_name(const Call& c) {
  if (c.func->kind == ExprKind::Name) return static_cast<const Name&>(*c.func).id;
  if (c.func->kind == ExprKind::Attribute) return static_cast<const Attribute&>(*c.func).attr;
  return "function";
}

}  // namespace

// ---- statements ----

void Evaluator::run(const Module& module) {
  for (const Assign& stmt : module.body) {
    int bound = check_nesting(*stmt.value);
    Value value = eval(*stmt.value);
    for (const ExprPtr& target : stmt.targets) assign(*target, value, bound);
  }
}

Value Evaluator::evaluate(const Expr& e) {
  check_nesting(e);
  return eval(e);
}

int Evaluator::check_nesting(const Expr& e) {
  int worst = 0;
  GlobalBound globals = [this](const std::string& name) {
    auto it = nesting_.find(name);
    return it == nesting_.end() ? 0 : it->second;
  };
  int bound = nesting_bound(e, globals, worst);
  if (worst > limits_.max_value_depth)
    fail("nesting too deep: values could nest more than " +
             std::to_string(limits_.max_value_depth) + " levels",
         e.loc);
  return bound;
}

void Evaluator::assign(const Expr& target, const Value& value, int bound) {
  switch (target.kind) {
    case ExprKind::Name: {
      const auto& name = static_cast<const Name&>(target);
      // Dict::set keeps the first position on re-assignment, as a module __dict__ does.
      globals_.set(Value(name.id).at(name.loc), value);
      nesting_[name.id] = bound;
      return;
    }
    case ExprKind::Tuple:
    case ExprKind::List:
      unpack(static_cast<const Sequence&>(target), value,
             [&](const Expr& t, const Value& v) { assign(t, v, bound); });
      return;
    case ExprKind::Subscript:
      assign_item(static_cast<const Subscript&>(target), value, bound);
      return;
    default:
      fail("unsupported: assignment target", target.loc);  // rejected by the parser
  }
}

void Evaluator::unpack(const Sequence& target, const Value& value,
                       const std::function<void(const Expr&, const Value&)>& store) {
  if (!value.is_sequence() && !value.is_str() && !value.is_dict() && !value.is_range())
    fail(std::string("TypeError: cannot unpack non-iterable ") + value.type_name() + " object",
         target.loc);
  List items = to_list(value, budget_, target.loc);
  const auto& elts = target.elts;
  auto star = std::find_if(elts.begin(), elts.end(),
                           [](const ExprPtr& e) { return e->kind == ExprKind::Starred; });
  size_t n = elts.size();
  if (star == elts.end()) {
    if (items.size() > n)
      fail("ValueError: too many values to unpack (expected " + std::to_string(n) + ")",
           target.loc);
    if (items.size() < n)
      fail("ValueError: not enough values to unpack (expected " + std::to_string(n) + ", got " +
               std::to_string(items.size()) + ")",
           target.loc);
    for (size_t i = 0; i < n; ++i) store(*elts[i], items[i]);
    return;
  }
  if (items.size() < n - 1)
    fail("ValueError: not enough values to unpack (expected at least " + std::to_string(n - 1) +
             ", got " + std::to_string(items.size()) + ")",
         target.loc);
  auto before = static_cast<size_t>(star - elts.begin());
  size_t after = n - before - 1;
  for (size_t i = 0; i < before; ++i) store(*elts[i], items[i]);
  List middle(items.begin() + static_cast<std::ptrdiff_t>(before),
              items.end() - static_cast<std::ptrdiff_t>(after));
  store(*static_cast<const Starred&>(**star).value,
        make_list(std::move(middle), false, budget_, (*star)->loc));
  for (size_t i = 0; i < after; ++i) store(*elts[before + 1 + i], items[items.size() - after + i]);
}

// name[k1]...[kn] = value. Python mutates the object in place, and every other reference to
// it sees the change. Values here are copy-on-write, so an in-place change is only faithful
// when no other reference shares the container: that case is refused instead.
void Evaluator::assign_item(const Subscript& target, const Value& value, int bound) {
  std::vector<const Subscript*> chain;
  const Expr* e = &target;
  while (e->kind == ExprKind::Subscript) {
    chain.insert(chain.begin(), static_cast<const Subscript*>(e));
    e = static_cast<const Subscript&>(*e).value.get();
  }
  const auto& root = static_cast<const Name&>(*e);
  List keys;
  {
    // Read pass, in Python's order: the object, each key, each intermediate item.
    Value obj = eval_name(root);
    for (size_t i = 0; i < chain.size(); ++i) {
      keys.push_back(eval(*chain[i]->index));
      if (i + 1 < chain.size()) obj = subscript(obj, keys[i], budget_, chain[i]->loc);
    }
    const Location& at = target.loc;
    if (obj.is_dict()) {
      check_key(keys.back(), budget_, at);
    } else if (obj.is_list()) {
      const Value& k = keys.back();
      if (!k.is_int() && !k.is_bool())
        fail(
            std::string("TypeError: list indices must be integers or slices, not ") + k.type_name(),
            at);
      int64_t i = k.as_int(), n = static_cast<int64_t>(obj.as_list().size());
      if (i < -n || i >= n) fail("IndexError: list assignment index out of range", at);
    } else {
      fail(std::string("TypeError: '") + obj.type_name() +
               "' object does not support item assignment",
           at);
    }
  }  // the read pass holds no references any more
  if (!scopes_.empty() || !globals_.find(std::string_view(root.id)))
    fail("unsupported: item assignment to a name that is not a module variable", root.loc);
  int new_bound = std::max(nesting_[root.id], bound + static_cast<int>(chain.size()));
  if (new_bound > limits_.max_value_depth)
    fail("nesting too deep: values could nest more than " +
             std::to_string(limits_.max_value_depth) + " levels",
         target.loc);
  Value* slot = globals_.find(std::string_view(root.id));
  for (size_t i = 0; i < chain.size(); ++i) {
    const Location& at = chain[i]->loc;
    bool last = i + 1 == chain.size();
    bool shared;
    if (slot->is_dict()) {
      const Dict* before = &slot->as_dict();
      Dict& d = slot->mutable_dict();
      shared = &d != before;
      if (!shared && last) d.set(keys[i], value);
      if (!shared && !last) slot = d.find(keys[i]);
    } else {
      const List* before = &slot->as_list();
      List& l = slot->mutable_list();
      shared = &l != before;
      int64_t k = keys[i].as_int();
      auto index = static_cast<size_t>(k < 0 ? k + static_cast<int64_t>(l.size()) : k);
      if (!shared && last) l[index] = value;
      if (!shared && !last) slot = &l[index];
    }
    if (shared)
      fail("unsupported: item assignment into a " + std::string(slot->type_name()) +
               " that is also referenced elsewhere (Python would change every reference to it; "
               "build a new value instead)",
           at);
  }
  nesting_[root.id] = new_bound;
}

// ---- expressions ----

Value Evaluator::eval(const Expr& e) {
  DepthGuard guard(depth_, limits_.max_depth + 8, e.loc);
  switch (e.kind) {
    case ExprKind::Constant:
      return static_cast<const Constant&>(e).value;
    case ExprKind::FString:
      return eval_fstring(static_cast<const FString&>(e));
    case ExprKind::Name:
      return eval_name(static_cast<const Name&>(e));
    case ExprKind::List:
    case ExprKind::Tuple:
      return eval_sequence(static_cast<const Sequence&>(e));
    case ExprKind::Dict:
      return eval_dict(static_cast<const DictDisplay&>(e));
    case ExprKind::Comprehension:
      return eval_comprehension(static_cast<const Comprehension&>(e));
    case ExprKind::Unary: {
      const auto& u = static_cast<const Unary&>(e);
      return unary_op(u.op, eval(*u.operand), u.loc);
    }
    case ExprKind::Binary: {
      const auto& b = static_cast<const Binary&>(e);
      Value left = eval(*b.left);
      Value right = eval(*b.right);
      return binary_op(b.op, left, right, budget_, b.loc);
    }
    case ExprKind::BoolOp:
      return eval_bool_op(static_cast<const BoolOp&>(e));
    case ExprKind::Compare:
      return eval_compare(static_cast<const Compare&>(e));
    case ExprKind::IfExp: {
      const auto& x = static_cast<const IfExp&>(e);
      return is_truthy(eval(*x.test)) ? eval(*x.body) : eval(*x.orelse);
    }
    case ExprKind::Subscript:
      return eval_subscript(static_cast<const Subscript&>(e));
    case ExprKind::Call:
      return eval_call(static_cast<const Call&>(e));
    case ExprKind::Attribute:
      fail("unsupported: attribute access '." + static_cast<const Attribute&>(e).attr +
               "' (only method calls such as d.items() or s.format(...) are allowed)",
           e.loc);
    case ExprKind::Starred:
      fail("syntax error: can't use starred expression here", e.loc);
    case ExprKind::Slice:
      fail("syntax error: slice outside of a subscript", e.loc);
    case ExprKind::Set:
      fail("unsupported: set display", e.loc);
  }
  fail("unsupported expression", e.loc);
}

const Value* Evaluator::lookup(const std::string& name) const {
  for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it)
    for (auto var = (*it)->rbegin(); var != (*it)->rend(); ++var)
      if (var->first == name) return &var->second;
  return globals_.find(std::string_view(name));
}

Value Evaluator::eval_name(const Name& e) {
  if (const Value* v = lookup(e.id)) return *v;
  if (is_builtin(e.id))
    fail("unsupported: builtin '" + e.id + "' used as a value (builtins can only be called)",
         e.loc);
  fail("NameError: name '" + e.id + "' is not defined", e.loc);
}

Value Evaluator::eval_sequence(const Sequence& e) {
  List items;
  items.reserve(e.elts.size());
  for (const ExprPtr& elt : e.elts) {
    budget_.charge(1, elt->loc);
    if (elt->kind == ExprKind::Starred) {
      Value v = eval(*static_cast<const Starred&>(*elt).value);
      if (!v.is_sequence() && !v.is_str() && !v.is_dict() && !v.is_range())
        fail(std::string("TypeError: Value after * must be an iterable, not ") + v.type_name(),
             elt->loc);
      for_each(v, budget_, elt->loc, [&](const Value& item) { items.push_back(item); });
      budget_.check_size(static_cast<int64_t>(items.size()),
                         e.kind == ExprKind::List ? "list" : "tuple", e.loc);
    } else {
      items.push_back(eval(*elt));
    }
  }
  return make_list(std::move(items), e.kind == ExprKind::Tuple, budget_, e.loc);
}

Value Evaluator::eval_dict(const DictDisplay& e) {
  Dict out;
  for (const DictItem& item : e.items) {
    budget_.charge(1, item.value->loc);
    if (!item.key) {
      Value splat = eval(*item.value);
      if (!splat.is_dict())
        fail(std::string("TypeError: '") + splat.type_name() + "' object is not a mapping",
             item.value->loc);
      for (const auto& [k, v] : splat.as_dict()) {
        check_key(k, budget_, item.value->loc);
        out.set(k, v);
      }
    } else {
      Value key = eval(*item.key);
      Value value = eval(*item.value);
      check_key(key, budget_, item.key->loc);
      out.set(key, std::move(value));
    }
    budget_.check_size(static_cast<int64_t>(out.size()), "dict", e.loc);
  }
  return Value(std::move(out)).at(e.loc);
}

void Evaluator::bind_local(const Expr& target, const Value& value, Scope& scope) {
  if (target.kind == ExprKind::Name) {
    const std::string& id = static_cast<const Name&>(target).id;
    for (auto& var : scope)
      if (var.first == id) {
        var.second = value;
        return;
      }
    scope.emplace_back(id, value);
    return;
  }
  unpack(static_cast<const Sequence&>(target), value,
         [&](const Expr& t, const Value& v) { bind_local(t, v, scope); });
}

void Evaluator::comprehension_loop(const Comprehension& e, size_t level, const Value& iterable,
                                   Scope& scope, const std::function<void()>& emit) {
  const ForClause& clause = e.fors[level];
  DepthGuard guard(depth_, limits_.max_depth + 8, clause.iter->loc);
  for_each(iterable, budget_, clause.iter->loc, [&](const Value& item) {
    bind_local(*clause.target, item, scope);
    for (const ExprPtr& cond : clause.ifs)
      if (!is_truthy(eval(*cond))) return;
    if (level + 1 == e.fors.size()) {
      emit();
    } else {
      comprehension_loop(e, level + 1, eval(*e.fors[level + 1].iter), scope, emit);
    }
  });
}

Value Evaluator::eval_comprehension(const Comprehension& e) {
  if (e.form == Comprehension::Form::Set)
    fail("unsupported: set comprehension (sets are not config values)", e.loc);
  if (e.form == Comprehension::Form::Generator)
    fail("unsupported: generator expression outside a call (use a list comprehension [...])",
         e.loc);
  return build_comprehension(e);
}

Value Evaluator::build_comprehension(const Comprehension& e) {
  // Python 3: the first iterable is evaluated outside; the variables stay inside.
  Value first = eval(*e.fors[0].iter);
  Scope scope;
  ScopeGuard guard(scopes_, &scope);
  if (e.form == Comprehension::Form::Dict) {
    Dict out;
    comprehension_loop(e, 0, first, scope, [&]() {
      Value key = eval(*e.elt);
      Value value = eval(*e.value);
      check_key(key, budget_, e.elt->loc);
      out.set(key, std::move(value));
      budget_.check_size(static_cast<int64_t>(out.size()), "dict", e.loc);
    });
    return Value(std::move(out)).at(e.loc);
  }
  List out;
  comprehension_loop(e, 0, first, scope, [&]() {
    out.push_back(eval(*e.elt));
    budget_.check_size(static_cast<int64_t>(out.size()), "list", e.loc);
  });
  return make_list(std::move(out), false, budget_, e.loc);
}

Value Evaluator::eval_bool_op(const BoolOp& e) {
  Value v;
  for (const ExprPtr& operand : e.values) {
    v = eval(*operand);
    if (is_truthy(v) != e.is_and) return v;  // `or` stops at a true value, `and` at a false one
  }
  return v;
}

Value Evaluator::eval_compare(const Compare& e) {
  Value left = eval(*e.left);
  for (size_t i = 0; i < e.ops.size(); ++i) {
    Value right = eval(*e.comparators[i]);
    if (!compare(e.ops[i], left, right, budget_, e.op_locs[i])) return Value(false).at(e.loc);
    left = std::move(right);
  }
  return Value(true).at(e.loc);
}

Value Evaluator::eval_subscript(const Subscript& e) {
  Value obj = eval(*e.value);
  const Expr& index = *e.index;
  if (index.kind == ExprKind::Slice) {
    const auto& s = static_cast<const Slice&>(index);
    auto part = [&](const ExprPtr& p) { return p ? eval(*p) : Value(); };
    Value lower = part(s.lower), upper = part(s.upper), step = part(s.step);
    return slice(obj, lower, upper, step, budget_, e.loc);
  }
  if (index.kind == ExprKind::Tuple)
    for (const ExprPtr& elt : static_cast<const Sequence&>(index).elts)
      if (elt->kind == ExprKind::Slice) fail("unsupported: multi-dimensional slicing", elt->loc);
  return subscript(obj, eval(index), budget_, e.loc);
}

CallArgs Evaluator::eval_args(const Call& e, const std::string& fn) {
  CallArgs args;
  args.at = e.loc;
  for (const ExprPtr& arg : e.args) {
    if (arg->kind == ExprKind::Starred) {
      Value v = eval(*static_cast<const Starred&>(*arg).value);
      for_each(v, budget_, arg->loc, [&](const Value& item) { args.positional.push_back(item); });
    } else if (arg->kind == ExprKind::Comprehension &&
               static_cast<const Comprehension&>(*arg).form == Comprehension::Form::Generator) {
      // A generator argument, sum(x for x in y): its items are produced eagerly as a list.
      args.positional.push_back(build_comprehension(static_cast<const Comprehension&>(*arg)));
    } else {
      args.positional.push_back(eval(*arg));
    }
  }
  std::unordered_set<std::string> seen;
  auto add = [&](const std::string& name, const Value& v, const Location& at) {
    budget_.charge_bytes(name.size(), at);
    if (!seen.insert(name).second)
      fail("TypeError: " + fn + "() got multiple values for keyword argument '" + name + "'", at);
    args.keywords.emplace_back(name, v);
  };
  for (const Keyword& kw : e.keywords) {
    Value v = eval(*kw.value);
    if (!kw.name.empty()) {
      add(kw.name, v, kw.loc);
      continue;
    }
    if (!v.is_dict())
      fail("TypeError: " + fn + "() argument after ** must be a mapping, not " + v.type_name(),
           kw.loc);
    for (const auto& [k, item] : v.as_dict()) {
      if (!k.is_str()) fail("TypeError: keywords must be strings", kw.loc);
      add(k.as_str(), item, kw.loc);
    }
  }
  return args;
}

Value Evaluator::eval_call(const Call& e) {
  std::string fn = callee_name(e);
  if (e.func->kind == ExprKind::Attribute) {
    const auto& attr = static_cast<const Attribute&>(*e.func);
    Value self = eval(*attr.value);
    CallArgs args = eval_args(e, fn);
    args.at = attr.loc;
    return call_method(self, attr.attr, args, budget_);
  }
  if (e.func->kind == ExprKind::Name) {
    if (const Value* v = lookup(fn))
      fail(std::string("TypeError: '") + v->type_name() + "' object is not callable", e.loc);
    if (!is_builtin(fn))
      fail("unsupported: call of '" + fn + "' (only " + builtin_list() + " are allowed)", e.loc);
    return call_builtin(fn, eval_args(e, fn), budget_);
  }
  Value callee = eval(*e.func);
  fail(std::string("TypeError: '") + callee.type_name() + "' object is not callable", e.loc);
}

std::string Evaluator::render(const std::vector<FPart>& parts) {
  std::string out;
  for (const FPart& part : parts) {
    if (!part.expr) {
      out += part.literal;
      continue;
    }
    out += part.debug_text;
    Value v = eval(*part.expr);
    const Location& at = part.expr->loc;
    if (part.conversion == 's') v = Value(str_of(v, budget_, at));
    if (part.conversion == 'r') v = Value(repr_of(v, budget_, at));
    std::string spec = part.has_spec ? render(part.spec) : std::string();
    out += format_value(v, spec, budget_, at);
    budget_.check_size(static_cast<int64_t>(out.size()), "str", at);
  }
  return out;
}

Value Evaluator::eval_fstring(const FString& e) {
  std::string text = render(e.parts);
  budget_.charge_bytes(text.size(), e.loc);
  return Value(std::move(text)).at(e.loc);
}

}  // namespace tubelet::python
