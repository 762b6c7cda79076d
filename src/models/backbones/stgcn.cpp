#include "tubelet/models/backbones/stgcn.h"

#include "gcn_layout.h"

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/dropout.h>

#include <iostream>
#include <sstream>

#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/fileio/model_cache.h"
#include "tubelet/models/registries.h"
#include "tubelet/models/weight_init.h"

namespace tubelet {

void check_skeleton_input(const torch::Tensor& x, const std::string& model, int64_t in_channels,
                          int64_t num_node) {
  auto fail = [&](const std::string& why) {
    std::ostringstream s;
    s << model << " expects keypoints [N, C, T, V, M] (C = in_channels = " << in_channels
      << ", V = " << num_node << " joints of the graph's layout, M persons); " << why
      << ", got shape " << x.sizes();
    throw std::invalid_argument(s.str());
  };
  if (!x.defined()) throw std::invalid_argument(model + " got an undefined keypoint tensor");
  if (x.dim() != 5) fail("the input has " + std::to_string(x.dim()) + " dimensions");
  if (x.size(1) != in_channels) fail("C is " + std::to_string(x.size(1)));
  if (x.size(3) != num_node) fail("V is " + std::to_string(x.size(3)));
}

STGCNGraphConvImpl::STGCNGraphConvImpl(int64_t in_channels, int64_t out_channels,
                                       int64_t kernel_size_)
    : kernel_size(kernel_size_) {
  conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(
                                     in_channels, out_channels * kernel_size, {1, 1})));
}

torch::Tensor STGCNGraphConvImpl::forward(const torch::Tensor& input, const torch::Tensor& adj) {
  TORCH_CHECK(adj.size(0) == kernel_size, "STGCN: the graph convolution has ", kernel_size,
              " kernels but A has ", adj.size(0));
  torch::Tensor x = conv(input);
  const int64_t n = x.size(0), kc = x.size(1), t = x.size(2), v = x.size(3);
  x = x.view({n, kernel_size, kc / kernel_size, t, v});
  return torch::einsum("nkctv,kvw->nctw", {x, adj}).contiguous();
}

STGCNBlockImpl::STGCNBlockImpl(int64_t in_channels, int64_t out_channels, int64_t temporal_kernel,
                               int64_t spatial_kernel, int64_t stride, double dropout,
                               bool residual) {
  const int64_t padding = (temporal_kernel - 1) / 2;
  gcn_ = register_module("gcn", STGCNGraphConv(in_channels, out_channels, spatial_kernel));
  tcn_ = register_module(
      "tcn",
      torch::nn::Sequential(torch::nn::BatchNorm2d(out_channels), torch::nn::ReLU(),
                            torch::nn::Conv2d(torch::nn::Conv2dOptions(out_channels, out_channels,
                                                                       {temporal_kernel, 1})
                                                  .stride({stride, 1})
                                                  .padding({padding, 0})),
                            torch::nn::BatchNorm2d(out_channels), torch::nn::Dropout(dropout)));
  identity_residual_ = gcn_layout::identity_residual(residual, in_channels, out_channels, stride);
  if (residual && !identity_residual_)
    residual_ =
        register_module("residual", gcn_layout::conv_residual(in_channels, out_channels, stride));
}

torch::Tensor STGCNBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& adj) {
  return gcn_layout::add_residual(tcn_->forward(gcn_(x, adj)), x, identity_residual_, residual_);
}

STGCNImpl::STGCNImpl(const STGCNOptions& o) : options(o), graph(o.graph_cfg()) {
  if (o.in_channels() < 1)
    throw std::invalid_argument("STGCN: in_channels must be positive, not " +
                                std::to_string(o.in_channels()));
  if (o.pretrained()) check_checkpoint_name(*o.pretrained(), o.path());
  A_ = register_buffer("A", graph.A().to(torch::kFloat));
  const int64_t k = A_.size(0), v = A_.size(1);
  if (o.data_bn())
    data_bn_ = register_module("data_bn", torch::nn::BatchNorm1d(o.in_channels() * v));
  auto networks = register_module("st_gcn_networks", torch::nn::ModuleList());
  int64_t in = o.in_channels();
  for (size_t i = 0; i < gcn_layout::kStages.size(); ++i) {
    const gcn_layout::Stage& s = gcn_layout::kStages[i];
    // The first block has no residual and no dropout (MMAction2 drops it from its kwargs).
    STGCNBlock block(in, s.out, gcn_layout::kTemporalKernel, k, s.stride,
                     i == 0 ? 0.0 : o.dropout(),
                     /*residual=*/i != 0);
    networks->push_back(block);
    blocks_.push_back(block);
    in = s.out;
  }
  if (o.edge_importance_weighting()) {
    edge_importance_ = register_module("edge_importance", torch::nn::ParameterList());
    // nn.Parameter requires grad; LibTorch's ParameterList keeps the tensor's flag.
    for (size_t i = 0; i < blocks_.size(); ++i)
      edge_importance_->append(torch::ones(A_.sizes()).requires_grad_());
  }
  init_weights();
  if (o.pretrained()) {
    auto report =
        checkpoint::load_state_dict(*this, checkpoint::load_checkpoint(*o.pretrained()).state_dict);
    if (!report.ok()) std::cerr << report.message() << "\n";
  }
}

void STGCNImpl::init_weights() {
  for (auto& m : modules(/*include_self=*/false)) {
    if (m->as<torch::nn::Conv2d>())
      kaiming_init(*m);
    else if (m->as<torch::nn::BatchNorm1d>() || m->as<torch::nn::BatchNorm2d>())
      constant_init(*m, 1);
  }
}

std::vector<torch::Tensor> STGCNImpl::forward_features(const torch::Tensor& input) {
  check_skeleton_input(input, "STGCN", options.in_channels(), graph.num_node());
  torch::Tensor x = input.to(torch::kFloat);
  const int64_t n = x.size(0), c = x.size(1), t = x.size(2), v = x.size(3), m = x.size(4);
  x = x.permute({0, 4, 3, 1, 2}).contiguous().view({n * m, v * c, t});  // N M V C T
  if (data_bn_) x = data_bn_(x);
  x = x.view({n, m, v, c, t}).permute({0, 1, 3, 4, 2}).contiguous().view({n * m, c, t, v});
  for (size_t i = 0; i < blocks_.size(); ++i)
    x = blocks_[i](x, edge_importance_ ? A_ * edge_importance_[i] : A_);
  return {x};
}

STGCNOptions STGCNOptions::from_config(Args& args) {
  STGCNOptions o(args.required<int64_t>("in_channels"));
  Args graph_args(args.required<Value>("graph_cfg"), "Graph", args.path() + ".graph_cfg");
  o.graph_cfg(SkeletonGraphOptions::from_config(graph_args));
  graph_args.finish();
  o.edge_importance_weighting(args.get("edge_importance_weighting", true))
      .data_bn(args.get("data_bn", true))
      .pretrained(args.get<std::optional<std::string>>("pretrained", std::nullopt))
      .dropout(args.get("dropout", 0.0))
      .path(args.path());
  if (o.in_channels() < 1) throw args.error("in_channels", "in_channels must be positive");
  if (o.dropout() < 0 || o.dropout() > 1) throw args.error("dropout", "dropout must be in [0, 1]");
  return o;
}

namespace {
std::shared_ptr<Backbone> build_stgcn(Args& args) {
  return std::make_shared<STGCNImpl>(STGCNOptions::from_config(args));
}
}  // namespace

TUBELET_REGISTER(BACKBONES, STGCN, build_stgcn);

}  // namespace tubelet
