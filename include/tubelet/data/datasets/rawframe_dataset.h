// RawframeDataset: `frame_dir [offset] total_frames label [label ...]` lines (or a .json list
// of infos) for folders of extracted frames named by filename_tmpl; start_index defaults to 1.
#pragma once

#include "tubelet/data/datasets/base_dataset.h"

namespace tubelet {

class RawframeDataset : public BaseDataset {
 public:
  RawframeDataset(BaseDatasetOptions options, std::string filename_tmpl, bool with_offset);
  static std::shared_ptr<Dataset> from_config(Args& args);

  const std::string& filename_tmpl() const { return filename_tmpl_; }
  // Accepted as MMAction2 keeps them (multigrid short cycles); nothing here reads them yet.
  std::vector<double> short_cycle_factors{0.5, 0.7071};
  std::vector<int64_t> default_s{224, 224};

 protected:
  std::vector<Dict> load_annotations() const override;
  Sample prepare(int64_t index) const override;
  std::string type_name() const override { return "RawframeDataset"; }
  // For a derived dataset (AudioVisualDataset): everything but load(), which the derived
  // constructor calls once its own overrides are in place.
  struct NoLoad {};
  RawframeDataset(BaseDatasetOptions options, std::string filename_tmpl, bool with_offset, NoLoad);
  bool with_offset() const { return with_offset_; }
  // One text line's info: frame_dir (with data_prefix), [offset,] total_frames, label.
  Dict parse_line(const std::vector<std::string>& fields, int64_t line) const;

 private:
  std::string filename_tmpl_;
  bool with_offset_;
};

}  // namespace tubelet
