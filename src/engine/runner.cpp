#include "tubelet/engine/runner.h"

#include <ctime>
#include <iterator>
#include <sstream>

#include "runner_common.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/error.h"
#include "tubelet/distributed/collectives.h"
#include "tubelet/engine/priority.h"
#include "tubelet/fileio/model_cache.h"
#include "tubelet/optim/group_options.h"

namespace tubelet {

Workflow read_workflow(const Value& workflow) {
  if (!workflow.is_list() && !workflow.is_tuple())
    throw ConfigError("workflow must be a list of (phase, epochs) pairs", workflow.location());
  Workflow out;
  for (const Value& item : workflow.as_list()) {
    const bool pair = (item.is_tuple() || item.is_list()) && item.as_list().size() == 2;
    if (!pair || !item.as_list()[0].is_str() || !item.as_list()[1].is_int())
      throw ConfigError("each workflow entry must be a (phase, epochs) pair such as ('train', 1)",
                        item.location());
    const std::string& phase = item.as_list()[0].as_str();
    if (phase != "train" && phase != "val")
      throw ConfigError("runner has no method named \"" + phase + "\" to run an epoch",
                        item.location());
    out.emplace_back(phase, item.as_list()[1].as_int());
  }
  return out;
}

Runner::Runner(RunnerParts parts, std::optional<int64_t> max_epochs,
               std::optional<int64_t> max_iters)
    : model_(std::move(parts.model)),
      optimizer_(std::move(parts.optimizer)),
      work_dir_(std::move(parts.work_dir)),
      timestamp_(std::move(parts.timestamp)),
      logger_(parts.logger ? std::move(parts.logger) : std::make_shared<Logger>()),
      meta_(std::move(parts.meta)),
      rank_(parts.rank),
      world_size_(parts.world_size),
      max_epochs_(max_epochs),
      max_iters_(max_iters) {
  if (!model_) throw std::invalid_argument("a runner needs a model");
  trainable_ = dynamic_cast<Trainable*>(model_.get());
  if (!trainable_)
    throw std::invalid_argument("the model has no train_step/val_step (it is not Trainable)");
  if (max_epochs_ && max_iters_)
    throw std::invalid_argument("Only one of `max_epochs` or `max_iters` can be set.");
  if (!work_dir_.empty()) std::filesystem::create_directories(work_dir_);
}

int64_t Runner::max_epochs() const {
  if (!max_epochs_) throw std::logic_error("this runner has no max_epochs");
  return *max_epochs_;
}

int64_t Runner::max_iters() const {
  if (!max_iters_) throw std::logic_error("max_iters is not known before the run starts");
  return *max_iters_;
}

DataLoader& Runner::data_loader() const {
  if (!data_loader_) throw std::logic_error("no data loader: the run has not started");
  return *data_loader_;
}

torch::optim::Optimizer& Runner::optimizer() const {
  if (!optimizer_) throw std::logic_error("this runner has no optimizer");
  return *optimizer_;
}

std::vector<double> Runner::current_lr() const {
  std::vector<double> out;
  for (const auto& group : optimizer().param_groups()) out.push_back(group.options().get_lr());
  return out;
}

std::vector<double> Runner::current_momentum() const {
  std::vector<double> out;
  for (const auto& group : optimizer().param_groups()) {
    const auto& options = group.options();
    if (has_group_option(options, "momentum"))
      out.push_back(get_group_option(options, "momentum").as_float());
    else if (has_group_option(options, "betas"))
      out.push_back(get_group_option(options, "betas").as_list()[0].as_float());
    else
      out.push_back(0.0);
  }
  return out;
}

void Runner::register_hook(std::shared_ptr<Hook> hook, const Value& priority_value) {
  int priority = get_priority(priority_value);
  auto it = hooks_.end();
  while (it != hooks_.begin() && std::prev(it)->priority > priority) --it;
  hooks_.insert(it, RegisteredHook{std::move(hook), priority});
}

void Runner::register_hook_from_cfg(const Value& cfg, const std::string& config_path) {
  if (!cfg.is_dict()) throw ConfigError(config_path + " must be a dict", cfg.location());
  Value args = cfg;
  Value priority("NORMAL");
  if (const Value* given = cfg.as_dict().find("priority")) {
    priority = *given;
    args.mutable_dict().erase("priority");
  }
  register_hook(HOOKS().build(args, BuildContext(config_path)), priority);
}

std::string Runner::hook_info() const {
  std::ostringstream out;
  for (const auto& [hook, priority] : hooks_) {
    std::string name = priority_name(priority);
    name.resize(std::max<size_t>(name.size(), 12), ' ');
    out << "(" << name << ") " << hook->type() << "\n";
  }
  out << " -------------------- ";
  return out.str();
}

void Runner::call_hook(HookPoint point) {
  for (auto& entry : hooks_) ((*entry.hook).*point)(*this);
}

void Runner::run_iter(const Batch& batch, bool train_mode, const std::string& log_suffix) {
  outputs_ = train_mode ? trainable_->train_step(batch) : trainable_->val_step(batch);
  for (auto& [name, value] : outputs_.log_vars) name += log_suffix;
  // As MMAction2's _parse_losses under torch.distributed: the logged values are averaged
  // over ranks (the loss to back-propagate stays this rank's own).
  if (world_size_ > 1) dist::average_log_vars(outputs_.log_vars, *dist::default_group());
  if (!outputs_.log_vars.empty()) log_buffer_.update(outputs_.log_vars, outputs_.num_samples);
}

void Runner::log_start(const Workflow& workflow, const std::string& max_text) {
  logger_->info("Start running, work_dir: " +
                (work_dir_.empty() ? std::string("NONE") : work_dir_.string()));
  logger_->info("Hooks will be executed in the following order:\n" + hook_info());
  std::string flow = "[";
  for (const auto& [phase, n] : workflow)
    flow +=
        (flow.size() > 1 ? ", " : "") + std::string("('") + phase + "', " + std::to_string(n) + ")";
  logger_->info("workflow: " + flow + "], max: " + max_text);
}

void Runner::load_checkpoint(const std::filesystem::path& path, bool strict) {
  // mmcv names the loader: local, http, torchvision, openmmlab or mmcls.
  logger_->info("load checkpoint from " + checkpoint_scheme(path.string()) +
                " path: " + path.string());
  auto ckpt = checkpoint::load_checkpoint(path.string());
  auto report = checkpoint::load_state_dict(*model_, ckpt.state_dict, strict);
  if (!report.ok()) logger_->warning(report.message());
}

}  // namespace tubelet

