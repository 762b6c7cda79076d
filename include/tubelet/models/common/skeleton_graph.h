// MMAction2's skeleton Graph (mmaction/models/skeleton_gcn/utils/graph.py): the joints and
// bones of a pose layout and the adjacency matrices A [K, V, V] that STGCN and AGCN register
// as their buffer `A`. A plain class (not a module): it only computes A, in double precision
// and with numpy's arithmetic, so A.to(torch::kFloat) is bitwise MMAction2's float32 buffer.
#pragma once

#include <torch/types.h>

#include <string>
#include <utility>
#include <vector>

#include "tubelet/args.h"

namespace tubelet {

struct SkeletonGraphOptions {
  /// "openpose-18", "openpose-25", "ntu-rgb+d", "ntu_edge" or "coco".
  TORCH_ARG(std::string, layout) = "openpose-18";
  /// "uniform", "distance", "spatial" or "agcn" (AGCN's self/inward/outward matrices; only
  /// for the layouts MMAction2 gives self and neighbour links: openpose-25 and ntu-rgb+d).
  TORCH_ARG(std::string, strategy) = "uniform";
  /// Joints at most this many bones apart are connected.
  TORCH_ARG(int64_t, max_hop) = 1;
  /// The hops kept: 0, dilation, 2 * dilation, ... up to max_hop.
  TORCH_ARG(int64_t, dilation) = 1;

 public:  // TORCH_ARG leaves the section private
  // graph_cfg=dict(layout=..., strategy=..., max_hop=..., dilation=...), checked here so that
  // errors name the config key.
  static SkeletonGraphOptions from_config(Args& args);
};

class SkeletonGraph {
 public:
  // Throws std::invalid_argument naming the argument for an unknown layout or strategy, a
  // negative max_hop or a dilation below 1.
  explicit SkeletonGraph(const SkeletonGraphOptions& options = {});

  int64_t num_node() const { return num_node_; }
  int64_t center() const { return center_; }
  // Self links first, then the bones, as (i, j) pairs of 0-based joints.
  const std::vector<std::pair<int64_t, int64_t>>& edge() const { return edge_; }
  // Bones apart (up to max_hop; infinity beyond), [V, V] row-major.
  const std::vector<double>& hop_dis() const { return hop_dis_; }
  // The adjacency matrices [K, V, V], float64 as numpy computes them.
  const torch::Tensor& A() const { return A_; }

  SkeletonGraphOptions options;

 private:
  void set_edges(const std::string& layout);
  void set_adjacency(const std::string& strategy);

  int64_t num_node_ = 0;
  int64_t center_ = 0;
  std::vector<std::pair<int64_t, int64_t>> edge_;
  // Only openpose-25 and ntu-rgb+d have them (MMAction2's 'agcn' strategy reads them).
  std::vector<std::pair<int64_t, int64_t>> self_link_, neighbor_link_;
  std::vector<double> hop_dis_;
  torch::Tensor A_;
};

}  // namespace tubelet
