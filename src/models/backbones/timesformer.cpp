#include "tubelet/models/backbones/timesformer.h"

#include <torch/torch.h>

#include <iostream>

#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/error.h"
#include "tubelet/fileio/model_cache.h"
#include "tubelet/models/common/trunc_normal.h"
#include "tubelet/models/layers.h"
#include "tubelet/models/registries.h"

namespace tubelet {

namespace {

const char* const kAttentionTypes[] = {"divided_space_time", "space_only", "joint_space_time"};

Value type_cfg_timesformer(const char* type, std::optional<double> eps = std::nullopt) {
  Dict d;
  d.set("type", Value(type));
  if (eps) d.set("eps", Value(*eps));
  return Value(d);
}

// Python's str.replace: every occurrence.
std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size())
    text.replace(at, from.size(), to);
  return text;
}

void assign(checkpoint::StateDict& state, const std::string& key, const torch::Tensor& value) {
  if (torch::Tensor* old = state.find(key))
    *old = value;
  else
    state.insert(key, value);
}

std::string sizes_text(const std::vector<int64_t>& v) {
  return "(" + std::to_string(v[0]) + ", " + std::to_string(v[1]) + ")";
}

}  // namespace

PatchEmbedImpl::PatchEmbedImpl(std::vector<int64_t> img_size, std::vector<int64_t> patch_size,
                               int64_t in_channels, int64_t embed_dims, const std::string& path) {
  if (img_size.size() != 2 || patch_size.size() != 2 || patch_size[0] <= 0 || patch_size[1] <= 0)
    throw ConfigError(path + ": img_size and patch_size must be an int or a pair of ints");
  num_patches_ = (img_size[1] / patch_size[1]) * (img_size[0] / patch_size[0]);
  if (num_patches_ * patch_size[0] * patch_size[1] != img_size[0] * img_size[1])
    throw ConfigError(path + ": the image size " + sizes_text(img_size) +
                      " must be divisible by the patch size " + sizes_text(patch_size));
  ConvLayerArgs conv;
  conv.in_channels = in_channels;
  conv.out_channels = embed_dims;
  conv.kernel_size = patch_size;
  conv.stride = patch_size;
  projection_ = build_conv_layer(type_cfg_timesformer("Conv2d"), conv, path + ".projection");
  register_module("projection", projection_.ptr());
  // LeCun normal (ClassyVision's), MMAction2's kaiming_init(mode='fan_in', nonlinearity='linear').
  torch::NoGradGuard no_grad;
  for (auto& p : projection_.ptr()->named_parameters(/*recurse=*/false)) {
    if (p.key() == "weight")
      torch::nn::init::kaiming_normal_(p.value(), 0, torch::kFanIn, torch::kLinear);
    else
      p.value().zero_();
  }
}

torch::Tensor PatchEmbedImpl::forward(const torch::Tensor& x) {
  // [b, c, t, h, w] -> [b * t, c, h, w] -> [b * t, patches, embed_dims]
  torch::Tensor frames = x.transpose(1, 2).flatten(0, 1);
  return projection_.forward(frames).flatten(2).transpose(1, 2);
}

