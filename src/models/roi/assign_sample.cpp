#include "tubelet/models/roi/assign_sample.h"

#include <torch/torch.h>

#include <stdexcept>

#include "tubelet/config/error.h"
#include "tubelet/registry.h"

namespace tubelet {

torch::Tensor bbox_overlaps(const torch::Tensor& a, const torch::Tensor& b) {
  if (a.size(0) == 0 || b.size(0) == 0) return torch::zeros({a.size(0), b.size(0)}, a.options());
  torch::Tensor a4 = a.slice(1, 0, 4), b4 = b.slice(1, 0, 4);
  torch::Tensor area1 = (a4.select(1, 2) - a4.select(1, 0)) * (a4.select(1, 3) - a4.select(1, 1));
  torch::Tensor area2 = (b4.select(1, 2) - b4.select(1, 0)) * (b4.select(1, 3) - b4.select(1, 1));
  torch::Tensor lt = torch::max(a4.slice(1, 0, 2).unsqueeze(1), b4.slice(1, 0, 2).unsqueeze(0));
  torch::Tensor rb = torch::min(a4.slice(1, 2, 4).unsqueeze(1), b4.slice(1, 2, 4).unsqueeze(0));
  torch::Tensor wh = (rb - lt).clamp_min(0);
  torch::Tensor overlap = wh.select(2, 0) * wh.select(2, 1);
  torch::Tensor uni = area1.unsqueeze(1) + area2.unsqueeze(0) - overlap;
  uni = torch::max(uni, torch::full({1}, 1e-6, uni.options()));
  return overlap / uni;
}

void AssignResult::add_gt(const torch::Tensor& gt_labels) {
  const int64_t k = gt_labels.size(0);
  torch::Tensor self_inds = torch::arange(1, k + 1, gt_inds.options());
  gt_inds = torch::cat({self_inds, gt_inds});
  max_overlaps = torch::cat({torch::ones({k}, max_overlaps.options()), max_overlaps});
  if (labels.defined()) labels = torch::cat({gt_labels.to(labels.scalar_type()), labels});
}

namespace {
// Reads a dict config of `expected_type` through Args (unknown keys are errors).
template <class F>
auto assign_sample_read(const Value& cfg, const std::string& path, const char* registry,
                        const char* expected_type, F read) {
  auto [type, args] = detail::split_module_config(cfg, {path}, registry);
  if (type != expected_type)
    throw ConfigError(std::string("'") + type + "' is not a " + registry + " Tubelet knows at " +
                          path + " (it has " + expected_type + ")",
                      cfg.location());
  auto out = read(args);
  args.finish();
  return out;
}
}  // namespace

MaxIoUAssignerAVAOptions MaxIoUAssignerAVAOptions::from_config(const Value& cfg,
                                                               const std::string& path) {
  return assign_sample_read(cfg, path, "BBOX_ASSIGNERS", "MaxIoUAssignerAVA", [](Args& args) {
    MaxIoUAssignerAVAOptions o;
    o.pos_iou_thr(args.required<double>("pos_iou_thr"));
    const Value* neg = args.find("neg_iou_thr");
    if (!neg) throw args.error("neg_iou_thr", "missing required argument 'neg_iou_thr'");
    if (neg->is_tuple()) {
      std::vector<double> range = args.required<std::vector<double>>("neg_iou_thr");
      if (range.size() != 2)
        throw args.error("neg_iou_thr", "a tuple neg_iou_thr must hold (low, high)");
      o.neg_iou_thr(range);
    } else if (neg->is_float()) {
      o.neg_iou_thr({neg->as_float()});
    } else {
      // MMAction2 tests isinstance(float) / tuple: any other value assigns no negatives.
      o.neg_iou_thr({});
    }
    o.min_pos_iou(args.get("min_pos_iou", o.min_pos_iou()));
    o.gt_max_assign_all(args.get("gt_max_assign_all", o.gt_max_assign_all()));
    o.ignore_iof_thr(args.get("ignore_iof_thr", o.ignore_iof_thr()));
    o.ignore_wrt_candidates(args.get("ignore_wrt_candidates", o.ignore_wrt_candidates()));
    o.match_low_quality(args.get("match_low_quality", o.match_low_quality()));
    o.gpu_assign_thr(args.get("gpu_assign_thr", o.gpu_assign_thr()));
    if (const Value* iou = args.find("iou_calculator")) {
      const Value* t = iou->is_dict() ? iou->as_dict().find("type") : nullptr;
      if (!t || !t->is_str() || t->as_str() != "BboxOverlaps2D" || iou->as_dict().size() != 1)
        throw args.error("iou_calculator",
                         "only iou_calculator=dict(type='BboxOverlaps2D') is supported");
    }
    return o;
  });
}

AssignResult assign_max_iou_ava(const MaxIoUAssignerAVAOptions& o, const torch::Tensor& bboxes,
                                const torch::Tensor& gt_bboxes, const torch::Tensor& gt_labels) {
  if (bboxes.dim() != 2 || bboxes.size(1) < 4)
    throw std::invalid_argument("MaxIoUAssignerAVA: proposals must be [n, 4] or [n, 5], got " +
                                c10::str(bboxes.sizes()));
  if (gt_bboxes.dim() != 2 || gt_bboxes.size(1) != 4)
    throw std::invalid_argument("MaxIoUAssignerAVA: gt_bboxes must be [k, 4], got " +
                                c10::str(gt_bboxes.sizes()));
  if (gt_labels.dim() != 2 || gt_labels.size(0) != gt_bboxes.size(0) || gt_labels.size(1) < 2)
    throw std::invalid_argument(
        "MaxIoUAssignerAVA: gt_labels must be [k, num_classes] multi-hot rows, one per gt box, "
        "got " +
        c10::str(gt_labels.sizes()) + " for " + std::to_string(gt_bboxes.size(0)) + " boxes");
  const int64_t num_gts = gt_bboxes.size(0), n = bboxes.size(0);
  torch::Tensor overlaps = bbox_overlaps(gt_bboxes.to(bboxes.scalar_type()), bboxes);
  AssignResult r;
  r.num_gts = num_gts;
  r.gt_inds = torch::full({n}, -1, bboxes.options().dtype(torch::kLong));
  if (num_gts == 0 || n == 0) {
    r.max_overlaps = torch::zeros({n}, overlaps.options());
    if (num_gts == 0) r.gt_inds.fill_(0);
    // MMAction2 gives 1-D labels of -1 here; they only ever meet torch.cat as an empty tensor.
    r.labels = torch::zeros({n, gt_labels.size(1)}, bboxes.options().dtype(torch::kFloat));
    return r;
  }
  auto [max_overlaps, argmax_overlaps] = overlaps.max(0);
  auto [gt_max_overlaps, gt_argmax_overlaps] = overlaps.max(1);
  const auto& neg = o.neg_iou_thr();
  if (neg.size() == 1)
    r.gt_inds.masked_fill_((max_overlaps >= 0) & (max_overlaps < neg[0]), 0);
  else if (neg.size() == 2)
    r.gt_inds.masked_fill_((max_overlaps >= neg[0]) & (max_overlaps < neg[1]), 0);
  torch::Tensor pos = max_overlaps >= o.pos_iou_thr();
  r.gt_inds = torch::where(pos, argmax_overlaps + 1, r.gt_inds);
  if (o.match_low_quality()) {
    torch::Tensor gmax = gt_max_overlaps.cpu();
    torch::Tensor garg = gt_argmax_overlaps.cpu();
    for (int64_t i = 0; i < num_gts; ++i) {
      if (!(gmax[i].item<double>() >= o.min_pos_iou())) continue;
      if (o.gt_max_assign_all())
        r.gt_inds.masked_fill_(overlaps[i] == gt_max_overlaps[i], i + 1);
      else
        r.gt_inds[garg[i].item<int64_t>()] = i + 1;
    }
  }
  r.max_overlaps = max_overlaps;
  r.labels = torch::zeros({n, gt_labels.size(1)}, bboxes.options().dtype(torch::kFloat));
  torch::Tensor pos_inds = torch::nonzero(r.gt_inds > 0).view({-1});
  if (pos_inds.numel() > 0)
    r.labels.index_put_(
        {pos_inds},
        gt_labels.to(r.labels.options()).index_select(0, r.gt_inds.index_select(0, pos_inds) - 1));
  return r;
}

RandomSamplerOptions RandomSamplerOptions::from_config(const Value& cfg, const std::string& path) {
  return assign_sample_read(cfg, path, "BBOX_SAMPLERS", "RandomSampler", [](Args& args) {
    RandomSamplerOptions o;
    o.num(args.required<int64_t>("num"));
    o.pos_fraction(args.required<double>("pos_fraction"));
    o.neg_pos_ub(args.get("neg_pos_ub", o.neg_pos_ub()));
    o.add_gt_as_proposals(args.get("add_gt_as_proposals", o.add_gt_as_proposals()));
    if (o.num() < 0) throw args.error("num", "num must be >= 0");
    if (o.pos_fraction() < 0 || o.pos_fraction() > 1)
      throw args.error("pos_fraction", "pos_fraction must be in [0, 1]");
    return o;
  });
}

torch::Tensor SamplingResult::bboxes() const {
  return torch::cat({pos_bboxes, neg_bboxes});
}

namespace {
torch::Tensor random_sampler_choice(const torch::Tensor& gallery, int64_t num) {
  if (gallery.numel() <= num) return gallery;
  torch::Tensor perm = torch::randperm(gallery.numel(), torch::kLong).slice(0, 0, num);
  return gallery.index_select(0, perm.to(gallery.device()));
}
torch::Tensor random_sampler_unique(const torch::Tensor& t) {
  return std::get<0>(torch::_unique(t, /*sorted=*/true));
}
}  // namespace

SamplingResult random_sample(const RandomSamplerOptions& o, AssignResult assign,
                             const torch::Tensor& proposals, const torch::Tensor& gt_bboxes,
                             const torch::Tensor& gt_labels) {
  torch::Tensor bboxes = proposals.slice(1, 0, 4);
  torch::Tensor gt_flags = torch::zeros({bboxes.size(0)}, bboxes.options().dtype(torch::kUInt8));
  if (o.add_gt_as_proposals() && gt_bboxes.size(0) > 0) {
    bboxes = torch::cat({gt_bboxes.to(bboxes.scalar_type()), bboxes});
    assign.add_gt(gt_labels);
    gt_flags = torch::cat({torch::ones({gt_bboxes.size(0)}, gt_flags.options()), gt_flags});
  }
  const int64_t num_expected_pos = static_cast<int64_t>(double(o.num()) * o.pos_fraction());
  torch::Tensor pos = torch::nonzero(assign.gt_inds > 0).view({-1});
  pos = random_sampler_unique(random_sampler_choice(pos, num_expected_pos));
  const int64_t num_sampled_pos = pos.numel();
  int64_t num_expected_neg = o.num() - num_sampled_pos;
  if (o.neg_pos_ub() >= 0) {
    const int64_t upper =
        static_cast<int64_t>(o.neg_pos_ub() * double(std::max<int64_t>(1, num_sampled_pos)));
    num_expected_neg = std::min(num_expected_neg, upper);
  }
  torch::Tensor neg = torch::nonzero(assign.gt_inds == 0).view({-1});
  neg = random_sampler_unique(random_sampler_choice(neg, std::max<int64_t>(num_expected_neg, 0)));
  SamplingResult s;
  s.pos_inds = pos;
  s.neg_inds = neg;
  s.pos_bboxes = bboxes.index_select(0, pos);
  s.neg_bboxes = bboxes.index_select(0, neg);
  s.pos_is_gt = gt_flags.index_select(0, pos);
  s.pos_gt_labels = assign.labels.index_select(0, pos);
  return s;
}

torch::Tensor bbox2roi(const std::vector<torch::Tensor>& bbox_list) {
  std::vector<torch::Tensor> rois;
  for (size_t i = 0; i < bbox_list.size(); ++i) {
    const torch::Tensor& b = bbox_list[i];
    if (b.dim() != 2 || b.size(1) < 4)
      throw std::invalid_argument("bbox2roi: boxes of image " + std::to_string(i) +
                                  " must be [n, 4] or [n, 5], got " + c10::str(b.sizes()));
    if (b.size(0) > 0)
      rois.push_back(
          torch::cat({torch::full({b.size(0), 1}, double(i), b.options()), b.slice(1, 0, 4)}, 1));
    else
      rois.push_back(torch::zeros({0, 5}, b.options()));
  }
  if (rois.empty()) return torch::zeros({0, 5});
  return torch::cat(rois, 0);
}

std::pair<torch::Tensor, torch::Tensor> bbox_target(const std::vector<SamplingResult>& results,
                                                    double pos_weight_cfg) {
  const double pos_weight = pos_weight_cfg <= 0 ? 1.0 : pos_weight_cfg;
  std::vector<torch::Tensor> labels, weights;
  for (const SamplingResult& s : results) {
    const int64_t num_pos = s.pos_bboxes.size(0), num_neg = s.neg_bboxes.size(0);
    labels.push_back(torch::constant_pad_nd(s.pos_gt_labels, {0, 0, 0, num_neg}));
    torch::Tensor w = torch::zeros({num_pos + num_neg}, s.pos_bboxes.options());
    w.slice(0, 0, num_pos).fill_(pos_weight);
    // label_weight[-num_neg:] = 1: with no negatives that is every row (a Python quirk kept).
    w.slice(0, num_neg == 0 ? 0 : num_pos + num_neg - num_neg).fill_(1.);
    weights.push_back(w);
  }
  return {torch::cat(labels, 0), torch::cat(weights, 0)};
}

std::vector<torch::Tensor> bbox2result(const torch::Tensor& bboxes_in,
                                       const torch::Tensor& scores_in, int64_t num_classes,
                                       const std::vector<double>& thr_in) {
  std::vector<torch::Tensor> result;
  if (bboxes_in.size(0) == 0) {
    for (int64_t i = 0; i + 1 < num_classes; ++i) result.push_back(torch::zeros({0, 5}));
    return result;
  }
  torch::Tensor bboxes = bboxes_in.detach().cpu(), scores = scores_in.detach().cpu();
  if (scores.dim() != 2 || scores.size(1) != num_classes || num_classes < 2)
    throw std::invalid_argument("bbox2result: scores must be [n, num_classes=" +
                                std::to_string(num_classes) + "], got " + c10::str(scores.sizes()));
  bool multilabel = true;
  std::vector<double> thr = thr_in;
  if (thr.size() == 1) {
    multilabel = thr[0] >= 0;
    thr.assign(size_t(num_classes), thr[0]);
  }
  if (int64_t(thr.size()) != num_classes)
    throw std::invalid_argument("bbox2result: need one threshold or num_classes of them");
  torch::Tensor best = multilabel ? torch::Tensor() : scores.slice(1, 1).argmax(1);
  for (int64_t i = 0; i + 1 < num_classes; ++i) {
    torch::Tensor where = multilabel ? scores.select(1, i + 1) > thr[size_t(i + 1)] : best == i;
    torch::Tensor idx = torch::nonzero(where).view({-1});
    torch::Tensor rows = torch::cat({bboxes.index_select(0, idx).slice(1, 0, 4),
                                     scores.index_select(0, idx).slice(1, i + 1, i + 2)},
                                    1);
    result.push_back(rows.to(torch::kFloat));
  }
  return result;
}

}  // namespace tubelet
