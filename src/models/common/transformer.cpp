#include "tubelet/models/common/transformer.h"

#include <torch/nn/modules/linear.h>
#include <torch/torch.h>

#include "tubelet/config/error.h"
#include "tubelet/models/layers.h"

namespace tubelet {

namespace {

Value relu_inplace() {
  Dict d;
  d.set("type", Value("ReLU"));
  d.set("inplace", Value(true));
  return Value(d);
}

Value transformer_type_cfg(const char* type) {
  Dict d;
  d.set("type", Value(type));
  return Value(d);
}

// mmcv's BaseTransformerLayer default ffn_cfgs.
Value transformer_default_ffn_cfgs() {
  Dict d;
  d.set("type", Value("FFN"));
  d.set("embed_dims", Value(256));
  d.set("feedforward_channels", Value(1024));
  d.set("num_fcs", Value(2));
  d.set("ffn_drop", Value(0.0));
  d.set("act_cfg", relu_inplace());
  return Value(d);
}

// mmcv's "a dict is repeated `count` times, a list gives one each" for attn_cfgs, ffn_cfgs and
// transformerlayers: a copy per item, so that per-item defaults do not leak between them.
std::vector<Value> transformer_repeat_cfgs(Args& args, const char* key, const Value& cfgs,
                                           size_t count, const char* per) {
  if (cfgs.is_dict()) return std::vector<Value>(count, cfgs);
  if (!cfgs.is_sequence())
    throw args.error(key, std::string("'") + key + "' must be a dict or a list of dicts, got " +
                              cfgs.type_name());
  const List& items = cfgs.as_list();
  if (items.size() != count)
    throw args.error(key, std::string("'") + key + "' has " + std::to_string(items.size()) +
                              " configs for " + std::to_string(count) + " " + per);
  for (const Value& item : items)
    if (!item.is_dict())
      throw args.error(
          key, std::string("each of '") + key + "' must be a dict, got " + item.type_name());
  return std::vector<Value>(items.begin(), items.end());
}

// A Sequential that can sit inside another one (a Sequential's own forward is a template,
// which AnyModule cannot hold).
struct FcBlockImpl : torch::nn::SequentialImpl {
  torch::Tensor forward(const torch::Tensor& x) { return SequentialImpl::forward(x); }
};
TORCH_MODULE(FcBlock);

}  // namespace

DropoutLayerOptions DropoutLayerOptions::from_config(const Value& cfg, const std::string& path) {
  // mmcv builds one only when the config is truthy: None and {} mean nn.Identity.
  if (cfg.is_none() || (cfg.is_dict() && cfg.as_dict().empty())) return none();
  auto [type, args] = detail::split_module_config(cfg, BuildContext(path), "DROPOUT_LAYERS");
  DropoutLayerOptions out;
  if (type == "DropPath") {
    out = drop_path(args.get("drop_prob", 0.1));
    // keep_prob = 0 divides by zero in mmcv.
    if (!(out.drop_prob >= 0.0 && out.drop_prob < 1.0))
      throw args.error("drop_prob", "DropPath's drop_prob must be in [0, 1), got " +
                                        std::to_string(out.drop_prob));
  } else if (type == "Dropout") {
    out = dropout(args.get("drop_prob", 0.5), args.get("inplace", false));
    if (!(out.drop_prob >= 0.0 && out.drop_prob <= 1.0))
      throw args.error("drop_prob", "Dropout's drop_prob must be in [0, 1], got " +
                                        std::to_string(out.drop_prob));
  } else {
    throw ConfigError(
        path + ": a dropout_layer is dict(type='DropPath' or 'Dropout', ...), not '" + type + "'",
        cfg.location());
  }
  args.finish();
  return out;
}

Value DropoutLayerOptions::to_config() const {
  if (kind == Kind::kNone) return Value();
  Dict d;
  d.set("type", Value(kind == Kind::kDropPath ? "DropPath" : "Dropout"));
  d.set("drop_prob", Value(drop_prob));
  if (kind == Kind::kDropout) d.set("inplace", Value(inplace));
  return Value(d);
}

torch::nn::AnyModule DropoutLayerOptions::build() const {
  switch (kind) {
    case Kind::kDropPath:
      return torch::nn::AnyModule(DropPath(drop_prob));
    case Kind::kDropout:
      return torch::nn::AnyModule(
          torch::nn::Dropout(torch::nn::DropoutOptions(drop_prob).inplace(inplace)));
    case Kind::kNone:
      break;
  }
  return torch::nn::AnyModule(torch::nn::Identity());
}

MultiheadAttentionImpl::MultiheadAttentionImpl(const MultiheadAttentionOptions& o) : options(o) {
  attn_ =
      register_module("attn", torch::nn::MultiheadAttention(torch::nn::MultiheadAttentionOptions(
                                                                o.embed_dims(), o.num_heads())
                                                                .dropout(o.attn_drop())));
  proj_drop_ = register_module("proj_drop", torch::nn::Dropout(o.proj_drop()));
  dropout_layer_ = o.dropout_layer().build();
  register_module("dropout_layer", dropout_layer_.ptr());
}

torch::Tensor MultiheadAttentionImpl::forward(const torch::Tensor& query,
                                              const torch::Tensor& identity) {
  // torch's attention takes [tokens, batch, C].
  torch::Tensor q = options.batch_first() ? query.transpose(0, 1) : query;
  torch::Tensor out = std::get<0>(
      attn_->forward(q, q, q, /*key_padding_mask=*/torch::Tensor(), /*need_weights=*/false));
  if (options.batch_first()) out = out.transpose(0, 1);
  const torch::Tensor& shortcut = identity.defined() ? identity : query;
  return shortcut + dropout_layer_.forward(proj_drop_(out));
}

FFNImpl::FFNImpl(const FFNOptions& o) : options(o) {
  if (o.num_fcs() < 2)
    throw ConfigError(o.path() + ": num_fcs should be no less than 2, got " +
                      std::to_string(o.num_fcs()));
  Value act_cfg = o.act_cfg().is_none() ? relu_inplace() : o.act_cfg();
  torch::nn::AnyModule activate = build_activation_layer(act_cfg, o.path() + ".activate");
  layers_ = torch::nn::Sequential();
  int64_t in_channels = o.embed_dims();
  for (int64_t i = 0; i + 1 < o.num_fcs(); ++i) {
    FcBlock block;
    block->push_back(torch::nn::Linear(in_channels, o.feedforward_channels()));
    block->push_back(activate);
    block->push_back(torch::nn::Dropout(o.ffn_drop()));
    layers_->push_back(block);
    in_channels = o.feedforward_channels();
  }
  layers_->push_back(torch::nn::Linear(o.feedforward_channels(), o.embed_dims()));
  layers_->push_back(torch::nn::Dropout(o.ffn_drop()));
  register_module("layers", layers_);
  dropout_layer_ = o.dropout_layer().build();
  register_module("dropout_layer", dropout_layer_.ptr());
}

torch::Tensor FFNImpl::forward(const torch::Tensor& x, const torch::Tensor& identity) {
  torch::Tensor out = dropout_layer_.forward(layers_->forward(x));
  if (!options.add_identity()) return out;
  return (identity.defined() ? identity : x) + out;
}

BaseTransformerLayerImpl::BaseTransformerLayerImpl(
    std::vector<std::shared_ptr<TransformerAttention>> attentions,
    std::vector<std::shared_ptr<TransformerFFN>> ffns, std::vector<std::string> operation_order,
    const Value& norm_cfg, const std::string& path)
    : attentions_(std::move(attentions)),
      ffns_(std::move(ffns)),
      operation_order_(std::move(operation_order)) {
  size_t num_attn = 0, num_ffn = 0, num_norm = 0;
  for (const std::string& op : operation_order_) {
    if (op == "self_attn")
      ++num_attn;
    else if (op == "ffn")
      ++num_ffn;
    else if (op == "norm")
      ++num_norm;
    else
      throw ConfigError(path + ": operation_order may hold 'self_attn', 'norm' and 'ffn', not '" +
                        op + "'");
  }
  if (num_attn != attentions_.size() || num_ffn != ffns_.size() || attentions_.empty())
    throw ConfigError(path +
                      ": operation_order needs one attention per 'self_attn' and one ffn "
                      "per 'ffn'");
  pre_norm_ = operation_order_.front() == "norm";
  auto attention_list = register_module("attentions", torch::nn::ModuleList());
  for (auto& a : attentions_) attention_list->push_back(a);
  auto ffn_list = register_module("ffns", torch::nn::ModuleList());
  for (auto& f : ffns_) ffn_list->push_back(f);
  auto norm_list = register_module("norms", torch::nn::ModuleList());
  int64_t embed_dims = attentions_.front()->embed_dims();
  for (size_t i = 0; i < num_norm; ++i) {
    norms_.push_back(
        build_norm_layer(norm_cfg, embed_dims, "", path + ".norms." + std::to_string(i)).second);
    norm_list->push_back(norms_.back().ptr());
  }
}

torch::Tensor BaseTransformerLayerImpl::forward(torch::Tensor query) {
  size_t attn_index = 0, ffn_index = 0, norm_index = 0;
  torch::Tensor identity = query;
  torch::Tensor none;
  for (const std::string& op : operation_order_) {
    if (op == "self_attn") {
      query = attentions_[attn_index++]->forward(query, pre_norm_ ? identity : none);
      identity = query;
    } else if (op == "norm") {
      query = norms_[norm_index++].forward(query);
    } else {
      query = ffns_[ffn_index++]->forward(query, pre_norm_ ? identity : none);
    }
  }
  return query;
}

TransformerLayerSequenceImpl::TransformerLayerSequenceImpl(
    const std::vector<BaseTransformerLayer>& layers)
    : layers_(layers) {
  auto list = register_module("layers", torch::nn::ModuleList());
  for (auto& layer : layers_) list->push_back(layer);
}

torch::Tensor TransformerLayerSequenceImpl::forward(torch::Tensor query) {
  for (auto& layer : layers_) query = layer(query);
  return query;
}

BaseTransformerLayer build_transformer_layer(const Value& cfg, const std::string& path) {
  auto [type, args] = detail::split_module_config(cfg, BuildContext(path), "TRANSFORMER_LAYER");
  if (type != "BaseTransformerLayer")
    throw ConfigError(path +
                          ": a transformer layer is dict(type='BaseTransformerLayer', ...), not '" +
                          type + "'",
                      cfg.location());
  std::vector<std::string> order = args.required<std::vector<std::string>>("operation_order");
  Value attn_cfgs = args.get("attn_cfgs", Value());
  Value ffn_cfgs = args.get("ffn_cfgs", transformer_default_ffn_cfgs());
  Value norm_cfg = args.get("norm_cfg", transformer_type_cfg("LN"));
  bool batch_first = args.get("batch_first", false);
  transformer_args::no_init_cfg(args);
  size_t num_attn = 0, num_ffn = 0;
  for (const std::string& op : order) {
    if (op == "cross_attn")
      throw args.error("operation_order",
                       "'cross_attn' needs a key and value, which a TimeSformer layer is not "
                       "given; operation_order may hold 'self_attn', 'norm' and 'ffn'");
    if (op != "self_attn" && op != "norm" && op != "ffn")
      throw args.error("operation_order",
                       "operation_order may hold 'self_attn', 'norm' and 'ffn', not '" + op + "'");
    num_attn += op == "self_attn";
    num_ffn += op == "ffn";
  }
  // mmcv takes embed_dims from the first attention.
  if (num_attn == 0)
    throw args.error("operation_order", "operation_order needs at least one 'self_attn'");
  if (attn_cfgs.is_none()) throw args.error("attn_cfgs", "missing required argument 'attn_cfgs'");
  std::vector<Value> attn_list =
      transformer_repeat_cfgs(args, "attn_cfgs", attn_cfgs, num_attn, "'self_attn' operations");
  std::vector<Value> ffn_list =
      transformer_repeat_cfgs(args, "ffn_cfgs", ffn_cfgs, num_ffn, "'ffn' operations");
  args.finish();

  std::vector<std::shared_ptr<TransformerAttention>> attentions;
  for (size_t i = 0; i < attn_list.size(); ++i) {
    // The layer hands its batch_first to each attention, which must agree where it says.
    Dict& attn = attn_list[i].mutable_dict();
    if (const Value* own = attn.find("batch_first"); own && *own != Value(batch_first))
      throw args.error("attn_cfgs",
                       "attn_cfgs[" + std::to_string(i) + "] has batch_first=" + repr(*own) +
                           " but the layer has batch_first=" + (batch_first ? "True" : "False"));
    attn.set("batch_first", Value(batch_first));
    attentions.push_back(
        ATTENTION().build(attn_list[i], BuildContext(path + ".attentions." + std::to_string(i))));
  }
  const int64_t embed_dims = attentions.front()->embed_dims();
  std::vector<std::shared_ptr<TransformerFFN>> ffns;
  for (size_t i = 0; i < ffn_list.size(); ++i) {
    Dict& ffn = ffn_list[i].mutable_dict();
    if (const Value* own = ffn.find("embed_dims");
        own && (!own->is_int() || own->as_int() != embed_dims))
      throw args.error("ffn_cfgs",
                       "ffn_cfgs[" + std::to_string(i) + "] has embed_dims=" + repr(*own) +
                           " but the attentions have embed_dims=" + std::to_string(embed_dims));
    ffn.set("embed_dims", Value(embed_dims));
    // mmcv's default_args=dict(type='FFN').
    if (!ffn.contains("type")) ffn.set("type", Value("FFN"));
    ffns.push_back(FEEDFORWARD_NETWORK().build(ffn_list[i],
                                               BuildContext(path + ".ffns." + std::to_string(i))));
  }
  return BaseTransformerLayer(std::move(attentions), std::move(ffns), std::move(order), norm_cfg,
                              path);
}

TransformerLayerSequence build_transformer_layer_sequence(const Value& cfg,
                                                          const std::string& path) {
  auto [type, args] =
      detail::split_module_config(cfg, BuildContext(path), "TRANSFORMER_LAYER_SEQUENCE");
  if (type != "TransformerLayerSequence")
    throw ConfigError(path +
                          ": a transformer layer sequence is dict(type='TransformerLayerSequence', "
                          "...), not '" +
                          type + "'",
                      cfg.location());
  Value layer_cfgs = args.required<Value>("transformerlayers");
  int64_t num_layers = args.required<int64_t>("num_layers");
  transformer_args::no_init_cfg(args);
  if (num_layers < 1)
    throw args.error("num_layers",
                     "num_layers must be positive, got " + std::to_string(num_layers));
  std::vector<Value> list = transformer_repeat_cfgs(args, "transformerlayers", layer_cfgs,
                                                    static_cast<size_t>(num_layers), "layers");
  args.finish();
  std::vector<BaseTransformerLayer> layers;
  for (size_t i = 0; i < list.size(); ++i)
    layers.push_back(build_transformer_layer(list[i], path + ".layers." + std::to_string(i)));
  return TransformerLayerSequence(layers);
}

namespace transformer_args {

double probability(Args& args, const char* key, double fallback) {
  double p = args.get(key, fallback);
  if (!(p >= 0.0 && p <= 1.0))
    throw args.error(
        key, std::string("'") + key + "' is a probability in [0, 1], got " + std::to_string(p));
  return p;
}

DropoutLayerOptions dropout_layer(Args& args, const DropoutLayerOptions& fallback) {
  const Value* cfg = args.find("dropout_layer");
  if (!cfg) return fallback;
  return DropoutLayerOptions::from_config(*cfg, args.path() + ".dropout_layer");
}

void no_init_cfg(Args& args) {
  if (!args.get("init_cfg", Value()).is_none())
    throw args.error("init_cfg",
                     "init_cfg must be None: MMAction2's TimeSformer initialises its layers "
                     "itself and never applies theirs");
}

void check_heads(Args& args, int64_t embed_dims, int64_t num_heads) {
  if (embed_dims < 1)
    throw args.error("embed_dims",
                     "embed_dims must be positive, got " + std::to_string(embed_dims));
  if (num_heads < 1 || embed_dims % num_heads != 0)
    throw args.error("num_heads", "num_heads must be positive and divide embed_dims (" +
                                      std::to_string(embed_dims) + "), got " +
                                      std::to_string(num_heads));
}

namespace {
// mmcv's deprecated_api_warning renames `old_key` to `key`; giving both is an error there too.
template <class T>
T transformer_renamed(Args& args, const char* old_key, const char* key, T fallback) {
  if (!args.has(old_key)) return args.get(key, fallback);
  if (args.has(key))
    throw args.error(old_key, std::string("'") + old_key + "' is the deprecated name of '" + key +
                                  "'; give only one of them");
  return args.required<T>(old_key);
}
}  // namespace

FFNOptions ffn_options(Args& args) {
  int64_t embed_dims = args.get<int64_t>("embed_dims", 256);
  int64_t channels = args.get<int64_t>("feedforward_channels", 1024);
  int64_t num_fcs = args.get<int64_t>("num_fcs", 2);
  if (embed_dims < 1)
    throw args.error("embed_dims",
                     "embed_dims must be positive, got " + std::to_string(embed_dims));
  if (channels < 1)
    throw args.error("feedforward_channels",
                     "feedforward_channels must be positive, got " + std::to_string(channels));
  if (num_fcs < 2)
    throw args.error("num_fcs", "num_fcs should be no less than 2, got " + std::to_string(num_fcs));
  double ffn_drop = transformer_renamed(args, "dropout", "ffn_drop", 0.0);
  if (!(ffn_drop >= 0.0 && ffn_drop <= 1.0))
    throw args.error(args.has("dropout") ? "dropout" : "ffn_drop",
                     "ffn_drop is a probability in [0, 1], got " + std::to_string(ffn_drop));
  FFNOptions o(embed_dims, channels);
  o.num_fcs(num_fcs)
      .act_cfg(args.get("act_cfg", relu_inplace()))
      .ffn_drop(ffn_drop)
      .dropout_layer(dropout_layer(args, DropoutLayerOptions::none()))
      .add_identity(transformer_renamed(args, "add_residual", "add_identity", true))
      .path(args.path());
  no_init_cfg(args);
  return o;
}

}  // namespace transformer_args

namespace {

std::shared_ptr<MultiheadAttentionImpl> build_multihead_attention(Args& args) {
  int64_t embed_dims = args.required<int64_t>("embed_dims");
  int64_t num_heads = args.required<int64_t>("num_heads");
  transformer_args::check_heads(args, embed_dims, num_heads);
  MultiheadAttentionOptions o(embed_dims, num_heads);
  o.attn_drop(transformer_args::probability(args, "attn_drop", 0.0))
      .proj_drop(transformer_args::probability(args, "proj_drop", 0.0))
      .dropout_layer(transformer_args::dropout_layer(args, DropoutLayerOptions::dropout(0.0)))
      .batch_first(args.get("batch_first", false))
      .path(args.path());
  transformer_args::no_init_cfg(args);
  return std::make_shared<MultiheadAttentionImpl>(o);
}

std::shared_ptr<FFNImpl> build_ffn(Args& args) {
  return std::make_shared<FFNImpl>(transformer_args::ffn_options(args));
}

}  // namespace

TUBELET_REGISTER(ATTENTION, MultiheadAttention, build_multihead_attention);
TUBELET_REGISTER(FEEDFORWARD_NETWORK, FFN, build_ffn);

}  // namespace tubelet
