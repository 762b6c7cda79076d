// A dataset registered in DATASETS (MMAction2's BaseDataset and its subclasses): an indexed
// list of annotations that a pipeline turns into samples.
#pragma once

#include <torch/types.h>

#include <string>
#include <vector>

#include "tubelet/data/registries.h"
#include "tubelet/data/sample.h"

namespace tubelet {

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual int64_t size() const = 0;
  // Sample `index` through the pipeline (train or test mode as configured), its random
  // transforms drawing from a generator seeded with `seed`. Safe to call from several
  // threads at once. Errors name the file and the index.
  virtual Sample get(int64_t index, uint64_t seed) const = 0;
  // The annotation of `index` as MMAction2 keeps it in video_infos (filename, label, ...).
  virtual const Dict& info(int64_t index) const = 0;
  // MMAction2's evaluate(results, metrics, ...): `results` holds one score row per sample
  // (the model's outputs in dataset order); returns {"top1_acc": x, ...}.
  virtual Dict evaluate(const torch::Tensor& results, const std::vector<std::string>& metrics,
                        const Dict& metric_options) const;
  // The same for models that give records (localizers: one {"video_name", "proposal_list"}
  // per video, in dataset order), e.g. AR@AN over proposals.
  virtual Dict evaluate_records(const List& results, const std::vector<std::string>& metrics,
                                const Dict& metric_options) const;
  // MMAction2's dump_results(results, **output_config) for records: output_config holds 'out'
  // and the dataset's further dump_results arguments (ActivityNetDataset: output_format,
  // version). By default the list of records at 'out', as mmcv.dump writes it: JSON for
  // .json, a pickle for .pkl/.pickle.
  virtual void dump_records(const List& results, const Dict& output_config) const;
};

}  // namespace tubelet
