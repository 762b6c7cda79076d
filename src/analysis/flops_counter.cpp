#include "tubelet/analysis/flops_counter.h"

#include <ATen/record_function.h>
#include <torch/nn/functional/instancenorm.h>  // instancenorm.h uses it without including it
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/instancenorm.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/modules/pooling.h>
#include <torch/nn/modules/upsampling.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <string_view>
#include <unordered_map>

#include "tubelet/config/value.h"

// How the counting works. mmcv puts a forward hook on every module it has a rule for and reads
// the module's input and output there. LibTorch modules have no hooks, but every ATen op goes
// through the dispatcher, which reports it (with its inputs and outputs) to RecordFunction
// observers. So the counter observes the ops a forward pass runs and applies mmcv's rule of
// the layer each op stands for. An op that uses a parameter or buffer of the model (a conv's
// weight, a batch norm's running mean) belongs to the module holding that tensor, found by its
// data pointer; it counts only if mmcv has a rule for that module's class, as mmcv counts modules
// and never a functional call. Parameter-free ops (ReLU, pooling, upsampling) name no module:
// they count as mmcv counts their modules, and are reported by op. Counting them as ops also
// catches the places where Tubelet calls torch::relu or adaptive_avg_pool2d and MMAction2 an
// nn.ReLU or nn.AdaptiveAvgPool2d module (the ResNet blocks' last ReLU, the heads' pooling);
// see `upsample` below for the one kind that counts only through a module.
// RecordFunction::inputs() asserts a flag that release LibTorch libraries never set when the
// caller is compiled without NDEBUG: a Debug build of Tubelet against them counts nothing.

