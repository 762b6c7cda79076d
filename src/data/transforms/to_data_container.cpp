#include "tubelet/data/transforms/to_data_container.h"

#include <algorithm>
#include <stdexcept>

#include "tubelet/data/registries.h"

namespace tubelet {

void ToDataContainer::apply(Sample& sample) {
  for (const std::string& key : unstacked_keys_) {
    if (!sample.tensor(key)) {
      if (sample.info.find(key))
        throw std::invalid_argument("ToDataContainer: '" + key +
                                    "' is not a tensor (convert it with ToTensor first)");
      throw std::invalid_argument("ToDataContainer: KeyError: '" + key + "'");
    }
    if (std::find(sample.unstacked.begin(), sample.unstacked.end(), key) == sample.unstacked.end())
      sample.unstacked.push_back(key);
  }
}

namespace {

std::shared_ptr<Transform> build_to_data_container(Args& args) {
  std::vector<std::string> unstacked;
  const Value& fields = args.required<Value>("fields");
  if (!fields.is_sequence()) throw args.error("fields", "fields must be a list of dicts");
  for (size_t i = 0; i < fields.as_list().size(); ++i) {
    const Value& field = fields.as_list()[i];
    if (!field.is_dict()) throw args.error("fields", "fields must be a list of dicts");
    Args f(field, "fields[" + std::to_string(i) + "]",
           args.path() + ".fields[" + std::to_string(i) + "]");
    // key: one name or a list of names sharing the field's settings (MMAction2 0.24.1).
    const Value& key = f.required<Value>("key");
    std::vector<std::string> keys;
    if (key.is_str()) {
      keys.push_back(key.as_str());
    } else if (key.is_list()) {
      for (const Value& k : key.as_list()) {
        if (!k.is_str()) throw f.error("key", "key must be a str or a list of str");
        keys.push_back(k.as_str());
      }
    } else {
      throw f.error("key", "key must be a str or a list of str");
    }
    bool stack = f.get("stack", true);
    f.get("cpu_only", false);  // everything the loader makes is on the CPU
    f.get("padding_value", Value(0));
    f.get<Value>("pad_dims", Value(2));
    f.finish();
    if (!stack) unstacked.insert(unstacked.end(), keys.begin(), keys.end());
  }
  return std::make_shared<ToDataContainer>(unstacked);
}

}  // namespace

TUBELET_REGISTER(PIPELINES, ToDataContainer, build_to_data_container);

}  // namespace tubelet