TimeSformerImpl::TimeSformerImpl(const TimeSformerOptions& o) : options(o) {
  if (std::find(std::begin(kAttentionTypes), std::end(kAttentionTypes), o.attention_type()) ==
      std::end(kAttentionTypes))
    throw ConfigError(o.path() +
                      ": attention_type must be 'divided_space_time', 'space_only' or "
                      "'joint_space_time', got '" +
                      o.attention_type() + "'");
  if (o.num_frames() < 1 || o.num_transformer_layers() < 1 || o.embed_dims() < 1 ||
      o.num_heads() < 1 || o.embed_dims() % o.num_heads() != 0)
    throw ConfigError(o.path() +
                      ": num_frames and num_transformer_layers must be positive, and embed_dims "
                      "a positive multiple of num_heads");
  int64_t m = o.embed_dims();
  patch_embed_ = register_module(
      "patch_embed",
      PatchEmbed(o.img_size(), o.patch_size(), o.in_channels(), m, o.path() + ".patch_embed"));
  int64_t num_patches = patch_embed_->num_patches();
  cls_token_ = register_parameter("cls_token", torch::zeros({1, 1, m}));
  pos_embed_ = register_parameter("pos_embed", torch::zeros({1, num_patches + 1, m}));
  drop_after_pos_ = register_module("drop_after_pos", torch::nn::Dropout(o.dropout_ratio()));
  if (o.attention_type() != "space_only") {
    time_embed_ = register_parameter("time_embed", torch::zeros({1, o.num_frames(), m}));
    drop_after_time_ = register_module("drop_after_time", torch::nn::Dropout(o.dropout_ratio()));
  }
  Value norm_cfg = o.norm_cfg().is_none() ? type_cfg_timesformer("LN", 1e-6) : o.norm_cfg();
  norm_ = build_norm_layer(norm_cfg, m, "", o.path() + ".norm").second;
  register_module("norm", norm_.ptr());
  Value layers =
      o.transformer_layers().is_none() ? default_transformer_layers() : o.transformer_layers();
  transformer_layers_ =
      register_module("transformer_layers",
                      build_transformer_layer_sequence(layers, o.path() + ".transformer_layers"));
  for (const auto& layer : transformer_layers_->layers())
    if (layer->embed_dims() != m)
      throw ConfigError(o.path() + ".transformer_layers: the layers' embed_dims (" +
                        std::to_string(layer->embed_dims()) + ") must equal embed_dims (" +
                        std::to_string(m) + ")");
  init_weights();
}

// MMAction2's default transformer_layers, the config its __init__ writes: drop path rates
// np.linspace(0, 0.1, num_transformer_layers); divided attention is post-norm (its blocks carry
// their norms), the others pre-norm.
Value TimeSformerImpl::default_transformer_layers() const {
  const TimeSformerOptions& o = options;
  const int64_t n = o.num_transformer_layers(), m = o.embed_dims();
  const bool divided = o.attention_type() == "divided_space_time";
  const Value ln = type_cfg_timesformer("LN", 1e-6);
  auto dict = [](std::initializer_list<std::pair<const char*, Value>> items) {
    Dict d;
    for (const auto& [key, value] : items) d.set(key, value);
    return Value(d);
  };
  auto strings = [](std::initializer_list<const char*> items) {
    List list;
    for (const char* item : items) list.emplace_back(item);
    return Value::tuple(list);
  };
  List layers;
  for (int64_t i = 0; i < n; ++i) {
    // numpy's linspace: i * step, and the last one exactly the end.
    double rate = i == 0 ? 0.0 : i == n - 1 ? 0.1 : static_cast<double>(i) * (0.1 / (n - 1));
    Value drop_path = dict({{"type", "DropPath"}, {"drop_prob", rate}});
    Value ffn = dict({{"type", divided ? "FFNWithNorm" : "FFN"},
                      {"embed_dims", m},
                      {"feedforward_channels", m * 4},
                      {"num_fcs", 2},
                      {"act_cfg", type_cfg_timesformer("GELU")},
                      {"dropout_layer", drop_path}});
    if (divided) {
      ffn.mutable_dict().set("norm_cfg", ln);
      auto attn = [&](const char* type) {
        return dict({{"type", type},
                     {"embed_dims", m},
                     {"num_heads", o.num_heads()},
                     {"num_frames", o.num_frames()},
                     {"dropout_layer", drop_path},
                     {"norm_cfg", ln}});
      };
      layers.push_back(dict({{"type", "BaseTransformerLayer"},
                             {"attn_cfgs", Value::list({attn("DividedTemporalAttentionWithNorm"),
                                                        attn("DividedSpatialAttentionWithNorm")})},
                             {"ffn_cfgs", ffn},
                             {"operation_order", strings({"self_attn", "self_attn", "ffn"})}}));
    } else {
      Value attn = dict({{"type", "MultiheadAttention"},
                         {"embed_dims", m},
                         {"num_heads", o.num_heads()},
                         {"batch_first", true},
                         {"dropout_layer", drop_path}});
      layers.push_back(dict({{"type", "BaseTransformerLayer"},
                             {"attn_cfgs", Value::list({attn})},
                             {"ffn_cfgs", ffn},
                             {"operation_order", strings({"norm", "self_attn", "norm", "ffn"})},
                             {"norm_cfg", ln},
                             {"batch_first", true}}));
    }
  }
  return dict({{"type", "TransformerLayerSequence"},
               {"transformerlayers", Value::list(layers)},
               {"num_layers", n}});
}

