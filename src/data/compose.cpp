#include "tubelet/config/error.h"
#include "tubelet/data/transform.h"

namespace tubelet {

Compose::Compose(const Value& pipeline, const std::string& path) {
  if (!pipeline.is_sequence())
    throw ConfigError(path + " must be a list of transforms", pipeline.location());
  const List& items = pipeline.as_list();
  for (size_t i = 0; i < items.size(); ++i) {
    paths_.push_back(path + "[" + std::to_string(i) + "]");
    steps_.push_back(PIPELINES().build(items[i], BuildContext(paths_.back())));
  }
}

void Compose::apply(Sample& sample) const {
  for (size_t i = 0; i < steps_.size(); ++i) {
    try {
      steps_[i]->apply(sample);
    } catch (const std::exception& e) {
      throw std::runtime_error(steps_[i]->type() + " (" + paths_[i] + "): " + e.what());
    }
  }
}

}  // namespace tubelet