namespace tubelet::analysis {

namespace {

// The layer kinds of mmcv's get_modules_mapping.
enum class LayerKind { Conv, Norm, Linear, Activation, Pool, Upsample };

// An observed op: the layer kind it counts as, which input is the layer's input and which its
// weight (-1: none).
struct FlopsOpRule {
  LayerKind kind;
  int weight = -1;
  int input = 0;
};

// Ops by their ATen name. A layer's op may call another of this table (conv2d calls
// convolution, instance_norm calls batch_norm): only the outermost one counts.
const FlopsOpRule* flops_op_rule(std::string_view name) {
  using K = LayerKind;
  static const std::unordered_map<std::string_view, FlopsOpRule> rules = {
      {"aten::conv1d", {K::Conv, 1}},
      {"aten::conv2d", {K::Conv, 1}},
      {"aten::conv3d", {K::Conv, 1}},
      {"aten::conv_transpose1d", {K::Conv, 1}},
      {"aten::conv_transpose2d", {K::Conv, 1}},
      {"aten::conv_transpose3d", {K::Conv, 1}},
      {"aten::convolution", {K::Conv, 1}},
      {"aten::_convolution", {K::Conv, 1}},
      {"aten::batch_norm", {K::Norm, 1}},
      {"aten::instance_norm", {K::Norm, 1}},
      {"aten::group_norm", {K::Norm, 2}},
      {"aten::layer_norm", {K::Norm, 2}},
      // LibTorch's Linear runs addmm(bias, input, weight.t()) for a 2-D input with a bias and
      // matmul(input, weight.t()) otherwise; they count only with a Linear's weight.
      {"aten::linear", {K::Linear, 1}},
      {"aten::addmm", {K::Linear, 2, 1}},
      {"aten::matmul", {K::Linear, 1}},
      {"aten::prelu", {K::Activation, 1}},
      {"aten::relu", {K::Activation}},
      {"aten::relu_", {K::Activation}},
      {"aten::leaky_relu", {K::Activation}},
      {"aten::leaky_relu_", {K::Activation}},
      {"aten::elu", {K::Activation}},
      {"aten::elu_", {K::Activation}},
      {"aten::relu6", {K::Activation}},
      {"aten::relu6_", {K::Activation}},
      {"aten::hardtanh", {K::Activation}},  // ReLU6 only (see relu6_bounds)
      {"aten::hardtanh_", {K::Activation}},
      {"aten::max_pool1d", {K::Pool}},
      {"aten::max_pool2d", {K::Pool}},
      {"aten::max_pool3d", {K::Pool}},
      {"aten::max_pool1d_with_indices", {K::Pool}},
      {"aten::max_pool2d_with_indices", {K::Pool}},
      {"aten::max_pool3d_with_indices", {K::Pool}},
      {"aten::avg_pool1d", {K::Pool}},
      {"aten::avg_pool2d", {K::Pool}},
      {"aten::avg_pool3d", {K::Pool}},
      {"aten::adaptive_avg_pool1d", {K::Pool}},
      {"aten::adaptive_avg_pool2d", {K::Pool}},
      {"aten::adaptive_avg_pool3d", {K::Pool}},
      {"aten::adaptive_max_pool1d", {K::Pool}},
      {"aten::adaptive_max_pool2d", {K::Pool}},
      {"aten::adaptive_max_pool3d", {K::Pool}},
      {"aten::upsample_nearest1d", {K::Upsample}},
      {"aten::upsample_nearest2d", {K::Upsample}},
      {"aten::upsample_nearest3d", {K::Upsample}},
      {"aten::_upsample_nearest_exact1d", {K::Upsample}},
      {"aten::_upsample_nearest_exact2d", {K::Upsample}},
      {"aten::_upsample_nearest_exact3d", {K::Upsample}},
      {"aten::upsample_linear1d", {K::Upsample}},
      {"aten::upsample_bilinear2d", {K::Upsample}},
      {"aten::upsample_trilinear3d", {K::Upsample}},
      {"aten::upsample_bicubic2d", {K::Upsample}},
  };
  auto it = rules.find(name);
  return it == rules.end() ? nullptr : &it->second;
}

// "aten::relu_" -> "relu": the name an op is reported under.
std::string flops_op_name(std::string_view name) {
  if (name.substr(0, 6) == "aten::") name.remove_prefix(6);
  if (name.size() > 1 && name.back() == '_') name.remove_suffix(1);
  return std::string(name);
}

// What one op contributed.
struct FlopsOpRecord {
  std::string op;
  LayerKind kind;
  const void* owner_key = nullptr;  // tensor_owner_key() of the parameter or buffer it uses
  double flops = 0;
};

// What the start of an op leaves for its end, where the output is known.
struct FlopsOpCall : at::ObserverContext {
  bool outermost = false;
  std::string op;
  LayerKind kind = LayerKind::Conv;
  const void* owner_key = nullptr;
  int64_t input_numel = 0, input_channels = 1;
  int64_t weight_numel = 0, weight_rows = 1;  // weight.numel(), weight.size(0)
  int64_t out_features = 1;                   // a linear layer's
  bool weight = false, bias = false, transposed = false;
};

// The observations of one count_complexity, from whichever thread runs an op (the callback
// travels with ThreadLocalState into at::launch tasks).
struct FlopsRecorder {
  std::mutex mutex;
  std::vector<FlopsOpRecord> records;
};
std::atomic<FlopsRecorder*> active_flops_recorder{nullptr};
// How many observed ops enclose the running one on this thread.
thread_local int flops_op_depth = 0;

// What names the module of a parameter or buffer: where its data starts, which a view such as
// the weight.t() that LibTorch's Linear hands addmm shares (and a slice further on does not).
const void* tensor_owner_key(const at::Tensor& t) {
  return t.has_storage() ? t.data_ptr() : static_cast<const void*>(t.unsafeGetTensorImpl());
}

const at::Tensor* tensor_input(c10::ArrayRef<const c10::IValue> inputs, size_t i) {
  if (i >= inputs.size() || !inputs[i].isTensor()) return nullptr;
  const at::Tensor& t = inputs[i].toTensor();
  return t.defined() ? &t : nullptr;
}

// nn.ReLU6 is hardtanh(0, 6); other hardtanh bounds are nn.Hardtanh, which mmcv does not count.
bool relu6_bounds(c10::ArrayRef<const c10::IValue> inputs) {
  auto bound = [&](size_t i, double fallback) {
    return i < inputs.size() && inputs[i].isScalar() ? inputs[i].toScalar().toDouble() : fallback;
  };
  return bound(1, -1.0) == 0.0 && bound(2, 1.0) == 6.0;
}

void read_op_inputs(const FlopsOpRule& rule, std::string_view name,
                    c10::ArrayRef<const c10::IValue> inputs, FlopsOpCall& call) {
  if (const at::Tensor* input = tensor_input(inputs, rule.input)) {
    call.input_numel = input->numel();
    call.input_channels = input->dim() > 1 ? input->size(1) : 1;
  }
  if (const at::Tensor* w = rule.weight >= 0 ? tensor_input(inputs, rule.weight) : nullptr) {
    call.weight = true;
    call.weight_numel = w->numel();
    call.weight_rows = w->dim() > 0 ? w->size(0) : 1;
    // Linear's out_features: linear's weight is [out, in], the others get weight.t().
    call.out_features = w->dim() == 0 ? 1 : name == "aten::linear" ? w->size(0) : w->size(-1);
    call.owner_key = tensor_owner_key(*w);
  }
  if (rule.kind == LayerKind::Conv) {
    call.bias = tensor_input(inputs, 2) != nullptr;
    const bool generic = name == "aten::convolution" || name == "aten::_convolution";
    call.transposed = generic ? inputs.size() > 6 && inputs[6].isBool() && inputs[6].toBool()
                              : name.find("transpose") != std::string_view::npos;
  }
  // A batch or instance norm without affine parameters is named by its running mean.
  if (rule.kind == LayerKind::Norm && !call.weight && rule.weight == 1)
    if (const at::Tensor* mean = tensor_input(inputs, 3)) call.owner_key = tensor_owner_key(*mean);
}

std::unique_ptr<at::ObserverContext> on_flops_op_start(const at::RecordFunction& fn) {
  if (!active_flops_recorder.load()) return nullptr;
  const std::string_view name = fn.name();
  const FlopsOpRule* rule = flops_op_rule(name);
  if (!rule) return nullptr;
  if (name.substr(0, 14) == "aten::hardtanh" && !relu6_bounds(fn.inputs())) return nullptr;
  auto call = std::make_unique<FlopsOpCall>();
  call->outermost = flops_op_depth++ == 0;
  if (call->outermost) {
    call->op = flops_op_name(name);
    call->kind = rule->kind;
    read_op_inputs(*rule, name, fn.inputs(), *call);
  }
  return call;
}

// mmcv's hook of the op's layer kind, on what the op saw.
double op_flops(const FlopsOpCall& call, const at::Tensor* output) {
  const double out = output ? static_cast<double>(output->numel()) : 0.0;
  const double in = static_cast<double>(call.input_numel);
  switch (call.kind) {
    case LayerKind::Conv: {
      const double bias = call.bias ? out : 0.0;
      if (call.transposed)  // input positions x in x out / groups x kernel volume
        return in / static_cast<double>(call.input_channels) * call.weight_numel + bias;
      // output elements x in / groups x kernel volume
      return out * static_cast<double>(call.weight_numel / std::max<int64_t>(call.weight_rows, 1)) +
             bias;
    }
    case LayerKind::Norm:
      return in * (call.weight ? 2 : 1);
    case LayerKind::Linear:
      return in * static_cast<double>(call.out_features);
    case LayerKind::Activation:
      return out;
    case LayerKind::Pool:
      return in;
    case LayerKind::Upsample:  // mmcv counts output[0]: the first sample
      return output && output->dim() > 0 && output->size(0) > 0 ? out / output->size(0) : 0.0;
  }
  return 0.0;
}

void on_flops_op_end(const at::RecordFunction& fn, at::ObserverContext* context) {
  if (!context) return;
  --flops_op_depth;
  auto& call = static_cast<FlopsOpCall&>(*context);
  FlopsRecorder* recorder = active_flops_recorder.load();
  if (!call.outermost || !recorder) return;
  const std::vector<c10::IValue>& outputs = fn.outputs();
  const at::Tensor* output = nullptr;
  if (!outputs.empty() && outputs[0].isTensor() && outputs[0].toTensor().defined())
    output = &outputs[0].toTensor();
  FlopsOpRecord record{call.op, call.kind, call.owner_key, op_flops(call, output)};
  std::lock_guard<std::mutex> lock(recorder->mutex);
  recorder->records.push_back(std::move(record));
}

// The observer, for the lifetime of one count.
class FlopsObservation {
 public:
  explicit FlopsObservation(FlopsRecorder& recorder) {
    FlopsRecorder* none = nullptr;
    if (!active_flops_recorder.compare_exchange_strong(none, &recorder))
      throw std::logic_error("count_complexity: another count is running");
    flops_op_depth = 0;
    handle_ =
        at::addThreadLocalCallback(at::RecordFunctionCallback(on_flops_op_start, on_flops_op_end)
                                       .needsInputs(true)
                                       .needsOutputs(true)
                                       .scopes({at::RecordScope::FUNCTION}));
  }
  ~FlopsObservation() {
    at::removeCallback(handle_);
    active_flops_recorder.store(nullptr);
  }
  FlopsObservation(const FlopsObservation&) = delete;
  FlopsObservation& operator=(const FlopsObservation&) = delete;

