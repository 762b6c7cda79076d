#include "tubelet/distributed/collectives.h"

#include <algorithm>
#include <map>

#include "tubelet/config/dump.h"

namespace tubelet::dist {

namespace {

// Where the group's collectives take their tensors: NCCL's on the current GPU (it reduces
// CUDA tensors only), Gloo's on the CPU. The results below come back to the CPU.
torch::Device comm_device(const ProcessGroup& group) {
  return group.getBackendName() == "nccl" ? torch::Device(torch::kCUDA)
                                          : torch::Device(torch::kCPU);
}

// Each rank's tensor (same shape on every rank), by rank, on the CPU.
std::vector<torch::Tensor> all_gather_same(const torch::Tensor& mine, ProcessGroup& group,
                                           const std::string& what) {
  std::vector<torch::Tensor> inputs{mine.to(comm_device(group)).contiguous()};
  std::vector<std::vector<torch::Tensor>> outputs(1);
  for (int r = 0; r < group.getSize(); ++r) outputs[0].push_back(torch::empty_like(inputs[0]));
  wait_for(group.allgather(outputs, inputs), what, group);
  for (auto& t : outputs[0]) t = t.cpu();
  return outputs[0];
}

std::vector<int64_t> all_gather_counts(int64_t mine, ProcessGroup& group) {
  std::vector<int64_t> counts;
  for (const auto& t : all_gather_same(torch::tensor({mine}, torch::kLong), group, "all_gather"))
    counts.push_back(t.item<int64_t>());
  return counts;
}

// Rank r holds results r, r + W, ...: take them in turn, then drop the padding.
template <typename T>
std::vector<T> interleave(const std::vector<std::vector<T>>& parts, int64_t size) {
  std::vector<T> out;
  size_t longest = 0;
  for (const auto& p : parts) longest = std::max(longest, p.size());
  for (size_t i = 0; i < longest; ++i)
    for (const auto& p : parts)
      if (i < p.size()) out.push_back(p[i]);
  if (size >= 0 && static_cast<int64_t>(out.size()) > size) out.resize(static_cast<size_t>(size));
  return out;
}

// to_json marks what JSON lacks ({"__tuple__": [...]}, {"__float__": "nan"}); from_json
// reads such objects back as dicts, so the marks are undone here.
Value untag(const Value& v) {
  if (v.is_sequence()) {
    List items;
    for (const Value& item : v.as_list()) items.push_back(untag(item));
    return v.is_tuple() ? Value::tuple(std::move(items)) : Value::list(std::move(items));
  }
  if (!v.is_dict()) return v;
  const Dict& d = v.as_dict();
  if (d.size() == 1) {
    if (const Value* t = d.find(Value("__tuple__")); t && t->is_sequence())
      return Value::tuple(untag(*t).as_list());
    if (const Value* f = d.find(Value("__float__")); f && f->is_str())
      return Value(std::stod(f->as_str()));
  }
  Dict out;
  for (const auto& [key, value] : d.items()) out.set(key, untag(value));
  return Value(std::move(out));
}

}  // namespace

void broadcast_tensors(const std::vector<torch::Tensor>& tensors, ProcessGroup& group, int src) {
  std::map<int, std::vector<torch::Tensor>> by_dtype;
  for (const auto& t : tensors)
    if (t.defined() && t.numel() > 0) by_dtype[static_cast<int>(t.scalar_type())].push_back(t);
  torch::NoGradGuard no_grad;
  for (auto& [dtype, group_tensors] : by_dtype) {
    std::vector<torch::Tensor> flat_parts;
    for (const auto& t : group_tensors) flat_parts.push_back(t.detach().reshape({-1}));
    std::vector<torch::Tensor> flat{torch::cat(flat_parts)};
    c10d::BroadcastOptions options;
    options.rootRank = src;
    wait_for(group.broadcast(flat, options), "broadcast of parameters and buffers", group);
    int64_t offset = 0;
    for (auto& t : group_tensors) {
      t.detach().copy_(flat[0].narrow(0, offset, t.numel()).view_as(t));
      offset += t.numel();
    }
  }
}

void broadcast_module_states(torch::nn::Module& module, ProcessGroup& group) {
  std::vector<torch::Tensor> tensors = module.parameters();
  for (const auto& b : module.buffers()) tensors.push_back(b);
  broadcast_tensors(tensors, group);
}

void broadcast_bn_buffers(torch::nn::Module& module, ProcessGroup& group) {
  std::vector<torch::Tensor> tensors;
  for (const auto& item : module.named_buffers()) {
    const std::string& name = item.key();
    auto ends_with = [&](const std::string& tail) {
      return name.size() >= tail.size() &&
             name.compare(name.size() - tail.size(), tail.size(), tail) == 0;
    };
    if (ends_with("running_mean") || ends_with("running_var")) tensors.push_back(item.value());
  }
  broadcast_tensors(tensors, group);
}

void average_log_vars(std::vector<std::pair<std::string, double>>& log_vars, ProcessGroup& group) {
  if (log_vars.empty()) return;
  auto values = torch::empty({static_cast<int64_t>(log_vars.size())}, torch::kDouble);
  for (size_t i = 0; i < log_vars.size(); ++i) values[static_cast<int64_t>(i)] = log_vars[i].second;
  std::vector<torch::Tensor> tensors{values.to(comm_device(group))};
  wait_for(group.allreduce(tensors), "all-reduce of the logged values", group);
  values = tensors[0].cpu() / group.getSize();
  auto data = values.accessor<double, 1>();
  for (size_t i = 0; i < log_vars.size(); ++i) log_vars[i].second = data[static_cast<int64_t>(i)];
}

std::vector<std::string> all_gather_bytes(const std::string& mine, ProcessGroup& group) {
  std::vector<int64_t> lengths = all_gather_counts(static_cast<int64_t>(mine.size()), group);
  const int64_t longest = std::max<int64_t>(1, *std::max_element(lengths.begin(), lengths.end()));
  auto buffer = torch::zeros({longest}, torch::kUInt8);
  std::copy(mine.begin(), mine.end(), buffer.data_ptr<uint8_t>());
  std::vector<std::string> out;
  auto parts = all_gather_same(buffer, group, "all_gather of results");
  for (size_t r = 0; r < parts.size(); ++r) {
    const auto* data = parts[r].data_ptr<uint8_t>();
    out.emplace_back(reinterpret_cast<const char*>(data), static_cast<size_t>(lengths[r]));
  }
  return out;
}

torch::Tensor collect_results(const torch::Tensor& rows, int64_t size, ProcessGroup& group) {
  std::vector<int64_t> counts = all_gather_counts(rows.defined() ? rows.size(0) : 0, group);
  const int64_t longest = *std::max_element(counts.begin(), counts.end());
  // The row shape (and dtype) of a rank that has rows; every rank tests the same model.
  torch::Tensor local = rows.defined() ? rows.contiguous() : torch::Tensor();
  std::vector<int64_t> shape = local.defined() ? local.sizes().vec() : std::vector<int64_t>{0};
  shape[0] = longest;
  auto padded = torch::zeros(shape, local.defined() ? local.options() : torch::kFloat);
  if (local.defined() && local.size(0) > 0) padded.narrow(0, 0, local.size(0)).copy_(local);
  auto parts = all_gather_same(padded, group, "all_gather of results");
  std::vector<std::vector<torch::Tensor>> per_rank(parts.size());
  for (size_t r = 0; r < parts.size(); ++r)
    for (int64_t i = 0; i < counts[r]; ++i) per_rank[r].push_back(parts[r][i]);
  auto ordered = interleave(per_rank, size);
  if (ordered.empty()) return padded.narrow(0, 0, 0).cpu();
  return torch::stack(ordered);
}

List collect_records(const List& records, int64_t size, ProcessGroup& group) {
  std::vector<std::vector<Value>> per_rank;
  for (const std::string& text : all_gather_bytes(to_json(Value::list(records), -1), group)) {
    Value part = untag(from_json(text, "<results of another rank>"));
    per_rank.emplace_back(part.as_list().begin(), part.as_list().end());
  }
  auto ordered = interleave(per_rank, size);
  return List(ordered.begin(), ordered.end());
}

uint64_t broadcast_seed(uint64_t seed, ProcessGroup& group) {
  std::vector<torch::Tensor> value{
      torch::tensor({static_cast<int64_t>(seed)}, torch::kLong).to(comm_device(group))};
  wait_for(group.broadcast(value), "broadcast of the random seed", group);
  return static_cast<uint64_t>(value[0].cpu().item<int64_t>());
}

}  // namespace tubelet::dist
