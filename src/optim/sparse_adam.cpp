// SparseAdam is registered so that a config naming it gets a clear answer: PyTorch's
// SparseAdam updates only parameters with sparse gradients (nn.Embedding(sparse=True)), and
// no Tubelet model produces those. Its arguments are still read and checked as PyTorch does.
#include "tubelet/optim/optimizer_helpers.h"
#include "tubelet/optim/registries.h"

namespace tubelet {

namespace {

std::shared_ptr<torch::optim::Optimizer> build_sparse_adam(Args& args, ParamGroups) {
  const double lr = args.get("lr", 1e-3);
  if (!(lr > 0)) throw args.error("lr", "Invalid learning rate: " + repr(Value(lr)));
  const double eps = args.get("eps", 1e-8);
  if (!(eps > 0)) throw args.error("eps", "Invalid epsilon value: " + repr(Value(eps)));
  optim::read_betas(args);
  args.get("maximize", false);
  throw args.error("type",
                   "SparseAdam updates only parameters with sparse gradients "
                   "(nn.Embedding(sparse=True)), which Tubelet's models do not have; use Adam");
}

}  // namespace

TUBELET_REGISTER(OPTIMIZERS, SparseAdam, build_sparse_adam);

}  // namespace tubelet