 private:
  at::CallbackHandle handle_ = at::INVALID_CALLBACK_HANDLE;
};

template <class... Impl>
bool is_one_of(const torch::nn::Module& m) {
  return ((dynamic_cast<const Impl*>(&m) != nullptr) || ...);
}

// The kind of mmcv's hook for a module's class, none where get_modules_mapping has no entry.
// MultiheadAttention's out_proj is a NonDynamicallyQuantizableLinear in PyTorch, which mmcv
// does not count; LibTorch makes it a Linear.
std::optional<LayerKind> mmcv_layer_kind(const torch::nn::Module& m,
                                         const torch::nn::Module* parent) {
  using namespace torch::nn;
  if (is_one_of<Conv1dImpl, Conv2dImpl, Conv3dImpl, ConvTranspose2dImpl>(m)) return LayerKind::Conv;
  if (is_one_of<BatchNorm1dImpl, BatchNorm2dImpl, BatchNorm3dImpl, GroupNormImpl,
                InstanceNorm1dImpl, InstanceNorm2dImpl, InstanceNorm3dImpl, LayerNormImpl>(m))
    return LayerKind::Norm;
  if (is_one_of<LinearImpl>(m) && !(parent && is_one_of<MultiheadAttentionImpl>(*parent)))
    return LayerKind::Linear;
  if (is_one_of<ReLUImpl, PReLUImpl, ELUImpl, LeakyReLUImpl, ReLU6Impl>(m))
    return LayerKind::Activation;
  if (is_one_of<MaxPool1dImpl, MaxPool2dImpl, MaxPool3dImpl, AvgPool1dImpl, AvgPool2dImpl,
                AvgPool3dImpl, AdaptiveMaxPool1dImpl, AdaptiveMaxPool2dImpl, AdaptiveMaxPool3dImpl,
                AdaptiveAvgPool1dImpl, AdaptiveAvgPool2dImpl, AdaptiveAvgPool3dImpl>(m))
    return LayerKind::Pool;
  if (is_one_of<UpsampleImpl>(m)) return LayerKind::Upsample;
  return std::nullopt;
}

// One module of the tree as the count sees it.
struct CountedModule {
  std::string name;
  const torch::nn::Module* module = nullptr;
  std::optional<LayerKind> kind;  // mmcv's rule for it
};

// The model first, then named_modules' depth-first order.
std::vector<CountedModule> counted_modules(const torch::nn::Module& model) {
  std::vector<CountedModule> modules{{"", &model, mmcv_layer_kind(model, nullptr)}};
  std::unordered_map<std::string, const torch::nn::Module*> by_name{{"", &model}};
  for (const auto& item : model.named_modules("", /*include_self=*/false)) {
    const std::string& name = item.key();
    const size_t dot = name.rfind('.');
    const torch::nn::Module* parent =
        by_name.at(dot == std::string::npos ? "" : name.substr(0, dot));
    by_name[name] = item.value().get();
    modules.push_back({name, item.value().get(), mmcv_layer_kind(*item.value(), parent)});
  }
  return modules;
}

// Which module (index into `modules`) holds each parameter and buffer, by tensor_owner_key().
std::unordered_map<const void*, size_t> tensor_owners(const std::vector<CountedModule>& modules) {
  std::unordered_map<const void*, size_t> owners;
  for (size_t i = 0; i < modules.size(); ++i) {
    for (const auto& p : modules[i].module->named_parameters(/*recurse=*/false))
      if (p.value().defined() && p.value().numel() > 0)
        owners.emplace(tensor_owner_key(p.value()), i);
    for (const auto& b : modules[i].module->named_buffers(/*recurse=*/false))
      if (b.value().defined() && b.value().numel() > 0)
        owners.emplace(tensor_owner_key(b.value()), i);
  }
  return owners;
}

int64_t trainable_params(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const at::Tensor& p : m.parameters())
    if (p.requires_grad()) n += p.numel();
  return n;
}

// "tubelet::ConvModuleImpl" -> "ConvModule".
std::string short_class_name(const torch::nn::Module& m) {
  std::string name = m.name();
  if (const size_t colons = name.rfind("::"); colons != std::string::npos)
    name = name.substr(colons + 2);
  if (name.size() > 4 && name.compare(name.size() - 4, 4, "Impl") == 0)
    name.resize(name.size() - 4);
  return name;
}

// What a LibTorch layer's repr says inside its parentheses ("3, 64, kernel_size=[7, 7]"), as
// mmcv appends the layer's extra_repr.
std::string layer_options(const torch::nn::Module& m) {
  std::ostringstream repr;
  m.pretty_print(repr);
  const std::string s = repr.str();
  const size_t open = s.find('('), close = s.rfind(')');
  return open == std::string::npos || close == std::string::npos || close <= open
             ? std::string()
             : s.substr(open + 1, close - open - 1);
}

// mmcv's accumulate_flops and accumulate_params over the tree: a module with a rule its own
// count, any other the sum over its children. named_modules is depth-first, so walking it
// backwards meets every child before its parent.
std::vector<ModuleComplexity> accumulate(const std::vector<CountedModule>& modules,
                                         const std::vector<double>& own_flops) {
  std::vector<ModuleComplexity> out(modules.size());
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < modules.size(); ++i) index[modules[i].name] = i;
  for (size_t i = modules.size(); i-- > 0;) {
    const CountedModule& m = modules[i];
    ModuleComplexity& c = out[i];
    c.name = m.name;
    c.type = short_class_name(*m.module);
    c.depth =
        m.name.empty() ? 0 : 1 + static_cast<int>(std::count(m.name.begin(), m.name.end(), '.'));
    if (m.kind) {
      c.extra = layer_options(*m.module);
      c.flops = own_flops[i];
      c.params = trainable_params(*m.module);
      // Nothing of its own names it in an op (a ReLU, a pool, an InstanceNorm without
      // affine parameters or running statistics).
      c.flops_unattributed = m.module->parameters().empty() && m.module->buffers().empty();
    }
    if (i == 0) break;
    const size_t dot = m.name.rfind('.');
    const size_t parent = index.at(dot == std::string::npos ? "" : m.name.substr(0, dot));
    if (!modules[parent].kind) {
      out[parent].flops += c.flops;
      out[parent].params += c.params;
    }
  }
  return out;
}

