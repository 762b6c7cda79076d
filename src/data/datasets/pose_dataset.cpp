#include "tubelet/data/datasets/pose_dataset.h"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

#include "tubelet/checkpoint/pickle.h"
#include "tubelet/data/transforms/common.h"

namespace tubelet {

namespace {

using PoseKind = checkpoint::PyObject::Kind;

constexpr int kPoseMaxDepth = 64;

// numpy's tolist() of an array nested inside a record's value.
Value pose_tolist(const torch::Tensor& t) {
  if (t.dim() == 0) {
    if (t.scalar_type() == torch::kBool) return Value(t.item<bool>());
    if (c10::isFloatingType(t.scalar_type())) return Value(t.item<double>());
    return Value(t.item<int64_t>());
  }
  List items;
  for (int64_t i = 0; i < t.size(0); ++i) items.push_back(pose_tolist(t[i]));
  return Value::list(std::move(items));
}

// A record's value as a config Value, with its Python type; `what` names it in errors.
Value pose_value(const checkpoint::PyObject* o, const std::string& what, int depth) {
  if (depth > kPoseMaxDepth) throw std::runtime_error(what + " is nested too deeply");
  switch (o->kind) {
    case PoseKind::None:
      return Value();
    case PoseKind::Bool:
      return Value(o->i != 0);
    case PoseKind::Int:
      return Value(o->i);
    case PoseKind::Float:
      return Value(o->f);
    case PoseKind::Str:
      return Value(o->s);
    case PoseKind::Tensor:
      return pose_tolist(o->tensor);
    case PoseKind::List:
    case PoseKind::Tuple: {
      List items;
      for (const auto* item : o->items) items.push_back(pose_value(item, what, depth + 1));
      return o->kind == PoseKind::List ? Value::list(std::move(items))
                                       : Value::tuple(std::move(items));
    }
    case PoseKind::Dict: {
      Dict d;
      for (const auto& [k, v] : o->entries)
        d.set(pose_value(k, what, depth + 1), pose_value(v, what, depth + 1));
      return Value(std::move(d));
    }
    default:
      break;
  }
  throw std::runtime_error(
      what + " is a " +
      (o->kind == PoseKind::BigInt ? std::string("int beyond 64 bits") : o->type_name()) +
      ", which a sample cannot hold");
}

const checkpoint::PyObject* pose_get(const checkpoint::PyObject* d, const char* key) {
  return d && d->is(PoseKind::Dict) ? d->get(key) : nullptr;
}

}  // namespace

PoseDataset::PoseDataset(BaseDatasetOptions base, PoseDatasetOptions options)
    : BaseDataset(std::move(base)), pose_(std::move(options)) {
  load();
  threshold();
  if (pose_.class_prob) {
    class_prob_.clear();
    for (const auto& [label, p] : *pose_.class_prob) {
      if (!p.is_number())
        throw std::invalid_argument(where() + ": class_prob's values must be numbers");
      class_prob_.emplace_back(label, p.as_float());
    }
  }
}

std::vector<Dict> PoseDataset::load_annotations() const {
  const std::string& file = options_.ann_file;
  if (file.size() < 4 || file.compare(file.size() - 4, 4, ".pkl") != 0)
    throw std::invalid_argument("PoseDataset: ann_file must be a .pkl file, got '" + file + "'");
  checkpoint::Pickle pickle;
  try {
    pickle = checkpoint::load_pickle_file(file);
  } catch (const checkpoint::CheckpointError& e) {
    throw std::runtime_error(std::string("PoseDataset: ") + e.what());
  }
  const checkpoint::PyObject* root = pickle.root;
  std::vector<const checkpoint::PyObject*> records;
  std::vector<size_t> numbers;  // each record's index in the file's list
  const bool use_split = pose_.split && !pose_.split->empty();
  const checkpoint::PyObject* list = root;
  if (use_split) {
    const checkpoint::PyObject* splits = pose_get(root, "split");
    list = pose_get(root, "annotations");
    if (!splits || !list)
      throw std::runtime_error(where() + ": split='" + *pose_.split +
                               "' needs a dict with 'split' and 'annotations', got a " +
                               root->type_name() +
                               (root->is(PoseKind::Dict) ? " without them" : ""));
    if (!splits->is(PoseKind::Dict))
      throw std::runtime_error(where() + ": 'split' must be a dict of names");
    const checkpoint::PyObject* names = splits->get(*pose_.split);
    if (!names) {
      std::string known;
      for (const auto& [k, v] : splits->entries)
        if (k->is(PoseKind::Str)) known += (known.empty() ? "" : ", ") + k->s;
      throw std::runtime_error(where() + ": no split '" + *pose_.split + "' (the file has " +
                               (known.empty() ? std::string("none") : known) + ")");
    }
    if (!names->is(PoseKind::List) && !names->is(PoseKind::Tuple) && !names->is(PoseKind::Set))
      throw std::runtime_error(where() + ": split '" + *pose_.split + "' must be a list of names");
    if (!list->is(PoseKind::List) && !list->is(PoseKind::Tuple))
      throw std::runtime_error(where() + ": 'annotations' must be a list of dicts");
    if (list->items.empty()) throw std::runtime_error(where() + ": 'annotations' is empty");
    const checkpoint::PyObject* first = list->items.front();
    const char* key = pose_get(first, "filename") ? "filename" : "frame_dir";
    std::vector<std::string> wanted;
    for (const auto* n : names->items)
      if (n->is(PoseKind::Str)) wanted.push_back(n->s);
    std::sort(wanted.begin(), wanted.end());
    for (size_t i = 0; i < list->items.size(); ++i) {
      const checkpoint::PyObject* id = pose_get(list->items[i], key);
      if (!id)
        throw std::runtime_error(where() + ": record " + std::to_string(i) + " has no '" + key +
                                 "'");
      if (id->is(PoseKind::Str) && std::binary_search(wanted.begin(), wanted.end(), id->s)) {
        records.push_back(list->items[i]);
        numbers.push_back(i);
      }
    }
  } else {
    if (!root->is(PoseKind::List) && !root->is(PoseKind::Tuple))
      throw std::runtime_error(
          where() + ": expected a list of annotation dicts, got a " + root->type_name() +
          (root->is(PoseKind::Dict) && root->get("split") ? " (set split= to read its splits)"
                                                          : ""));
    for (size_t i = 0; i < root->items.size(); ++i) {
      records.push_back(root->items[i]);
      numbers.push_back(i);
    }
  }
  std::vector<Dict> infos;
  arrays_.clear();
  for (size_t r = 0; r < records.size(); ++r) {
    const std::string at = where() + ": record " + std::to_string(numbers[r]);
    const checkpoint::PyObject* rec = records[r];
    if (!rec->is(PoseKind::Dict))
      throw std::runtime_error(at + " is not a dict (" + rec->type_name() + ")");
    Dict info;
    std::vector<std::pair<std::string, torch::Tensor>> arrays;
    for (const auto& [k, v] : rec->entries) {
      if (!k->is(PoseKind::Str))
        throw std::runtime_error(at + " has a " + k->type_name() + " key, not a str");
      if (v->is(PoseKind::Tensor) && k->s != "label")  // labels stay values, for evaluate
        arrays.emplace_back(k->s, v->tensor);
      else
        info.set(k->s, pose_value(v, at + " '" + k->s + "'", 0));
    }
    if (!info.contains("label")) throw std::runtime_error(at + " has no 'label'");
    for (const char* key : {"filename", "frame_dir"}) {
      if (const Value* path = info.find(key)) {
        if (!path->is_str()) throw std::runtime_error(at + ": '" + key + "' must be a str");
        // MMAction2 joins data_prefix (osp.join); with data_prefix None it fails, we keep it.
        info.set(key, Value(with_prefix(path->as_str())));
      }
    }
    infos.push_back(std::move(info));
    arrays_.push_back(std::move(arrays));
  }
  return infos;
}

void PoseDataset::threshold() {
  if (!pose_.valid_ratio) return;
  const double ratio = *pose_.valid_ratio;
  const std::string key = pose_.box_thr ? "valid@" + *pose_.box_thr : "valid_frames";
  std::vector<Dict> infos;
  std::vector<std::vector<std::pair<std::string, torch::Tensor>>> arrays;
  for (size_t i = 0; i < video_infos_.size(); ++i) {
    const Dict& info = video_infos_[i];
    const std::string at = where() + ": video " + std::to_string(i);
    const Value* valid = info.find(key);
    const Value* total = info.find("total_frames");
    if (!valid || !valid->is_number() || !total || !total->is_number())
      throw std::runtime_error(at + " needs numbers '" + key +
                               "' and 'total_frames' for valid_ratio");
    if (valid->as_float() / total->as_float() >= ratio) {
      infos.push_back(info);
      arrays.push_back(std::move(arrays_[i]));
    }
  }
  video_infos_ = std::move(infos);
  arrays_ = std::move(arrays);
  if (!pose_.box_thr || *pose_.box_thr == "0.5") return;
  const double thr = std::stod(*pose_.box_thr);
  for (size_t i = 0; i < video_infos_.size(); ++i) {
    std::vector<double> scores;
    auto& arrays_i = arrays_[i];
    auto it = std::find_if(arrays_i.begin(), arrays_i.end(),
                           [](const auto& a) { return a.first == "box_score"; });
    if (it != arrays_i.end()) {
      torch::Tensor s = it->second.to(torch::kDouble).flatten().contiguous();
      scores.assign(s.data_ptr<double>(), s.data_ptr<double>() + s.numel());
    } else if (const Value* b = video_infos_[i].find("box_score"); b && b->is_sequence()) {
      for (const Value& x : b->as_list()) scores.push_back(x.as_float());
    } else {
      throw std::runtime_error(where() + ": video " + std::to_string(i) +
                               " needs 'box_score' for box_thr=" + *pose_.box_thr);
    }
    std::vector<int64_t> inds;
    for (size_t k = 0; k < scores.size(); ++k)
      if (scores[k] >= thr) inds.push_back(static_cast<int64_t>(k));
    // np.array(inds): int64, or float64 when empty (np.array([]))
    torch::Tensor anno =
        inds.empty() ? torch::empty({0}, torch::kDouble) : torch::tensor(inds, torch::kLong);
    auto found = std::find_if(arrays_i.begin(), arrays_i.end(),
                              [](const auto& a) { return a.first == "anno_inds"; });
    video_infos_[i].erase("anno_inds");
    if (found != arrays_i.end())
      found->second = anno;
    else
      arrays_i.emplace_back("anno_inds", anno);
  }
}

const std::vector<std::pair<std::string, torch::Tensor>>& PoseDataset::arrays(int64_t index) const {
  info(index);  // the range check and its message
  return arrays_[static_cast<size_t>(index)];
}

Sample PoseDataset::prepare(int64_t index) const {
  Sample sample = BaseDataset::prepare(index);
  for (const auto& [name, t] : arrays_[static_cast<size_t>(index)]) sample.set_tensor(name, t);
  return sample;
}

std::shared_ptr<Dataset> PoseDataset::from_config(Args& args) {
  for (const char* fixed : {"start_index", "modality"})
    if (args.has(fixed))
      throw args.error(fixed, std::string("PoseDataset sets ") + fixed +
                                  " itself (start_index=0, modality='Pose'); MMAction2 "
                                  "refuses it too (got multiple values for keyword argument)");
  PoseDatasetOptions pose;
  pose.split = args.get<std::optional<std::string>>("split", std::nullopt);
  if (const Value* v = args.find("valid_ratio"); v && !v->is_none()) {
    if (!v->is_float())
      throw args.error("valid_ratio", "valid_ratio must be a float (as MMAction2 asserts), got " +
                                          transforms::python_type(*v));
    pose.valid_ratio = v->as_float();
  }
  pose.box_thr = args.get<std::optional<std::string>>("box_thr", std::nullopt);
  if (pose.box_thr && *pose.box_thr != "0.5" && *pose.box_thr != "0.6" && *pose.box_thr != "0.7" &&
      *pose.box_thr != "0.8" && *pose.box_thr != "0.9")
    throw args.error("box_thr", "box_thr must be one of '0.5', '0.6', '0.7', '0.8', '0.9' (a str)");
  pose.class_prob = args.get<std::optional<Dict>>("class_prob", std::nullopt);
  BaseDatasetOptions base = BaseDatasetOptions::from_args(args, 0);
  base.start_index = 0;
  base.modality = "Pose";
  args.finish();  // an unknown argument is reported before any file is read
  return std::make_shared<PoseDataset>(std::move(base), std::move(pose));
}

TUBELET_REGISTER(DATASETS, PoseDataset, PoseDataset::from_config);

}  // namespace tubelet
