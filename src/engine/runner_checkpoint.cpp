// The runner's checkpoints: mmcv's {meta, state_dict, optimizer} plus what an exact resume
// needs. Python reads these files: the optimizer entry holds PyTorch-style param_groups
// (named options, initial_lr) for people, and LibTorch's own archive of the optimizer state
// for the resume; "rng_state" holds the CPU generator's state.
#include <ATen/CPUGeneratorImpl.h>
#include <torch/serialize.h>

#include <cstring>
#include <sstream>

#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/engine/runner.h"
#include "tubelet/optim/group_options.h"

namespace tubelet {

namespace {

using checkpoint::make_str;
using checkpoint::make_tensor;
using checkpoint::Pickle;
using checkpoint::PickleArena;
using checkpoint::PyObject;

// Where the optimizer's parameters are (the CPU for one without any).
torch::Device optimizer_device(torch::optim::Optimizer& optimizer) {
  for (auto& group : optimizer.param_groups())
    if (!group.params().empty()) return group.params().front().device();
  return torch::kCPU;
}

torch::Tensor bytes_tensor(const std::string& bytes) {
  auto t = torch::empty({static_cast<int64_t>(bytes.size())}, torch::kUInt8);
  std::memcpy(t.data_ptr(), bytes.data(), bytes.size());
  return t;
}

std::string tensor_bytes(const torch::Tensor& t) {
  auto c = t.contiguous().to(torch::kUInt8);
  return std::string(static_cast<const char*>(c.data_ptr()), c.numel());
}

Pickle optimizer_pickle(const torch::optim::Optimizer& optimizer,
                        const std::vector<double>& initial_lrs,
                        const std::vector<double>& initial_momentums) {
  List groups;
  int64_t index = 0;
  for (size_t g = 0; g < optimizer.param_groups().size(); ++g) {
    const auto& group = optimizer.param_groups()[g];
    Dict d = group_options(group.options());
    if (g < initial_lrs.size()) d.set("initial_lr", Value(initial_lrs[g]));
    if (g < initial_momentums.size()) d.set("initial_momentum", Value(initial_momentums[g]));
    List params;
    for (size_t i = 0; i < group.params().size(); ++i) params.push_back(Value(index++));
    d.set("params", Value::list(std::move(params)));
    groups.push_back(Value(std::move(d)));
  }
  std::ostringstream archive_bytes;
  torch::serialize::OutputArchive archive;
  optimizer.save(archive);
  archive.save_to(archive_bytes);

  auto arena = std::make_shared<PickleArena>();
  PyObject* root = arena->make(PyObject::Kind::Dict);
  root->entries.emplace_back(make_str(*arena, "param_groups"),
                             checkpoint::to_pyobject(*arena, Value::list(std::move(groups))));
  root->entries.emplace_back(make_str(*arena, "libtorch_state"),
                             make_tensor(*arena, bytes_tensor(archive_bytes.str())));
  return {arena, root};
}

Pickle rng_pickle() {
  auto generator = at::detail::getDefaultCPUGenerator();
  torch::Tensor state;
  {
    std::lock_guard<std::mutex> lock(generator.mutex());
    state = generator.get_state();
  }
  auto arena = std::make_shared<PickleArena>();
  PyObject* root = arena->make(PyObject::Kind::Dict);
  root->entries.emplace_back(make_str(*arena, "torch"), make_tensor(*arena, state));
  return {arena, root};
}

const torch::Tensor* tensor_at(const PyObject* dict, const char* key) {
  const PyObject* node = dict ? dict->get(key) : nullptr;
  return node && node->is(PyObject::Kind::Tensor) ? &node->tensor : nullptr;
}

}  // namespace

void Runner::write_checkpoint(const std::filesystem::path& path, const Value& meta,
                              bool save_optimizer) {
  std::filesystem::create_directories(path.parent_path());
  Pickle optimizer;
  if (save_optimizer && optimizer_)
    optimizer = optimizer_pickle(*optimizer_, initial_lrs_, initial_momentums_);
  checkpoint::StateDict weights = checkpoint::state_dict(*model_);
  // A CUDA run's tensors are written from host copies (the writer reads host memory).
  for (auto& item : weights)
    if (!item.value().device().is_cpu()) item.value() = item.value().cpu();
  checkpoint::save_checkpoint(path.string(), weights, meta, optimizer,
                              {{"rng_state", rng_pickle()}});
}

void Runner::link_latest(const std::filesystem::path& out_dir,
                         const std::filesystem::path& written) {
  // A relative symlink, as mmcv makes; replaced by rename so latest.pth is never missing.
  auto tmp = out_dir / ".latest.pth.tmp";
  std::error_code ignored;
  std::filesystem::remove(tmp, ignored);
  std::filesystem::create_symlink(written.filename(), tmp);
  std::filesystem::rename(tmp, out_dir / "latest.pth");
}

void Runner::resume(const std::filesystem::path& path, bool resume_optimizer) {
  auto ckpt = checkpoint::load_checkpoint(path.string());
  checkpoint::load_state_dict(*model_, ckpt.state_dict, /*strict=*/true);
  if (!ckpt.meta.is_dict() || !ckpt.meta.as_dict().find("epoch") ||
      !ckpt.meta.as_dict().find("iter"))
    throw checkpoint::CheckpointError("cannot resume from " + path.string() +
                                      ": its meta has no epoch and iter");
  epoch_ = ckpt.meta.as_dict().at("epoch").as_int();
  iter_ = ckpt.meta.as_dict().at("iter").as_int();
  meta_ = ckpt.meta.as_dict();  // hook_msgs (last_ckpt, best_score, ...) included

  if (resume_optimizer && optimizer_ && ckpt.optimizer.root) {
    const torch::Tensor* archive = tensor_at(ckpt.optimizer.root, "libtorch_state");
    if (!archive)
      throw checkpoint::CheckpointError(
          "cannot resume the optimizer from " + path.string() +
          ": it was not written by Tubelet (no libtorch_state); use load_from for weights only");
    std::istringstream bytes(tensor_bytes(*archive));
    torch::serialize::InputArchive in;
    // The state (momentum buffers, ...) goes where the parameters are now, as PyTorch's
    // Optimizer.load_state_dict casts it: a run saved on a GPU resumes on the CPU and back.
    in.load_from(bytes, optimizer_device(*optimizer_));
    optimizer_->load(in);
    initial_lrs_.clear();
    initial_momentums_.clear();
    if (auto groups = checkpoint::to_value(*ckpt.optimizer.root->get("param_groups")))
      for (const Value& g : groups->as_list()) {
        if (const Value* lr = g.as_dict().find("initial_lr"))
          initial_lrs_.push_back(lr->as_float());
        if (const Value* m = g.as_dict().find("initial_momentum"))
          initial_momentums_.push_back(m->as_float());
      }
  }
  if (const torch::Tensor* rng = tensor_at(ckpt.raw.root->get("rng_state"), "torch")) {
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(*rng);
  }
  logger_->info("resumed epoch " + std::to_string(epoch_) + ", iter " + std::to_string(iter_));
}

}  // namespace tubelet
