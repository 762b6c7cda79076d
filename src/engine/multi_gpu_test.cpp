#include "tubelet/engine/multi_gpu_test.h"

#include "tubelet/checkpoint/results_file.h"
#include "tubelet/distributed/collectives.h"
#include "tubelet/distributed/dist_utils.h"

namespace tubelet {

TestResults multi_gpu_test(Trainable& model, torch::nn::Module& module, DataLoader& loader,
                           int64_t dataset_size, const SingleGpuTestOptions& options) {
  const bool gather = dist::is_initialized() && dist::get_dist_info().world_size > 1;
  TestResults out;
  out.is_records = model.gives_records();
  if (out.is_records) {
    out.records = single_gpu_test_records(model, module, loader, options);
    if (gather)
      out.records = dist::collect_records(out.records, dataset_size, *dist::default_group());
  } else {
    out.rows = single_gpu_test(model, module, loader, options);
    if (gather) out.rows = dist::collect_results(out.rows, dataset_size, *dist::default_group());
  }
  return out;
}

Dict evaluate_results(const Dataset& dataset, const TestResults& results,
                      const std::vector<std::string>& metrics, const Dict& metric_options) {
  return results.is_records ? dataset.evaluate_records(results.records, metrics, metric_options)
                            : dataset.evaluate(results.rows, metrics, metric_options);
}

void dump_score_rows(const torch::Tensor& rows, const std::filesystem::path& path) {
  dump_rows_file(rows, path);
}

}  // namespace tubelet
