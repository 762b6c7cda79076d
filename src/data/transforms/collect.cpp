#include "tubelet/data/transforms/collect.h"

#include <algorithm>
#include <stdexcept>

namespace tubelet {

void Collect::apply(Sample& sample) {
  Dict info;
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  bool keep_frames = false;
  for (const std::string& key : keys_) {
    if (const torch::Tensor* t = sample.tensor(key)) {
      tensors.emplace_back(key, *t);
    } else if (const Value* v = sample.info.find(key)) {
      info.set(key, nested_ ? Value::list({*v}) : *v);
    } else if (key == "imgs" && !sample.imgs.empty()) {
      keep_frames = true;
    } else {
      throw std::invalid_argument("Collect: KeyError: '" + key + "'");
    }
  }
  if (!meta_keys_.empty()) {
    Dict meta;
    for (const std::string& key : meta_keys_) {
      const Value* v = sample.info.find(key);
      if (!v) {
        throw std::invalid_argument(
            "Collect: KeyError: '" + key + "'" +
            (sample.tensor(key) ? " (an array; meta_keys take plain values)" : ""));
      }
      meta.set(key, *v);
    }
    info.set(meta_name_, nested_ ? Value::list({Value(meta)}) : Value(meta));
  }
  sample.info = std::move(info);
  sample.tensors = std::move(tensors);
  if (!keep_frames) sample.imgs.clear();
  sample.video_reader.reset();
}

namespace {

std::shared_ptr<Transform> build_collect(Args& args) {
  auto keys = args.required<std::vector<std::string>>("keys");
  auto meta_keys = args.get<std::vector<std::string>>(
      "meta_keys", {"filename", "label", "original_shape", "img_shape", "pad_shape",
                    "flip_direction", "img_norm_cfg"});
  std::string meta_name = args.get("meta_name", "img_metas");
  bool nested = args.get<bool>("nested", false);
  return std::make_shared<Collect>(keys, meta_keys, meta_name, nested);
}

}  // namespace

TUBELET_REGISTER(PIPELINES, Collect, build_collect);

}  // namespace tubelet
