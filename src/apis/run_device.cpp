#include "tubelet/apis/run_device.h"

#include "tubelet/config/error.h"
#include "tubelet/distributed/device.h"

namespace tubelet {

torch::Device run_device(const RunConfig& run, const std::optional<std::string>& option,
                         int local_rank, bool distributed) {
  std::string name = option ? *option : run.device.value_or("cpu");
  if (name == "cuda" && !distributed && run.first_gpu_id)
    name = "cuda:" + std::to_string(*run.first_gpu_id);
  return dist::resolve_device(name, local_rank);
}

RunPlacement place_run(const RunConfig& run, const std::string& launcher,
                       const std::optional<std::string>& device_option) {
  RunPlacement p;
  p.distributed = launcher != "none";
  p.device_kind = run_device(run, device_option, 0, p.distributed).is_cuda() ? "cuda" : "cpu";
  p.info = dist::init_dist(launcher, run.dist_params, p.device_kind);
  p.device = run_device(run, device_option, p.info.local_rank, p.distributed);
  if (run.cudnn_benchmark) dist::set_cudnn_benchmark(true);
  return p;
}

}  // namespace tubelet
