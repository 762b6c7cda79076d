#include "tubelet/models/roi/single_roi_extractor3d.h"

#include <torch/torch.h>

#include <stdexcept>

namespace tubelet {

SingleRoIExtractor3DOptions SingleRoIExtractor3DOptions::from_config(Args& args) {
  SingleRoIExtractor3DOptions o;
  o.roi_layer_type(args.get("roi_layer_type", o.roi_layer_type()));
  o.featmap_stride(args.get("featmap_stride", o.featmap_stride()));
  if (const Value* v = args.find("output_size"); v && v->is_int())
    o.output_size({v->as_int()});
  else
    o.output_size(args.get("output_size", o.output_size()));
  o.sampling_ratio(args.get("sampling_ratio", o.sampling_ratio()));
  o.pool_mode(args.get("pool_mode", o.pool_mode()));
  o.aligned(args.get("aligned", o.aligned()));
  o.with_temporal_pool(args.get("with_temporal_pool", o.with_temporal_pool()));
  o.temporal_pool_mode(args.get("temporal_pool_mode", o.temporal_pool_mode()));
  o.with_global(args.get("with_global", o.with_global()));
  if (o.roi_layer_type() != "RoIAlign" && o.roi_layer_type() != "RoIPool")
    throw args.error("roi_layer_type", "roi_layer_type must be 'RoIAlign' or 'RoIPool', got '" +
                                           o.roi_layer_type() + "'");
  if (o.featmap_stride() <= 0)
    throw args.error("featmap_stride", "featmap_stride must be positive");
  const auto& s = o.output_size();
  if (s.empty() || s.size() > 2 || s[0] <= 0 || s.back() <= 0)
    throw args.error("output_size", "output_size must be a positive int or (height, width)");
  if (o.pool_mode() != "avg" && o.pool_mode() != "max")
    throw args.error("pool_mode", "pool_mode must be 'avg' or 'max', got '" + o.pool_mode() + "'");
  if (o.temporal_pool_mode() != "avg" && o.temporal_pool_mode() != "max")
    throw args.error("temporal_pool_mode", "temporal_pool_mode must be 'avg' or 'max', got '" +
                                               o.temporal_pool_mode() + "'");
  if (o.sampling_ratio() < 0) throw args.error("sampling_ratio", "sampling_ratio must be >= 0");
  return o;
}

SingleRoIExtractor3DImpl::SingleRoIExtractor3DImpl(const SingleRoIExtractor3DOptions& o)
    : options(o) {}

std::pair<torch::Tensor, torch::Tensor> SingleRoIExtractor3DImpl::forward(
    const std::vector<torch::Tensor>& feats, const torch::Tensor& rois) {
  if (feats.empty()) throw std::invalid_argument("SingleRoIExtractor3D: no feature map given");
  for (const torch::Tensor& f : feats)
    if (!f.defined() || f.dim() != 5)
      throw std::invalid_argument(
          "SingleRoIExtractor3D: feature maps must be [N, C, T, H, W], got " +
          (f.defined() ? c10::str(f.sizes()) : std::string("undefined")));
  std::vector<torch::Tensor> maps = feats;
  if (maps.size() >= 2) {
    int64_t max_t = 0;
    for (const torch::Tensor& f : maps) max_t = std::max(max_t, f.size(2));
    std::vector<int64_t> size{max_t, maps[0].size(3), maps[0].size(4)};
    namespace F = torch::nn::functional;
    for (torch::Tensor& f : maps)
      f = F::interpolate(f, F::InterpolateFuncOptions().size(size).mode(torch::kNearest))
              .contiguous();
  }
  if (options.with_temporal_pool())
    for (torch::Tensor& f : maps)
      f = options.temporal_pool_mode() == "avg" ? f.mean(2, true) : std::get<0>(f.max(2, true));
  torch::Tensor feat = torch::cat(maps, 1).contiguous();

  const double scale = 1.0 / double(options.featmap_stride());
  const std::vector<int64_t>& size = options.output_size();
  std::vector<int64_t> out_hw = size.size() == 1 ? std::vector<int64_t>{size[0], size[0]} : size;
  std::vector<torch::Tensor> roi_feats;
  for (int64_t t = 0; t < feat.size(2); ++t) {
    torch::Tensor frame = feat.select(2, t).contiguous();
    torch::Tensor roi_feat;
    if (options.roi_layer_type() == "RoIPool") {
      roi_feat = roi_pool(frame, rois, RoIPoolOptions().output_size(out_hw).spatial_scale(scale));
    } else {
      roi_feat = roi_align(frame, rois,
                           RoIAlignOptions()
                               .output_size(out_hw)
                               .spatial_scale(scale)
                               .sampling_ratio(options.sampling_ratio())
                               .pool_mode(options.pool_mode())
                               .aligned(options.aligned()));
    }
    if (options.with_global()) {
      torch::Tensor global = torch::adaptive_avg_pool2d(frame, out_hw);
      torch::Tensor inds = rois.select(1, 0).to(frame.device(), torch::kLong);
      roi_feat = torch::cat({roi_feat, global.index_select(0, inds)}, 1).contiguous();
    }
    roi_feats.push_back(roi_feat);
  }
  return {torch::stack(roi_feats, 2), feat};
}

}  // namespace tubelet
