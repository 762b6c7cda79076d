#include "tubelet/data/evaluate_args.h"

namespace tubelet {

std::vector<std::string> read_string_list(Args& args, const char* key,
                                          std::vector<std::string> fallback) {
  const Value* v = args.find(key);
  if (!v || v->is_none()) return fallback;
  if (v->is_str()) return {v->as_str()};
  if (!v->is_sequence())
    throw args.error(key, std::string(key) + " must be a str or a list of str");
  std::vector<std::string> out;
  for (const Value& item : v->as_list()) {
    if (!item.is_str()) throw args.error(key, std::string(key) + " must hold strings");
    out.push_back(item.as_str());
  }
  return out;
}

EvaluateArgs read_evaluate_args(Args& args) {
  EvaluateArgs e;
  e.metrics = read_string_list(args, "metrics");
  const bool has_options = args.has("metric_options");
  e.metric_options = args.get<std::optional<Dict>>("metric_options", std::nullopt).value_or(Dict{});
  if (const Value* topk = args.find("topk")) {
    Dict base;
    if (has_options) {
      if (const Value* t = e.metric_options.find("top_k_accuracy")) base = t->as_dict();
    } else {
      base.set("topk", Value::tuple({Value(1), Value(5)}));
    }
    base.set("topk", *topk);
    e.metric_options.set("top_k_accuracy", Value(base));
  }
  return e;
}

}  // namespace tubelet
