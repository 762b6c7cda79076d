#include "tubelet/data/transforms/rename.h"

#include <stdexcept>

#include "tubelet/data/transforms/format_shape.h"

namespace tubelet {

namespace {

bool rename_has(const Sample& sample, const std::string& key) {
  return sample.info.contains(key) || sample.tensor(key) != nullptr ||
         (key == "imgs" && !sample.imgs.empty());
}

}  // namespace

void Rename::apply(Sample& sample) {
  for (const auto& [from, to] : mapping_) {
    if (!rename_has(sample, from)) continue;
    if (rename_has(sample, to))
      throw std::invalid_argument("Rename: the new name already exists in results ('" + from +
                                  "' -> '" + to + "')");
    if (const Value* v = sample.info.find(from)) {
      Value moved = *v;
      sample.info.erase(from);
      sample.info.set(to, std::move(moved));
      continue;
    }
    torch::Tensor t;
    if (const torch::Tensor* found = sample.tensor(from)) {
      t = *found;
      for (auto it = sample.tensors.begin(); it != sample.tensors.end(); ++it)
        if (it->first == from) {
          sample.tensors.erase(it);
          break;
        }
    } else {  // the frames: as the array np.array(frames) would make of them
      t = stack_frames(sample.imgs, type());
      sample.imgs.clear();
    }
    sample.set_tensor(to, t);
  }
}

std::shared_ptr<Transform> Rename::from_config(Args& args) {
  const Value mapping = args.required<Value>("mapping");
  if (!mapping.is_dict()) throw args.error("mapping", "mapping must be a dict of old: new names");
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& [k, v] : mapping.as_dict()) {
    if (!k.is_str() || !v.is_str())
      throw args.error("mapping", "mapping's keys and values must be str");
    pairs.emplace_back(k.as_str(), v.as_str());
  }
  return std::make_shared<Rename>(std::move(pairs));
}

TUBELET_REGISTER(PIPELINES, Rename, Rename::from_config);

}  // namespace tubelet
