#include "tubelet/engine/hooks/eval_hook.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

#include "tubelet/args.h"
#include "tubelet/data/evaluate_args.h"
#include "tubelet/distributed/collectives.h"
#include "tubelet/engine/hooks/logger_hook.h"
#include "tubelet/engine/multi_gpu_test.h"
#include "tubelet/engine/runner.h"

namespace tubelet {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool any_equal(const std::string& key, const std::vector<std::string>& keys) {
  return std::any_of(keys.begin(), keys.end(), [&](const auto& k) { return lower(k) == key; });
}

bool any_within(const std::string& key, const std::vector<std::string>& keys) {
  return std::any_of(keys.begin(), keys.end(),
                     [&](const auto& k) { return key.find(lower(k)) != std::string::npos; });
}

// A str or a list of str, as mmcv accepts greater_keys and MMAction2 accepts metrics.
// mmcv's `log_buffer.ready = True` with only the evaluation results in the output. The train
// iterations' history is spent by then (each logger averaged it at its interval), and the
// by-iteration path clears it anyway, as mmcv does.
void start_eval_output(LogBuffer& buffer) {
  buffer.clear();
  buffer.mark_ready();
}

std::string format4_eval_hook(double x) {
  char text[64];
  std::snprintf(text, sizeof text, "%.4f", x);
  return text;
}

}  // namespace

EvalHook::EvalHook(std::shared_ptr<DataLoader> loader, std::shared_ptr<const Dataset> dataset,
                   EvalHookOptions options)
    : loader_(std::move(loader)), dataset_(std::move(dataset)), options_(std::move(options)) {
  if (!loader_ || !dataset_)
    throw std::invalid_argument("EvalHook needs a data loader and its dataset");
  if (options_.interval <= 0)
    throw std::invalid_argument("EvalHook: interval must be a positive number, but got " +
                                std::to_string(options_.interval));
  if (options_.start && *options_.start < 0)
    throw std::invalid_argument("EvalHook: the evaluation start epoch " +
                                std::to_string(*options_.start) + " is smaller than 0");
  if (options_.save_best) init_rule(options_.rule, *options_.save_best);
}

EvalHook::EvalHook(std::shared_ptr<DatasetLoader> loader, EvalHookOptions options)
    : EvalHook(loader,
               loader ? std::shared_ptr<const Dataset>(loader, &loader->dataset()) : nullptr,
               std::move(options)) {}

void EvalHook::init_rule(const std::optional<std::string>& rule, const std::string& key) {
  if (rule && *rule != "greater" && *rule != "less")
    throw std::invalid_argument("EvalHook: rule must be greater, less or None, but got " + *rule);
  std::string chosen = rule.value_or("");
  if (!rule && key != "auto") {
    const std::string key_lc = lower(key);
    if (any_equal(key_lc, options_.greater_keys))
      chosen = "greater";
    else if (any_equal(key_lc, options_.less_keys))
      chosen = "less";
    else if (any_within(key_lc, options_.greater_keys))
      chosen = "greater";
    else if (any_within(key_lc, options_.less_keys))
      chosen = "less";
    else
      throw std::invalid_argument("EvalHook: cannot infer the rule for key " + key +
                                  ", thus a specific rule must be specified.");
  }
  rule_ = chosen;
  key_indicator_ = key;
}

void EvalHook::before_run(Runner& runner) {
  out_dir_ = options_.out_dir.empty()
                 ? runner.work_dir()
                 : std::filesystem::path(options_.out_dir) / runner.work_dir().filename();
  if (!options_.out_dir.empty())
    runner.logger().info("The best checkpoint will be saved to " + out_dir_.string() +
                         " by HardDiskBackend");
  if (!options_.save_best) return;
  if (!runner.meta().contains("hook_msgs")) runner.meta().set("hook_msgs", Value(Dict{}));
  const Value* best = runner.meta().at("hook_msgs").as_dict().find("best_ckpt");
  best_ckpt_path_ = best && best->is_str() ? std::filesystem::path(best->as_str()) : "";
}

void EvalHook::before_train_iter(Runner& runner) {
  if (options_.by_epoch || !initial_flag_) return;
  if (options_.start && runner.iter() >= *options_.start) after_train_iter(runner);
  initial_flag_ = false;
}

