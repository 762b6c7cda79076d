#include "tubelet/data/dataset.h"

#include <stdexcept>

namespace tubelet {

Dict Dataset::evaluate(const torch::Tensor&, const std::vector<std::string>&, const Dict&) const {
  throw std::logic_error("this dataset does not implement evaluate()");
}

}  // namespace tubelet
