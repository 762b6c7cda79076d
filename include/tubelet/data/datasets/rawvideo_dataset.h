// RawVideoDataset (MMAction2 0.24.1, datasets/rawvideo_dataset.py; OmniSource raw videos): each
// sample is a folder of short clips named by clipname_tmpl ('part_{}.mp4'). Text annotations are
// `video_dir label num_clips [positive_clip_ind ...]` lines (or a .json list of such infos);
// every get() picks one clip -- a positive one, or any of the num_clips with
// sampling_strategy='random' -- and hands its path to the pipeline as 'filename'.
// start_index is 0; multi_class is not supported.
#pragma once

#include "tubelet/data/datasets/base_dataset.h"

namespace tubelet {

class RawVideoDataset : public BaseDataset {
 public:
  RawVideoDataset(BaseDatasetOptions options, std::string clipname_tmpl,
                  std::string sampling_strategy);
  static std::shared_ptr<Dataset> from_config(Args& args);

  // The clip is drawn from the sample's generator seeded with `seed`, before the pipeline.
  Sample get(int64_t index, uint64_t seed) const override;
  // MMAction2's sample_clip: sets results['filename'] to the chosen clip's path.
  void sample_clip(Sample& sample) const;

  const std::string& clipname_tmpl() const { return clipname_tmpl_; }
  const std::string& sampling_strategy() const { return sampling_strategy_; }

 protected:
  std::vector<Dict> load_annotations() const override;
  std::string type_name() const override { return "RawVideoDataset"; }

 private:
  Dict parse_line(const std::vector<std::string>& fields, int64_t line) const;
  std::vector<Dict> load_rawvideo_json() const;

  std::string clipname_tmpl_;
  std::string sampling_strategy_;
};

}  // namespace tubelet
