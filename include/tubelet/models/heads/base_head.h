// What MMAction2's BaseHead reads for every head: the loss, its options, the consensus.
#pragma once

#include <memory>

#include "tubelet/args.h"
#include "tubelet/models/head.h"

namespace tubelet {

// `loss_cls` (default CrossEntropyLoss with loss_weight=1.0), built from LOSSES.
std::shared_ptr<Loss> read_head_loss(Args& args);

// num_classes, multi_class, label_smooth_eps, topk.
HeadLossOptions read_head_loss_options(Args& args);

// `consensus` (default AvgConsensus with dim=1): the dim of the average over segments.
int64_t read_avg_consensus_dim(Args& args);

}  // namespace tubelet