void TimeSformerImpl::init_weights() {
  trunc_normal_(pos_embed_, 0, 0.02);
  trunc_normal_(cls_token_, 0, 0.02);
  if (options.pretrained()) load_pretrained(*options.pretrained());
}

// MMAction2's conversion of a ViT checkpoint (mmcv layout) for divided attention: the layer
// norms norms.0/norms.1 become attentions.0.norm/ffns.0.norm, and the attention (with its
// norm) is copied to the spatial attention attentions.1. Loaded non-strictly: temporal_fc and
// time_embed keep their initial values.
void TimeSformerImpl::load_pretrained(const std::string& path) {
  checkpoint::StateDict state = checkpoint::load_checkpoint(path).state_dict;
  if (options.attention_type() == "divided_space_time") {
    checkpoint::StateDict renamed;
    for (const auto& item : state) {
      std::string key = item.key();
      if (key.find("norms") != std::string::npos)
        key =
            replace_all(replace_all(key, "norms.0", "attentions.0.norm"), "norms.1", "ffns.0.norm");
      assign(renamed, key, item.value());
    }
    state = renamed;
    for (const auto& item : renamed)
      if (item.key().find("attentions.0") != std::string::npos)
        assign(state, replace_all(item.key(), "attentions.0", "attentions.1"),
               item.value().clone());
  }
  auto report = checkpoint::load_state_dict(*this, state, /*strict=*/false);
  if (!report.ok()) std::cerr << options.path() << ": " << report.message() << "\n";
}

void TimeSformerImpl::check_input(const torch::Tensor& x) const {
  const auto& size = options.img_size();
  if (x.dim() != 5 || x.size(2) != options.num_frames() || x.size(3) != size[0] ||
      x.size(4) != size[1])
    throw std::invalid_argument(options.path() +
                                ": TimeSformer expects [N, C, T, H, W] with T = num_frames (" +
                                std::to_string(options.num_frames()) + ") and (H, W) = img_size " +
                                sizes_text(size) + ", got " + c10::str(x.sizes()));
}

std::vector<torch::Tensor> TimeSformerImpl::forward_features(const torch::Tensor& input) {
  check_input(input);
  int64_t b = input.size(0), t = options.num_frames(), m = options.embed_dims();
  torch::Tensor x = patch_embed_(input);  // [b * t, p, m]
  x = torch::cat({cls_token_.expand({x.size(0), -1, -1}), x}, 1);
  x = drop_after_pos_(x + pos_embed_);
  if (options.attention_type() != "space_only") {
    // One class token per clip (MMAction2 takes those of the first b rows), then the patches
    // as [b, p * t, m], patch-major, with the time embedding added over each patch's frames.
    torch::Tensor cls_tokens = x.slice(0, 0, b).slice(1, 0, 1);
    int64_t p = x.size(1) - 1;
    torch::Tensor patches =
        x.slice(1, 1).reshape({b, t, p, m}).permute({0, 2, 1, 3}).reshape({b * p, t, m});
    patches = drop_after_time_(patches + time_embed_).reshape({b, p * t, m});
    x = torch::cat({cls_tokens, patches}, 1);
  }
  x = transformer_layers_(x);
  // space_only attends within frames: the clip is the average over its frames.
  if (options.attention_type() == "space_only") x = x.view({-1, t, x.size(-2), x.size(-1)}).mean(1);
  x = norm_.forward(x);
  return {x.select(1, 0)};
}

