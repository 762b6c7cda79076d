#include "tubelet/models/freezing.h"

#include "tubelet/module_kinds.h"

namespace tubelet {

void freeze(torch::nn::Module& module) {
  module.eval();
  for (auto& p : module.parameters()) p.set_requires_grad(false);
}

void set_batch_norms_eval(torch::nn::Module& module) {
  for (auto& m : module.modules())
    if (is_batch_norm(*m)) m->eval();
}

}  // namespace tubelet