void EvalHook::before_train_epoch(Runner& runner) {
  if (!(options_.by_epoch && initial_flag_)) return;
  if (options_.start && runner.epoch() >= *options_.start) after_train_epoch(runner);
  initial_flag_ = false;
}

void EvalHook::after_train_iter(Runner& runner) {
  if (options_.by_epoch || !should_evaluate(runner)) return;
  // The training log of this iteration goes out first, so train and val entries do not mix
  // (mmcv does the same: this hook runs before the loggers).
  for (const auto& registered : runner.hooks())
    if (auto* logger = dynamic_cast<LoggerHook*>(registered.hook.get()))
      logger->after_train_iter(runner);
  runner.log_buffer().clear();
  do_evaluate(runner);
}

void EvalHook::after_train_epoch(Runner& runner) {
  if (options_.by_epoch && should_evaluate(runner)) do_evaluate(runner);
}

bool EvalHook::should_evaluate(const Runner& runner) const {
  const int64_t current = options_.by_epoch ? runner.epoch() : runner.iter();
  if (!options_.start)
    return options_.by_epoch ? every_n_epochs(runner, options_.interval)
                             : every_n_iters(runner, options_.interval);
  if (current + 1 < *options_.start) return false;
  return (current + 1 - *options_.start) % options_.interval == 0;
}

void EvalHook::do_evaluate(Runner& runner) {
  auto* trainable = dynamic_cast<Trainable*>(&runner.model());
  if (!trainable) throw std::invalid_argument("EvalHook: the runner's model is not Trainable");
  SingleGpuTestOptions test_options;
  test_options.show_progress = options_.show_progress;
  // Distributed (MMAction2's DistEvalHook): rank 0's BN statistics everywhere, each rank tests
  // its share of the set, rank 0 gathers the results in dataset order and evaluates.
  const bool distributed = runner.world_size() > 1;
  if (distributed) {
    if (options_.broadcast_bn_buffer)
      dist::broadcast_bn_buffers(runner.model(), *dist::default_group());
    test_options.show_progress = options_.show_progress && runner.rank() == 0;
  }
  const TestResults results =
      multi_gpu_test(*trainable, runner.model(), *loader_, dataset_->size(), test_options);
  if (runner.rank() != 0) return;
  const Dict eval_res =
      evaluate_results(*dataset_, results, options_.metrics, options_.metric_options);
  start_eval_output(runner.log_buffer());
  // mmcv's TextLoggerHook takes this as the 'val' entry's iter (len of the val loader).
  runner.log_buffer().set_output("eval_iter_num", static_cast<double>(loader_->size()));
  std::optional<double> key_score = evaluate(runner, eval_res);
  // As mmcv (`if self.save_best and key_score`): a score of exactly 0 keeps no checkpoint.
  if (options_.save_best && key_score && *key_score != 0) save_best_checkpoint(runner, *key_score);
}

std::optional<double> EvalHook::evaluate(Runner& runner, const Dict& eval_res) {
  std::string report;
  for (const auto& [name, value] : eval_res.items()) {
    if (!value.is_number()) continue;  // the log buffer holds numbers only
    runner.log_buffer().set_output(name.as_str(), value.as_float());
    report += "\n" + name.as_str() + "\t" + format4_eval_hook(value.as_float());
  }
  if (!report.empty()) runner.logger().info(report);
  if (!options_.save_best) return std::nullopt;
  if (eval_res.empty()) {
    runner.logger().warning(
        "Since `eval_res` is an empty dict, the behavior to save the best checkpoint will be "
        "skipped in this evaluation.");
    return std::nullopt;
  }
  if (key_indicator_ == "auto")
    init_rule(rule_.empty() ? std::nullopt : std::optional(rule_),
              eval_res.items().front().first.as_str());
  const Value* score = eval_res.find(key_indicator_);
  if (!score) {
    std::string names;
    for (const auto& item : eval_res.items())
      names += (names.empty() ? "" : ", ") + item.first.as_str();
    throw std::invalid_argument("EvalHook: save_best='" + key_indicator_ +
                                "' is not among the evaluation results (" + names + ")");
  }
  return score->as_float();
}

