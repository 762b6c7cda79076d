#include "tubelet/data/transforms/load_hvu_label.h"

#include <stdexcept>
#include <vector>

#include "tubelet/config/dump.h"

namespace tubelet {

// MMAction2 reads categories/category_nums from the first sample and keeps them; every
// HVUDataset sample carries the same ones, so they are read from each sample here (no state
// shared between loader workers).
void LoadHVULabel::apply(Sample& sample) {
  const Value& categories = sample.need("categories", type());
  const Value& nums = sample.need("category_nums", type());
  if (!categories.is_sequence() || !nums.is_sequence() ||
      categories.as_list().size() != nums.as_list().size())
    throw std::invalid_argument(
        "LoadHVULabel: 'categories' and 'category_nums' must be lists of the same length");
  std::vector<std::string> names;
  std::vector<int64_t> starts;
  std::vector<int64_t> counts;
  int64_t num_tags = 0;
  for (size_t i = 0; i < nums.as_list().size(); ++i) {
    const Value& name = categories.as_list()[i];
    const Value& n = nums.as_list()[i];
    if (!name.is_str() || !n.is_int() || n.as_int() < 0)
      throw std::invalid_argument(
          "LoadHVULabel: 'categories' must hold str and 'category_nums' non-negative int");
    names.push_back(name.as_str());
    starts.push_back(num_tags);
    counts.push_back(n.as_int());
    num_tags += n.as_int();
  }
  const Value& label = sample.need("label", type());
  if (!label.is_dict())
    throw std::invalid_argument(
        "LoadHVULabel: 'label' must be a dict of tag lists per category, got " +
        std::string(label.type_name()));
  torch::Tensor onehot = torch::zeros({num_tags});
  torch::Tensor mask = torch::zeros({num_tags});
  torch::Tensor category_mask = torch::zeros({static_cast<int64_t>(names.size())});
  auto* hot = onehot.data_ptr<float>();
  auto* m = mask.data_ptr<float>();
  for (const auto& [key, tags] : label.as_dict()) {
    if (!key.is_str()) continue;
    size_t c = 0;
    while (c < names.size() && names[c] != key.as_str()) ++c;
    if (c == names.size()) continue;  // not training on this category
    category_mask[static_cast<int64_t>(c)] = 1.0;
    if (!tags.is_sequence())
      throw std::invalid_argument("LoadHVULabel: label['" + key.as_str() +
                                  "'] must be a list of tag indices");
    for (const Value& t : tags.as_list()) {
      if (!t.is_int())
        throw std::invalid_argument("LoadHVULabel: label['" + key.as_str() +
                                    "'] must be a list of tag indices");
      int64_t k = t.as_int() + starts[c];
      if (k < 0) k += num_tags;
      if (k < 0 || k >= num_tags)
        throw std::invalid_argument("LoadHVULabel: tag " + std::to_string(t.as_int()) +
                                    " of category '" + key.as_str() + "' is out of range for " +
                                    std::to_string(num_tags) + " tags");
      hot[k] = 1.0f;
    }
    for (int64_t k = starts[c]; k < starts[c] + counts[c]; ++k) m[k] = 1.0f;
  }
  sample.info.erase("label");
  sample.set_tensor("label", onehot);
  sample.set_tensor("mask", mask);
  sample.set_tensor("category_mask", category_mask);
}

std::shared_ptr<Transform> LoadHVULabel::from_config(Args&) {
  return std::make_shared<LoadHVULabel>();
}

TUBELET_REGISTER(PIPELINES, LoadHVULabel, LoadHVULabel::from_config);

}  // namespace tubelet
