#include "tubelet/data/datasets/rawframe_dataset.h"

#include <stdexcept>

namespace tubelet {

RawframeDataset::RawframeDataset(BaseDatasetOptions options, std::string filename_tmpl,
                                 bool with_offset)
    : BaseDataset(std::move(options)),
      filename_tmpl_(std::move(filename_tmpl)),
      with_offset_(with_offset) {
  load();
}

RawframeDataset::RawframeDataset(BaseDatasetOptions options, std::string filename_tmpl,
                                 bool with_offset, NoLoad)
    : BaseDataset(std::move(options)),
      filename_tmpl_(std::move(filename_tmpl)),
      with_offset_(with_offset) {}

Dict RawframeDataset::parse_line(const std::vector<std::string>& f, int64_t line) const {
  const size_t first_label = with_offset_ ? 3 : 2;
  const char* layout = with_offset_ ? "frame_dir offset total_frames label [label ...]"
                                    : "frame_dir total_frames label [label ...]";
  if (f.size() <= first_label)
    throw std::runtime_error(where(line) + ": expected '" + layout + "', got " +
                             std::to_string(f.size()) + " fields" +
                             (f.size() == first_label ? " (missing label)" : ""));
  Dict info;
  info.set("frame_dir", Value(with_prefix(f[0])));
  if (with_offset_) info.set("offset", Value(field_int(f, 1, "offset", line)));
  info.set("total_frames", Value(field_int(f, first_label - 1, "total_frames", line)));
  set_labels(info, f, first_label, line);
  return info;
}

std::vector<Dict> RawframeDataset::load_annotations() const {
  const std::string& file = options_.ann_file;
  if (file.size() >= 5 && file.compare(file.size() - 5, 5, ".json") == 0)
    return load_json_annotations();
  return parse_text_lines([this](const auto& f, int64_t line) { return parse_line(f, line); });
}

Sample RawframeDataset::prepare(int64_t index) const {
  Sample sample;
  sample.info = info(index);
  sample.info.set("filename_tmpl", Value(filename_tmpl_));
  sample.info.set("modality", Value(options_.modality));
  sample.info.set("start_index", Value(options_.start_index));
  if (options_.multi_class) {
    sample.set_tensor("label", onehot(sample.need("label", type_name()), index));
  }
  return sample;
}

std::shared_ptr<Dataset> RawframeDataset::from_config(Args& args) {
  // RawframeDataset's own argument order: filename_tmpl and with_offset sit among the base's.
  BaseDatasetOptions options = BaseDatasetOptions::from_args(args, 1);
  std::string tmpl = args.get("filename_tmpl", "img_{:05}.jpg");
  bool with_offset = args.get("with_offset", false);
  auto factors = args.get<std::vector<double>>("short_cycle_factors", {0.5, 0.7071});
  auto default_s = args.get<std::vector<int64_t>>("default_s", {224, 224});
  args.finish();  // an unknown argument is reported before any file is read
  auto dataset = std::make_shared<RawframeDataset>(std::move(options), tmpl, with_offset);
  dataset->short_cycle_factors = factors;
  dataset->default_s = default_s;
  return dataset;
}

TUBELET_REGISTER(DATASETS, RawframeDataset, RawframeDataset::from_config);

}  // namespace tubelet
