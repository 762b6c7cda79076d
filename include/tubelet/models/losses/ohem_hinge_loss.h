// MMAction2's OHEMHingeLoss (SSN's completeness loss). In MMAction2 it is an autograd
// Function, not a registered module, so it is a function here too.
#pragma once

#include <torch/types.h>

namespace tubelet {

// Per proposal i, the hinge max(0, 1 - is_positive * pred[i, labels[i] - 1]) (label 0 reads
// the last column, as Python's index -1 does); proposals come in groups of `group_size`, and
// the sum over groups of each group's int(group_size * ohem_ratio) largest hinges is the
// loss, of shape [1]. The gradient flows to pred only at the kept entries, -is_positive
// times the incoming gradient where the hinge is non-zero.
torch::Tensor ohem_hinge_loss(const torch::Tensor& pred, const torch::Tensor& labels,
                              int64_t is_positive, double ohem_ratio, int64_t group_size);

}  // namespace tubelet