// Python's str(round(x, precision)): the correctly rounded decimal, then the shortest repr.
std::string python_round(double x, int precision) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", precision, x);
  return float_repr(std::strtod(buf, nullptr));
}

// Python's f'{part / total:.3%}'; 0 of 0 is 0% (Python would divide by zero).
std::string percent(double part, double total) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f%%", total == 0 ? 0.0 : part / total * 100.0);
  return buf;
}

}  // namespace

ModelComplexity count_complexity(torch::nn::Module& model, const std::function<void()>& forward) {
  FlopsRecorder recorder;
  {
    FlopsObservation observation(recorder);
    forward();
  }
  const std::vector<CountedModule> modules = counted_modules(model);
  const auto owners = tensor_owners(modules);
  bool upsample_modules = false;  // see `upsample` below
  for (const CountedModule& m : modules) upsample_modules |= m.kind == LayerKind::Upsample;

  ModelComplexity result;
  std::vector<double> own_flops(modules.size(), 0.0);
  for (const FlopsOpRecord& op : recorder.records) {
    if (op.owner_key) {
      // An op with a weight counts as its module's layer. None where mmcv has no rule for the
      // module (SyncBN, a custom module's own weight), nor where the weight is no parameter of
      // the model (a matmul of two activations, a weight the forward pass computed): mmcv
      // counts no functional call.
      auto owner = owners.find(op.owner_key);
      if (owner != owners.end() && modules[owner->second].kind == op.kind)
        own_flops[owner->second] += op.flops;
      continue;
    }
    // `upsample`: mmcv counts nn.Upsample modules, not F.interpolate, and Tubelet's models
    // use torch::nn::Upsample just where MMAction2 uses nn.Upsample (TPN) and F::interpolate
    // where it calls F.interpolate (SlowFast's resampling).
    if (op.kind == LayerKind::Upsample && !upsample_modules) continue;
    result.unattributed[op.op] += op.flops;
  }
  result.modules = accumulate(modules, own_flops);
  for (double f : own_flops) result.flops += f;
  for (const auto& [op, flops] : result.unattributed) result.flops += flops;
  result.modules[0].flops = result.flops;
  result.params = trainable_params(model);
  return result;
}

