#include "tubelet/apis/run_device.h"

#include "tubelet/config/error.h"
#include "tubelet/distributed/device.h"

namespace tubelet {

namespace {

std::string requested_name(const Dict& cfg, const std::optional<std::string>& option) {
  if (option) return *option;
  const Value* device = cfg.find("device");
  if (!device || device->is_none()) return "cpu";
  if (!device->is_str())
    throw ConfigError(std::string("device must be a string ('cpu', 'cuda' or 'cuda:N'), not ") +
                      device->type_name());
  return device->as_str();
}

// The first of the config's gpu_ids, if it has any.
std::optional<int> first_gpu_id(const Dict& cfg) {
  const Value* ids = cfg.find("gpu_ids");
  if (!ids || ids->is_none()) return std::nullopt;
  // MMAction2's tools write range(1) for --gpus.
  if (ids->is_range() && ids->as_range().size() > 0) return static_cast<int>(ids->as_range().start);
  if (!ids->is_sequence() || ids->as_list().empty() || !ids->as_list().front().is_int())
    throw ConfigError("gpu_ids must be a non-empty list of GPU indices, e.g. [0]");
  return static_cast<int>(ids->as_list().front().as_int());
}

}  // namespace

torch::Device run_device(const Dict& cfg, const std::optional<std::string>& option, int local_rank,
                         bool distributed) {
  std::string name = requested_name(cfg, option);
  if (name == "cuda" && !distributed)
    if (auto id = first_gpu_id(cfg)) name = "cuda:" + std::to_string(*id);
  return dist::resolve_device(name, local_rank);
}

}  // namespace tubelet
