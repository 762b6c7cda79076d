#include "tubelet/data/transforms/format_gcn_input.h"

#include <torch/torch.h>

#include <stdexcept>

#include "tubelet/data/transforms/common.h"

namespace tubelet {

void FormatGCNInput::apply(Sample& sample) {
  const torch::Tensor* kp = sample.tensor("keypoint");
  if (!kp) throw std::invalid_argument("FormatGCNInput: the sample has no 'keypoint'");
  if (kp->dim() != 4)
    throw std::invalid_argument("FormatGCNInput: keypoint must be M x T x V x C, got shape " +
                                c10::str(kp->sizes()));
  torch::Tensor all = *kp;
  if (const torch::Tensor* score = sample.tensor("keypoint_score")) {
    if (score->sizes() != kp->sizes().slice(0, 3))
      throw std::invalid_argument("FormatGCNInput: keypoint_score " + c10::str(score->sizes()) +
                                  " does not match keypoint " + c10::str(kp->sizes()));
    all = torch::cat({*kp, score->unsqueeze(-1)}, -1);  // numpy's promoted dtype
  }
  all = all.permute({3, 1, 2, 0});  // M T V C -> C T V M
  const int64_t m = all.size(3);
  if (m < num_person_) {
    auto pad_shape = all.sizes().vec();
    pad_shape.back() = num_person_ - m;
    all = torch::cat({all, torch::zeros(pad_shape, all.options())}, -1);
  } else if (m > num_person_) {
    all = all.narrow(3, 0, num_person_);
  }
  all = all.contiguous();
  sample.info.set("input_shape", transforms::int_tuple(all.sizes().vec()));
  sample.set_tensor("keypoint", all);
}

std::shared_ptr<Transform> FormatGCNInput::from_config(Args& args) {
  const std::string format = args.required<std::string>("input_format");
  const auto num_person = args.get<int64_t>("num_person", 2);
  if (format != "NCTVM")
    throw args.error("input_format", "The input format " + format + " is invalid.");
  if (num_person < 0) throw args.error("num_person", "num_person must not be negative");
  return std::make_shared<FormatGCNInput>(format, num_person);
}

TUBELET_REGISTER(PIPELINES, FormatGCNInput, FormatGCNInput::from_config);

}  // namespace tubelet
