#include "tubelet/data/dataset.h"

#include <filesystem>
#include <stdexcept>

#include "tubelet/checkpoint/results_file.h"
#include "tubelet/config/dump.h"

namespace tubelet {

Dict Dataset::evaluate(const torch::Tensor&, const std::vector<std::string>&, const Dict&) const {
  throw std::logic_error("this dataset does not implement evaluate()");
}

Dict Dataset::evaluate_records(const List&, const std::vector<std::string>&, const Dict&) const {
  throw std::logic_error(
      "this dataset evaluates score rows (a recognizer's), not records (a localizer's)");
}

void Dataset::dump_records(const List& results, const Dict& output_config) const {
  std::string out;
  for (const auto& [key, value] : output_config) {
    const std::string name = key.is_str() ? key.as_str() : repr(key);
    if (name == "out" && value.is_str())
      out = value.as_str();
    else if (name != "out")
      throw std::invalid_argument("dump_results() got an unexpected keyword argument '" + name +
                                  "' (this dataset writes the list to 'out')");
  }
  if (out.empty()) throw std::invalid_argument("dump_results: output_config has no string 'out'");
  dump_value_file(Value::list(results), out);  // as mmcv.dump: JSON or pickle by extension
}

}  // namespace tubelet
