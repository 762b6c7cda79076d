// mmcv's TextLoggerHook: a log line per interval in the run's text log, and the same
// values as one JSON object per line in <work_dir>/<timestamp>.log.json, which
// MMAction2's analyze_logs.py (and `tubelet analyze-logs`) read.
#include <cmath>
#include <cstdio>
#include <fstream>

#include "tubelet/config/dump.h"
#include "tubelet/engine/hooks/logger_hook.h"
#include "tubelet/engine/runner.h"

namespace tubelet {

namespace {

std::string format(const char* spec, double value) {
  char text[64];
  std::snprintf(text, sizeof text, spec, value);
  return text;
}

// Python's str(datetime.timedelta(seconds=n)): "1 day, 2:03:04", "0:05:00".
std::string timedelta_text(int64_t seconds) {
  int64_t days = seconds / 86400, rest = seconds % 86400;
  char hms[32];
  std::snprintf(hms, sizeof hms, "%lld:%02lld:%02lld", static_cast<long long>(rest / 3600),
                static_cast<long long>(rest / 60 % 60), static_cast<long long>(rest % 60));
  if (days == 0) return hms;
  return std::to_string(days) + (days == 1 ? " day, " : " days, ") + hms;
}

// Python's round(x, 5) as the JSON log stores floats.
double round5(double x) {
  double r = std::nearbyint(x * 1e5) / 1e5;
  return std::isfinite(r) ? r : x;
}

class TextLoggerHook : public LoggerHook {
 public:
  TextLoggerHook(LoggerHookOptions options, int64_t interval_exp_name)
      : LoggerHook(options), interval_exp_name_(interval_exp_name) {}
  std::string type() const override { return "TextLoggerHook"; }

  void before_run(Runner& runner) override {
    LoggerHook::before_run(runner);
    start_iter_ = runner.iter();
    std::string stamp = runner.timestamp().empty() ? "run" : runner.timestamp();
    json_path_ = runner.work_dir() / (stamp + ".log.json");
    if (!runner.meta().empty()) dump(runner, Value(runner.meta()));
  }

 protected:
  void log(Runner& runner) override {
    Dict entry;
    entry.set("mode", Value(mode_of(runner)));
    entry.set("epoch", Value(epoch_of(runner)));
    // EvalHook leaves the val loader's length as the val entry's iter, as in mmcv.
    std::optional<double> eval_iter = runner.log_buffer().take_output("eval_iter_num");
    entry.set("iter", Value(eval_iter ? static_cast<int64_t>(*eval_iter) : iter_of(runner, true)));
    if (runner.has_optimizer()) entry.set("lr", Value(runner.current_lr().at(0)));
    for (const auto& [name, value] : runner.log_buffer().output()) entry.set(name, Value(value));
    write_text(runner, entry);
    dump(runner, Value(entry));
  }

 private:
  void write_text(Runner& runner, const Dict& entry) {
    const std::string mode = entry.at("mode").as_str();
    if (runner.meta().contains("exp_name") &&
        (every_n_iters(runner, interval_exp_name_) || (options_.by_epoch && end_of_epoch(runner))))
      runner.logger().info("Exp name: " + repr_plain(runner.meta().at("exp_name")));
    std::string line;
    if (mode == "train") {
      line = options_.by_epoch ? "Epoch [" + std::to_string(entry.at("epoch").as_int()) + "][" +
                                     std::to_string(entry.at("iter").as_int()) + "/" +
                                     std::to_string(runner.data_loader().size()) + "]\t"
                               : "Iter [" + std::to_string(entry.at("iter").as_int()) + "/" +
                                     std::to_string(runner.max_iters()) + "]\t";
      if (const Value* lr = entry.find("lr"))
        line += "lr: " + format("%.3e", lr->as_float()) + ", ";
      if (const Value* time = entry.find("time")) {
        time_sec_tot_ += time->as_float() * options_.interval;
        double average = time_sec_tot_ / static_cast<double>(runner.iter() - start_iter_ + 1);
        double eta = average * static_cast<double>(runner.max_iters() - runner.iter() - 1);
        line += "eta: " + timedelta_text(static_cast<int64_t>(eta)) + ", ";
        line += "time: " + format("%.3f", time->as_float()) + ", ";
        line += "data_time: " + format("%.3f", entry.at("data_time").as_float()) + ", ";
      }
    } else {
      line = options_.by_epoch
                 ? "Epoch(" + mode + ") [" + std::to_string(entry.at("epoch").as_int()) + "][" +
                       std::to_string(entry.at("iter").as_int()) + "]\t"
                 : "Iter(" + mode + ") [" + std::to_string(entry.at("iter").as_int()) + "]\t";
    }
    std::string items;
    for (const auto& item : entry.items()) {
      const std::string& name = item.first.as_str();
      if (name == "mode" || name == "epoch" || name == "iter" || name == "lr" || name == "time" ||
          name == "data_time" || name == "memory")
        continue;
      items += (items.empty() ? "" : ", ") + name + ": " +
               (item.second.is_float() ? format("%.4f", item.second.as_float())
                                       : repr_plain(item.second));
    }
    runner.logger().info(line + items);
  }

  static std::string repr_plain(const Value& v) { return v.is_str() ? v.as_str() : repr(v); }

  void dump(Runner& runner, const Value& entry) {
    if (runner.rank() != 0 || runner.work_dir().empty()) return;
    Dict rounded;
    for (const auto& item : entry.as_dict().items())
      rounded.set(item.first,
                  item.second.is_float() ? Value(round5(item.second.as_float())) : item.second);
    std::ofstream out(json_path_, std::ios::app);
    out << to_json(Value(rounded), -1) << "\n";
  }

  int64_t interval_exp_name_;
  int64_t start_iter_ = 0;
  double time_sec_tot_ = 0;
  std::filesystem::path json_path_;
};

std::shared_ptr<Hook> build_text_logger_hook(Args& args) {
  LoggerHookOptions o = read_logger_hook_options(args);
  int64_t exp_interval = args.get<int64_t>("interval_exp_name", 1000);
  if (args.get<std::optional<std::string>>("out_dir", std::nullopt))
    throw args.error("out_dir",
                     "copying logs to another out_dir is not supported; logs stay in work_dir");
  args.get<std::optional<Value>>("out_suffix", std::nullopt);
  args.get("keep_local", true);
  args.get<std::optional<Dict>>("file_client_args", std::nullopt);
  return std::make_shared<TextLoggerHook>(o, exp_interval);
}

}  // namespace

TUBELET_REGISTER(HOOKS, TextLoggerHook, build_text_logger_hook);

}  // namespace tubelet
