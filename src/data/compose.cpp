#include "tubelet/args.h"
#include "tubelet/config/error.h"
#include "tubelet/data/transform.h"
#include "tubelet/registry.h"

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

namespace {

// MMAction2 registers Compose in PIPELINES too, so a pipeline may nest
// dict(type='Compose', transforms=[...]).
class ComposeTransform : public Transform {
 public:
  explicit ComposeTransform(Compose steps) : steps_(std::move(steps)) {}
  void apply(Sample& sample) override { steps_.apply(sample); }
  std::string type() const override { return "Compose"; }

 private:
  Compose steps_;
};

std::shared_ptr<Transform> build_compose(Args& args) {
  const Value* transforms = args.find("transforms");
  if (!transforms) throw args.error("transforms", "missing required argument 'transforms'");
  return std::make_shared<ComposeTransform>(Compose(*transforms, args.path() + ".transforms"));
}

}  // namespace

TUBELET_REGISTER(PIPELINES, Compose, build_compose);

}  // namespace tubelet