void EvalHook::save_best_checkpoint(Runner& runner, double key_score) {
  const std::string cur_type = options_.by_epoch ? "epoch" : "iter";
  const int64_t cur_time = options_.by_epoch ? runner.epoch() + 1 : runner.iter() + 1;
  Value msgs = runner.meta().contains("hook_msgs") ? runner.meta().at("hook_msgs") : Value(Dict{});
  const Value* stored = msgs.as_dict().find("best_score");
  const double inf = std::numeric_limits<double>::infinity();
  const double best_score = stored ? stored->as_float() : (rule_ == "greater" ? -inf : inf);
  const bool better = rule_ == "greater" ? key_score > best_score : key_score < best_score;
  if (!better) return;
  msgs.mutable_dict().set("best_score", Value(key_score));
  if (!best_ckpt_path_.empty() && std::filesystem::is_regular_file(best_ckpt_path_)) {
    std::filesystem::remove(best_ckpt_path_);
    runner.logger().info("The previous best checkpoint " + best_ckpt_path_.string() +
                         " was removed");
  }
  const std::string prefix = "best_" + key_indicator_ + "_" + cur_type + "_";
  const std::string name = prefix + std::to_string(cur_time) + ".pth";
  best_ckpt_path_ = out_dir_ / name;
  msgs.mutable_dict().set("best_ckpt", Value(best_ckpt_path_.string()));
  runner.meta().set("hook_msgs", msgs);
  // The runner numbers "{}" with its own position (epochs or iterations); a hook counting
  // the other one renames the file to its own number.
  std::filesystem::create_directories(out_dir_);
  auto written = runner.save_checkpoint(out_dir_, prefix + "{}.pth", true, false);
  if (written != best_ckpt_path_) std::filesystem::rename(written, best_ckpt_path_);
  runner.logger().info("Now best checkpoint is saved as " + name + ".");
  runner.logger().info("Best " + key_indicator_ + " is " + format4_eval_hook(key_score) + " at " +
                       std::to_string(cur_time) + " " + cur_type + ".");
}

EvalHookOptions read_eval_hook_options(const Value& evaluation, const std::string& where) {
  Args args(evaluation.is_none() ? Value(Dict{}) : evaluation, "EvalHook", where);
  if (args.has("key_indicator"))
    throw args.error("key_indicator",
                     "\"key_indicator\" is deprecated, you need to use \"save_best\" instead");
  EvalHookOptions o;
  o.start = args.get<std::optional<int64_t>>("start", std::nullopt);
  o.interval = args.get<int64_t>("interval", 1);
  o.by_epoch = args.get("by_epoch", true);
  o.save_best = args.get<std::optional<std::string>>("save_best", std::string("auto"));
  o.rule = args.get<std::optional<std::string>>("rule", std::nullopt);
  o.greater_keys = read_string_list(args, "greater_keys", o.greater_keys);
  o.less_keys = read_string_list(args, "less_keys", o.less_keys);
  o.out_dir = args.get<std::optional<std::string>>("out_dir", std::nullopt).value_or("");
  args.get<std::optional<Dict>>("file_client_args", std::nullopt);  // local disk only
  // DistEvalHook's arguments: results are gathered through the process group, never a
  // tmpdir, so tmpdir and gpu_collect change nothing.
  args.get<std::optional<std::string>>("tmpdir", std::nullopt);
  args.get("gpu_collect", false);
  o.broadcast_bn_buffer = args.get("broadcast_bn_buffer", true);
  const EvaluateArgs evaluate = read_evaluate_args(args);
  o.metrics = evaluate.metrics;
  o.metric_options = evaluate.metric_options;
  if (o.interval <= 0) throw args.error("interval", "interval must be a positive number");
  if (o.start && *o.start < 0) throw args.error("start", "start must not be negative");
  if (o.rule && *o.rule != "greater" && *o.rule != "less")
    throw args.error("rule", "rule must be greater, less or None, but got " + *o.rule);
  args.finish();
  return o;
}

std::shared_ptr<EvalHook> build_eval_hook(const Value& evaluation,
                                          std::shared_ptr<DatasetLoader> loader,
                                          const std::string& where) {
  return std::make_shared<EvalHook>(std::move(loader), read_eval_hook_options(evaluation, where));
}

}  // namespace tubelet
