#include "tubelet/data/dataset_loader.h"

#include <torch/torch.h>

#include <algorithm>
#include <iostream>

#include "tubelet/args.h"
#include "tubelet/config/error.h"

namespace tubelet {

namespace {

// splitmix64: well-mixed per-sample seeds from (seed, epoch, index).
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t sample_seed(uint64_t seed, int64_t epoch, int64_t index) {
  return mix(mix(mix(seed) ^ static_cast<uint64_t>(epoch)) ^ static_cast<uint64_t>(index));
}

std::string shape_text(const torch::Tensor& t) {
  std::string s = "[";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? ", " : "") + std::to_string(t.size(i));
  return s + "]";
}

}  // namespace

std::vector<int64_t> sampler_indices(int64_t n, const DataLoaderOptions& o, int64_t epoch) {
  std::vector<int64_t> indices(n);
  if (o.shuffle) {
    auto gen = torch::make_generator<torch::CPUGeneratorImpl>(o.seed + epoch);
    auto perm = torch::randperm(n, gen, torch::kLong);
    for (int64_t i = 0; i < n; ++i) indices[i] = perm[i].item<int64_t>();
  } else {
    for (int64_t i = 0; i < n; ++i) indices[i] = i;
  }
  const int64_t world = std::max(1, o.world_size);
  const int64_t per_rank = (n + world - 1) / world;
  const int64_t total = per_rank * world;
  for (int64_t i = n; i < total && n > 0; ++i) indices.push_back(indices[i - n]);
  std::vector<int64_t> mine;
  for (int64_t i = o.rank; i < total; i += world) mine.push_back(indices[i]);
  return mine;
}

// "sample 3 (v_abc)": the index in the batch and the file or video it came from, so a shape
// error points at the data that is wrong.
std::string describe_sample(const std::vector<Sample>& samples, size_t i) {
  const std::string text = "sample " + std::to_string(i);
  // After Collect, the names live in its meta dict (img_metas or video_meta).
  std::vector<const Dict*> places{&samples[i].info};
  for (const char* meta : {"img_metas", "video_meta"})
    if (const Value* m = samples[i].info.find(meta); m && m->is_dict())
      places.push_back(&m->as_dict());
  for (const Dict* place : places)
    for (const char* key : {"video_name", "filename", "frame_dir"})
      if (const Value* v = place->find(key); v && v->is_str())
        return text + " (" + v->as_str() + ")";
  return text;
}

// torch's default_collate for plain numbers: a key every sample holds as an int (float,
// bool) becomes one int64 (float64, bool) tensor [N]. MMAction2's audio configs Collect the
// label without ToTensor and rely on it.
static void collate_numbers(const std::vector<Sample>& samples, Batch& batch) {
  for (const auto& [key, first] : samples.front().info.items()) {
    const std::string& name = key.as_str();
    if (!first.is_int() && !first.is_float() && !first.is_bool()) continue;
    if (batch.has(name) || batch.list(name)) continue;
    const auto dtype = first.is_bool()  ? torch::kBool
                       : first.is_int() ? torch::kLong
                                        : torch::kDouble;
    std::vector<double> values;
    for (const auto& sample : samples) {
      const Value* v = sample.info.find(name);
      if (!v || v->is_int() != first.is_int() || v->is_float() != first.is_float() ||
          v->is_bool() != first.is_bool())
        break;
      values.push_back(v->as_float());
    }
    if (values.size() != samples.size()) continue;  // not a number in every sample
    batch.tensors.emplace_back(name, torch::tensor(values, torch::kDouble).to(dtype));
  }
}

Batch collate(std::vector<Sample>& samples) {
  Batch batch;
  if (samples.empty()) return batch;
  const std::vector<std::string>& unstacked = samples.front().unstacked;
  for (const auto& [name, first] : samples.front().tensors) {
    std::vector<torch::Tensor> parts;
    if (std::find(unstacked.begin(), unstacked.end(), name) != unstacked.end()) {
      for (size_t i = 0; i < samples.size(); ++i) {
        const torch::Tensor* t = samples[i].tensor(name);
        if (!t)
          throw std::runtime_error("collate: sample " + std::to_string(i) + " has no '" + name +
                                   "'");
        parts.push_back(*t);
      }
      batch.lists.emplace_back(name, std::move(parts));
      continue;
    }
    for (size_t i = 0; i < samples.size(); ++i) {
      const torch::Tensor* t = samples[i].tensor(name);
      if (!t)
        throw std::runtime_error("collate: sample " + std::to_string(i) + " has no '" + name + "'");
      if (!t->sizes().equals(first.sizes()))
        throw std::runtime_error("collate: '" + name + "' of " + describe_sample(samples, i) +
                                 " has shape " + shape_text(*t) + " but " +
                                 describe_sample(samples, 0) + " has " + shape_text(first) +
                                 "; shapes must match to form a batch");
      parts.push_back(*t);
    }
    batch.tensors.emplace_back(name, torch::stack(parts));
  }
  collate_numbers(samples, batch);
  for (auto& s : samples) {
    // Collect's meta_name: MMAction2's recognizers use img_metas, its localizers video_meta.
    const Value* meta = s.info.find("img_metas");
    if (!meta) meta = s.info.find("video_meta");
    // Collect(nested=True), as AVA's test pipelines have it, wraps the meta in a list of one.
    if (meta && meta->is_sequence() && meta->as_list().size() == 1) meta = &meta->as_list()[0];
    batch.metas.push_back(meta && meta->is_dict() ? meta->as_dict() : Dict{});
  }
  return batch;
}