ModelComplexity get_model_complexity_info(
    torch::nn::Module& model, const std::vector<int64_t>& input_shape,
    const std::function<void(const torch::Tensor&)>& forward) {
  if (input_shape.empty())
    throw std::invalid_argument("get_model_complexity_info: the input shape is empty");
  model.eval();
  torch::NoGradGuard no_grad;
  torch::TensorOptions options;
  const std::vector<at::Tensor> params = model.parameters();
  if (!params.empty()) options = options.dtype(params[0].dtype()).device(params[0].device());
  std::vector<int64_t> shape{1};
  shape.insert(shape.end(), input_shape.begin(), input_shape.end());
  // mmcv's batch is new_empty: the values do not matter; ones keep the pass free of NaNs.
  const torch::Tensor batch = torch::ones(shape, options);
  // mmcv divides by its batch counter, the batch's length: 1 here.
  return count_complexity(model, [&] { forward(batch); });
}

std::string flops_to_string(double flops, const std::optional<std::string>& units, int precision) {
  std::string unit = units.value_or("");
  if (!units)
    unit = flops >= 1e9 ? "GFLOPs" : flops >= 1e6 ? "MFLOPs" : flops >= 1e3 ? "KFLOPs" : "";
  if (unit == "GFLOPs") return python_round(flops / 1e9, precision) + " " + unit;
  if (unit == "MFLOPs") return python_round(flops / 1e6, precision) + " " + unit;
  if (unit == "KFLOPs") return python_round(flops / 1e3, precision) + " " + unit;
  return float_repr(flops) + " FLOPs";
}