namespace {

// An int (square) or a pair, as torch's _pair.
std::vector<int64_t> read_pair(Args& args, const char* key) {
  Value v = args.required<Value>(key);
  if (v.is_int()) return {v.as_int(), v.as_int()};
  if (auto pair = ArgConverter<std::vector<int64_t>>::from(v); pair && pair->size() == 2)
    return *pair;
  throw args.error(key, std::string("'") + key + "' must be an int or a pair of ints");
}

// MMAction2 builds transformer_layers with build_transformer_layer_sequence, so it takes a
// dict(type='TransformerLayerSequence', transformerlayers=..., num_layers=...). Its docstring
// also promises a layer config repeated num_transformer_layers times, or a list of them: those
// are taken too, as that sequence.
Value read_transformer_layers(Args& args, int64_t num_layers) {
  Value v = args.get("transformer_layers", Value());
  if (v.is_none()) return v;
  if (v.is_sequence() && static_cast<int64_t>(v.as_list().size()) != num_layers)
    throw args.error("transformer_layers", "transformer_layers lists " +
                                               std::to_string(v.as_list().size()) +
                                               " layer configs but num_transformer_layers is " +
                                               std::to_string(num_layers));
  const Value* type = v.is_dict() ? v.as_dict().find("type") : nullptr;
  if (v.is_dict() &&
      (!type || !type->is_str() ||
       (type->as_str() != "TransformerLayerSequence" && type->as_str() != "BaseTransformerLayer")))
    throw args.error("transformer_layers",
                     "transformer_layers must be None, dict(type='TransformerLayerSequence', "
                     "...), dict(type='BaseTransformerLayer', ...) or a list of the latter, got " +
                         (type ? repr(*type) : std::string("a dict with no 'type'")));
  if (!v.is_dict() && !v.is_sequence())
    throw args.error(
        "transformer_layers",
        std::string("transformer_layers must be a dict or a list, got ") + v.type_name());
  if (type && type->as_str() == "TransformerLayerSequence") return v;
  Dict sequence;
  sequence.set("type", Value("TransformerLayerSequence"));
  sequence.set("transformerlayers", v);
  sequence.set("num_layers", Value(num_layers));
  return Value(sequence);
}

std::shared_ptr<Backbone> build_timesformer(Args& args) {
  TimeSformerOptions o(args.required<int64_t>("num_frames"), read_pair(args, "img_size"),
                       read_pair(args, "patch_size"));
  o.pretrained(args.get<std::optional<std::string>>("pretrained", std::nullopt))
      .embed_dims(args.get<int64_t>("embed_dims", 768))
      .num_heads(args.get<int64_t>("num_heads", 12))
      .num_transformer_layers(args.get<int64_t>("num_transformer_layers", 12))
      .in_channels(args.get<int64_t>("in_channels", 3))
      .dropout_ratio(args.get("dropout_ratio", 0.0))
      .attention_type(args.get("attention_type", "divided_space_time"))
      .norm_cfg(args.get("norm_cfg", type_cfg_timesformer("LN", 1e-6)))
      .path(args.path());
  o.transformer_layers(read_transformer_layers(args, o.num_transformer_layers()));
  if (std::find(std::begin(kAttentionTypes), std::end(kAttentionTypes), o.attention_type()) ==
      std::end(kAttentionTypes))
    throw args.error("attention_type",
                     "attention_type must be 'divided_space_time', "
                     "'space_only' or 'joint_space_time', got '" +
                         o.attention_type() + "'");
  if (std::string why = o.pretrained() ? checkpoint_name_problem(*o.pretrained()) : "";
      !why.empty())
    throw args.error("pretrained", "pretrained=" + why);
  return std::make_shared<TimeSformerImpl>(o);
}

}  // namespace

TUBELET_REGISTER(BACKBONES, TimeSformer, build_timesformer);

}  // namespace tubelet