namespace tubelet {

void check_loaders(const std::vector<DataLoader*>& loaders, const Workflow& workflow) {
  if (loaders.size() != workflow.size())
    throw std::invalid_argument("the workflow has " + std::to_string(workflow.size()) +
                                " phases but " + std::to_string(loaders.size()) +
                                " data loaders were given");
  for (size_t i = 0; i < loaders.size(); ++i) {
    if (!loaders[i])
      throw std::invalid_argument("no data loader for workflow phase " + std::to_string(i));
    if (loaders[i]->size() <= 0)
      throw std::invalid_argument("the data loader of workflow phase '" + workflow[i].first +
                                  "' is empty");
  }
}

std::string format_checkpoint_name(const std::string& filename_tmpl, int64_t n) {
  size_t at = filename_tmpl.find("{}");
  if (at == std::string::npos || filename_tmpl.find("{}", at + 2) != std::string::npos)
    throw std::invalid_argument("filename_tmpl '" + filename_tmpl +
                                "' must hold exactly one '{}' (e.g. 'epoch_{}.pth')");
  return filename_tmpl.substr(0, at) + std::to_string(n) + filename_tmpl.substr(at + 2);
}

Value Runner::checkpoint_meta(int64_t epoch, int64_t iter, const Dict& extra) const {
  Dict meta = extra;
  for (const auto& [key, value] : meta_.items()) meta.set(key, value);
  meta.set("epoch", Value(epoch));
  meta.set("iter", Value(iter));
  meta.set("mmcv_version", Value(std::string("1.7.0")));
  std::time_t now = std::time(nullptr);
  char text[64];
  std::strftime(text, sizeof text, "%a %b %e %H:%M:%S %Y", std::localtime(&now));
  meta.set("time", Value(std::string(text)));
  return Value(std::move(meta));
}

}  // namespace tubelet