std::string params_to_string(int64_t params, const std::optional<std::string>& units,
                             int precision) {
  const double n = static_cast<double>(params);
  if (!units) {
    if (params >= 1000000) return python_round(n / 1e6, precision) + " M";
    if (params >= 1000) return python_round(n / 1e3, precision) + " k";
    return std::to_string(params);
  }
  if (*units == "M") return python_round(n / 1e6, precision) + " M";
  if (*units == "K") return python_round(n / 1e3, precision) + " K";
  return std::to_string(params);
}

void print_model_with_flops(const ModelComplexity& c, std::ostream& out, const std::string& units,
                            int precision) {
  for (const ModuleComplexity& m : c.modules) {
    out << std::string(2 * static_cast<size_t>(m.depth), ' ')
        << (m.name.empty() ? "" : m.name + ": ") << m.type << "("
        << params_to_string(m.params, "M", precision) << ", "
        << percent(static_cast<double>(m.params), static_cast<double>(c.params)) << " Params, ";
    if (m.flops_unattributed)
      out << "FLOPs among the ops below";
    else
      out << flops_to_string(m.flops, units, precision) << ", " << percent(m.flops, c.flops)
          << " FLOPs";
    out << (m.extra.empty() ? "" : ", " + m.extra) << ")\n";
  }
  if (c.unattributed.empty()) return;
  out << "Parameter-free ops, by op (in the total; LibTorch cannot tell which module ran them):\n";
  for (const auto& [op, flops] : c.unattributed)
    out << "  " << op << ": " << flops_to_string(flops, units, precision) << ", "
        << percent(flops, c.flops) << " FLOPs\n";
}

}  // namespace tubelet::analysis
