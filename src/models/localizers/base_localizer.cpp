#include "tubelet/models/localizers/base_localizer.h"

#include <stdexcept>

namespace tubelet {

ProposalPostProcessOptions read_post_process_options(Args& args) {
  ProposalPostProcessOptions o;
  o.soft_nms.alpha = args.required<double>("soft_nms_alpha");
  o.soft_nms.low_threshold = args.required<double>("soft_nms_low_threshold");
  o.soft_nms.high_threshold = args.required<double>("soft_nms_high_threshold");
  o.soft_nms.top_k = args.required<int64_t>("post_process_top_k");
  o.feature_extraction_interval = args.get<int64_t>("feature_extraction_interval", 16);
  if (o.feature_extraction_interval <= 0)
    throw args.error("feature_extraction_interval", "feature_extraction_interval must be positive");
  return o;
}

std::vector<torch::Tensor> per_video(const Batch& batch, const std::string& name) {
  if (const std::vector<torch::Tensor>* list = batch.list(name)) return *list;
  const torch::Tensor& stacked = batch.at(name);
  std::vector<torch::Tensor> rows;
  for (int64_t i = 0; i < stacked.size(0); ++i) rows.push_back(stacked[i]);
  return rows;
}

const Dict& video_meta(const Batch& batch, size_t i) {
  if (i >= batch.metas.size())
    throw std::invalid_argument("the batch has no video_meta for video " + std::to_string(i) +
                                " (Collect's meta_name/meta_keys must give it)");
  return batch.metas[i];
}

Value video_name(const Batch& batch, size_t i) {
  const Value* name = video_meta(batch, i).find("video_name");
  if (!name)
    throw std::invalid_argument("video_meta of video " + std::to_string(i) +
                                " has no 'video_name' (add it to Collect's meta_keys)");
  return *name;
}

void check_feature_shape(const torch::Tensor& x, const std::string& model, int64_t channels,
                         const std::string& channels_arg, int64_t length,
                         const std::string& length_arg) {
  auto sizes = [&] { return c10::str(x.sizes()); };
  if (x.dim() != 3)
    throw std::invalid_argument(model + " expects features [N, " + channels_arg + ", " +
                                length_arg + "], got " + sizes());
  if (x.size(1) != channels)
    throw std::invalid_argument(model + ": the features have " + std::to_string(x.size(1)) +
                                " channels but " + channels_arg + " is " +
                                std::to_string(channels) + " (shape " + sizes() + ")");
  if (length > 0 && x.size(2) != length)
    throw std::invalid_argument(model + ": the features have " + std::to_string(x.size(2)) +
                                " temporal steps but " + length_arg + " is " +
                                std::to_string(length) + " (shape " + sizes() + ")");
}

const torch::Tensor& checked_raw_feature(const Batch& batch, const std::string& model,
                                         int64_t channels, const std::string& channels_arg,
                                         int64_t length, const std::string& length_arg) {
  const torch::Tensor& x = batch.at("raw_feature");
  try {
    check_feature_shape(x, model, channels, channels_arg, length, length_arg);
  } catch (const std::invalid_argument& e) {
    std::string videos;
    for (size_t i = 0; i < batch.metas.size(); ++i) {
      const Value* name = batch.metas[i].find("video_name");
      videos += (i ? ", " : "") + (name && name->is_str() ? name->as_str() : std::to_string(i));
    }
    throw std::invalid_argument(std::string(e.what()) + "; the batch's videos: " +
                                (videos.empty() ? "(no video_meta)" : videos));
  }
  return x;
}

}  // namespace tubelet