DatasetLoader::DatasetLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)), options_(options) {
  if (!dataset_) throw std::invalid_argument("DatasetLoader needs a dataset");
  if (options_.videos_per_gpu <= 0) throw std::invalid_argument("videos_per_gpu must be positive");
  if (options_.workers_per_gpu < 0) throw std::invalid_argument("workers_per_gpu must be >= 0");
  if (options_.world_size < 1 || options_.rank < 0 || options_.rank >= options_.world_size)
    throw std::invalid_argument("rank " + std::to_string(options_.rank) +
                                " is not in a world of size " +
                                std::to_string(options_.world_size));
}

DatasetLoader::~DatasetLoader() {
  stop_workers();
}

int64_t DatasetLoader::num_samples() const {
  const int64_t world = options_.world_size;
  return (dataset_->size() + world - 1) / world;
}

int64_t DatasetLoader::size() const {
  const int64_t samples = num_samples();
  const int64_t b = options_.videos_per_gpu;
  return options_.drop_last ? samples / b : (samples + b - 1) / b;
}

void DatasetLoader::start() {
  stop_workers();
  std::vector<int64_t> order = sampler_indices(dataset_->size(), options_, epoch_);
  batches_.clear();
  for (size_t i = 0; i < order.size(); i += options_.videos_per_gpu) {
    size_t end = std::min(order.size(), i + options_.videos_per_gpu);
    if (options_.drop_last && static_cast<int64_t>(end - i) < options_.videos_per_gpu) break;
    batches_.emplace_back(order.begin() + i, order.begin() + end);
  }
  produced_ = consumed_ = 0;
  ready_.clear();
  stopping_ = false;
  for (int64_t w = 0; w < options_.workers_per_gpu; ++w)
    workers_.emplace_back([this] { worker(); });
}

DatasetLoader::Slot DatasetLoader::make_batch(int64_t b) const {
  Slot slot;
  try {
    std::vector<Sample> samples;
    for (int64_t index : batches_[b]) {
      try {
        samples.push_back(dataset_->get(index, sample_seed(options_.seed, epoch_, index)));
      } catch (const std::exception& e) {
        std::string message = "sample " + std::to_string(index) + ": " + e.what();
        if (!options_.skip_failed) throw std::runtime_error(message);
        std::cerr << "Warning: skipped " << message << "\n";
      }
    }
    if (samples.empty())
      throw std::runtime_error("every sample of batch " + std::to_string(b) + " failed");
    slot.batch = collate(samples);
  } catch (...) {
    slot.error = std::current_exception();
  }
  return slot;
}

void DatasetLoader::worker() {
  const int64_t window =
      std::max<int64_t>(1, options_.workers_per_gpu * options_.prefetch_per_worker);
  for (;;) {
    int64_t b;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [&] {
        return stopping_ || (produced_ < static_cast<int64_t>(batches_.size()) &&
                             produced_ < consumed_ + window);
      });
      if (stopping_) return;
      b = produced_++;
    }
    Slot slot = make_batch(b);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ready_.emplace(b, std::move(slot));
    }
    changed_.notify_all();
  }
}

std::optional<Batch> DatasetLoader::next() {
  if (consumed_ >= static_cast<int64_t>(batches_.size())) return std::nullopt;
  Slot slot;
  if (workers_.empty()) {
    slot = make_batch(consumed_);
  } else {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return ready_.count(consumed_) > 0; });
    slot = std::move(ready_.at(consumed_));
    ready_.erase(consumed_);
  }
  ++consumed_;
  changed_.notify_all();
  if (slot.error) std::rethrow_exception(slot.error);
  return std::move(slot.batch);
}

void DatasetLoader::stop_workers() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (auto& t : workers_) t.join();
  workers_.clear();
}

DataLoaderOptions dataloader_options(const Dict& data_cfg, const std::string& phase) {
  DataLoaderOptions o;
  auto number = [&](const char* key, int64_t fallback) {
    const Value* v = data_cfg.find(key);
    if (!v) return fallback;
    if (!v->is_int())
      throw ConfigError(std::string("data.") + key + " must be an int", v->location());
    return v->as_int();
  };
  o.videos_per_gpu = number("videos_per_gpu", 1);
  o.workers_per_gpu = number("workers_per_gpu", 1);
  o.shuffle = phase == "train";
  const std::string key = phase + "_dataloader";
  if (const Value* extra = data_cfg.find(key); extra && !extra->is_none()) {
    Args args(*extra, key, "data." + key);
    o.videos_per_gpu = args.get("videos_per_gpu", o.videos_per_gpu);
    o.workers_per_gpu = args.get("workers_per_gpu", o.workers_per_gpu);
    o.shuffle = args.get("shuffle", o.shuffle);
    o.drop_last = args.get("drop_last", o.drop_last);
    // Tubelet's own key: drop a sample that fails (corrupt video, ...) with a warning.
    o.skip_failed = args.get("skip_failed", o.skip_failed);
    args.get("pin_memory", true);           // CPU tensors; pinning is the GPU issue's
    args.get("persistent_workers", false);  // threads live for one pass either way
    args.finish();
  }
  return o;
}

}  // namespace tubelet
