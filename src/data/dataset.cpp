#include "tubelet/data/dataset.h"

#include <stdexcept>

namespace tubelet {

Dict Dataset::evaluate(const torch::Tensor&, const std::vector<std::string>&, const Dict&) const {
  throw std::logic_error("this dataset does not implement evaluate()");
}

Dict Dataset::evaluate_records(const List&, const std::vector<std::string>&, const Dict&) const {
  throw std::logic_error(
      "this dataset evaluates score rows (a recognizer's), not records (a localizer's)");
}

}  // namespace tubelet
