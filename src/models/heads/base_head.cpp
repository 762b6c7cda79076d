#include "tubelet/models/heads/base_head.h"

#include "tubelet/models/registries.h"

namespace tubelet {

std::shared_ptr<Loss> read_head_loss(Args& args) {
  Dict ce;
  ce.set("type", Value("CrossEntropyLoss"));
  ce.set("loss_weight", Value(1.0));
  Value cfg = args.get("loss_cls", Value(ce));
  auto loss = std::dynamic_pointer_cast<Loss>(LOSSES().build(cfg, {args.path() + ".loss_cls"}));
  if (!loss) throw args.error("loss_cls", "loss_cls must name a loss (a tubelet::Loss)");
  return loss;
}

int64_t read_avg_consensus_dim(Args& args) {
  const Value* consensus = args.find("consensus");
  if (!consensus) return 1;
  Args c(*consensus, "AvgConsensus", args.path() + ".consensus");
  std::string type = c.required<std::string>("type");
  if (type != "AvgConsensus")
    throw c.error("type", "only AvgConsensus is supported as consensus, got '" + type + "'");
  int64_t dim = c.get<int64_t>("dim", 1);
  c.finish();
  return dim;
}

}  // namespace tubelet
