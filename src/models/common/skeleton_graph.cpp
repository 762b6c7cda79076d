#include "tubelet/models/common/skeleton_graph.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace tubelet {

namespace {

using SkeletonEdges = std::vector<std::pair<int64_t, int64_t>>;

const std::vector<std::string> kSkeletonLayouts = {"openpose-18", "openpose-25", "ntu-rgb+d",
                                                   "ntu_edge", "coco"};
const std::vector<std::string> kSkeletonStrategies = {"uniform", "distance", "spatial", "agcn"};

std::string skeleton_quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "'" : ", '") + n + "'";
  return out;
}

// What is wrong with the options, naming the argument; empty when nothing is.
std::pair<std::string, std::string> skeleton_graph_problem(const SkeletonGraphOptions& o) {
  auto known = [](const std::vector<std::string>& names, const std::string& n) {
    return std::find(names.begin(), names.end(), n) != names.end();
  };
  if (!known(kSkeletonLayouts, o.layout()))
    return {"layout", "layout '" + o.layout() + "' is not supported; expected one of " +
                          skeleton_quoted_list(kSkeletonLayouts)};
  if (!known(kSkeletonStrategies, o.strategy()))
    return {"strategy", "strategy '" + o.strategy() + "' is not supported; expected one of " +
                            skeleton_quoted_list(kSkeletonStrategies)};
  if (o.strategy() == "agcn" && o.layout() != "openpose-25" && o.layout() != "ntu-rgb+d")
    return {"strategy",
            "strategy 'agcn' needs a layout with self and neighbour links ('openpose-25' or "
            "'ntu-rgb+d'), not '" +
                o.layout() + "'"};
  if (o.max_hop() < 0)
    return {"max_hop", "max_hop must be >= 0, not " + std::to_string(o.max_hop())};
  if (o.dilation() < 1)
    return {"dilation", "dilation must be >= 1, not " + std::to_string(o.dilation())};
  return {};
}

SkeletonEdges skeleton_self_links(int64_t n) {
  SkeletonEdges links;
  for (int64_t i = 0; i < n; ++i) links.emplace_back(i, i);
  return links;
}

SkeletonEdges skeleton_zero_based(const SkeletonEdges& one_based) {
  SkeletonEdges links;
  for (auto [i, j] : one_based) links.emplace_back(i - 1, j - 1);
  return links;
}

// numpy's normalize_digraph: every column divided by its sum (columns summing to 0 stay 0).
std::vector<double> skeleton_normalize_digraph(const std::vector<double>& adj, int64_t n) {
  std::vector<double> inv(static_cast<size_t>(n), 0.0);
  for (int64_t j = 0; j < n; ++j) {
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += adj[i * n + j];
    if (sum > 0) inv[j] = 1.0 / sum;
  }
  // np.dot(adj, Dn) with a diagonal Dn: one product per entry, the other terms exact zeros.
  std::vector<double> out(adj.size(), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) out[i * n + j] = adj[i * n + j] * inv[j];
  return out;
}

// edge2mat: A[j, i] = 1 for every link (i, j).
std::vector<double> skeleton_edge2mat(const SkeletonEdges& links, int64_t n) {
  std::vector<double> a(static_cast<size_t>(n * n), 0.0);
  for (auto [i, j] : links) a[j * n + i] = 1;
  return a;
}

}  // namespace

SkeletonGraphOptions SkeletonGraphOptions::from_config(Args& args) {
  SkeletonGraphOptions o;
  o.layout(args.get("layout", "openpose-18"))
      .strategy(args.get("strategy", "uniform"))
      .max_hop(args.get<int64_t>("max_hop", 1))
      .dilation(args.get<int64_t>("dilation", 1));
  if (auto [key, why] = skeleton_graph_problem(o); !key.empty()) throw args.error(key, why);
  return o;
}

SkeletonGraph::SkeletonGraph(const SkeletonGraphOptions& o) : options(o) {
  if (auto [key, why] = skeleton_graph_problem(o); !key.empty())
    throw std::invalid_argument("Graph: " + why);
  set_edges(o.layout());

  // get_hop_distance: the fewest bones between two joints, up to max_hop (walks of exactly d
  // bones exist for every d at least that, as each joint links to itself).
  const int64_t n = num_node_;
  std::vector<char> adj(static_cast<size_t>(n * n), 0);
  for (auto [i, j] : edge_) adj[i * n + j] = adj[j * n + i] = 1;
  hop_dis_.assign(static_cast<size_t>(n * n), std::numeric_limits<double>::infinity());
  std::vector<char> reach(static_cast<size_t>(n * n), 0);  // (adj^d > 0), from d = 0
  for (int64_t i = 0; i < n; ++i) reach[i * n + i] = 1;
  for (int64_t d = 0; d <= o.max_hop(); ++d) {
    if (d > 0) {
      std::vector<char> next(reach.size(), 0);
      for (int64_t i = 0; i < n; ++i)
        for (int64_t k = 0; k < n; ++k)
          if (reach[i * n + k])
            for (int64_t j = 0; j < n; ++j) next[i * n + j] |= adj[k * n + j];
      reach = std::move(next);
    }
    for (size_t e = 0; e < reach.size(); ++e)
      if (reach[e] && hop_dis_[e] > static_cast<double>(d)) hop_dis_[e] = static_cast<double>(d);
  }
  set_adjacency(o.strategy());
}

void SkeletonGraph::set_edges(const std::string& layout) {
  SkeletonEdges neighbor;
  if (layout == "openpose-18") {
    num_node_ = 18;
    neighbor = {{4, 3}, {3, 2}, {7, 6}, {6, 5}, {13, 12}, {12, 11}, {10, 9},  {9, 8},  {11, 5},
                {8, 2}, {5, 1}, {2, 1}, {0, 1}, {15, 0},  {14, 0},  {17, 15}, {16, 14}};
    center_ = 1;
  } else if (layout == "openpose-25") {
    num_node_ = 25;
    neighbor = {{4, 3},  {3, 2}, {7, 6},   {6, 5},   {23, 22}, {22, 11}, {24, 11}, {11, 10},
                {10, 9}, {9, 8}, {20, 19}, {19, 14}, {21, 14}, {14, 13}, {13, 12}, {12, 8},
                {8, 1},  {5, 1}, {2, 1},   {0, 1},   {15, 0},  {16, 0},  {17, 15}, {18, 16}};
    self_link_ = skeleton_self_links(num_node_);
    neighbor_link_ = neighbor;
    center_ = 1;
  } else if (layout == "ntu-rgb+d") {
    num_node_ = 25;
    neighbor = skeleton_zero_based({{1, 2},   {2, 21},  {3, 21},  {4, 3},   {5, 21},  {6, 5},
                                    {7, 6},   {8, 7},   {9, 21},  {10, 9},  {11, 10}, {12, 11},
                                    {13, 1},  {14, 13}, {15, 14}, {16, 15}, {17, 1},  {18, 17},
                                    {19, 18}, {20, 19}, {22, 23}, {23, 8},  {24, 25}, {25, 12}});
    self_link_ = skeleton_self_links(num_node_);
    neighbor_link_ = neighbor;
    center_ = 21 - 1;
  } else if (layout == "ntu_edge") {
    num_node_ = 24;
    neighbor = skeleton_zero_based({{1, 2},   {3, 2},   {4, 3},   {5, 2},   {6, 5},   {7, 6},
                                    {8, 7},   {9, 2},   {10, 9},  {11, 10}, {12, 11}, {13, 1},
                                    {14, 13}, {15, 14}, {16, 15}, {17, 1},  {18, 17}, {19, 18},
                                    {20, 19}, {21, 22}, {22, 8},  {23, 24}, {24, 12}});
    center_ = 2;
  } else {  // coco
    num_node_ = 17;
    neighbor = skeleton_zero_based({{16, 14},
                                    {14, 12},
                                    {17, 15},
                                    {15, 13},
                                    {12, 13},
                                    {6, 12},
                                    {7, 13},
                                    {6, 7},
                                    {8, 6},
                                    {9, 7},
                                    {10, 8},
                                    {11, 9},
                                    {2, 3},
                                    {2, 1},
                                    {3, 1},
                                    {4, 2},
                                    {5, 3},
                                    {4, 6},
                                    {5, 7}});
    center_ = 0;
  }
  edge_ = skeleton_self_links(num_node_);
  edge_.insert(edge_.end(), neighbor.begin(), neighbor.end());
}

void SkeletonGraph::set_adjacency(const std::string& strategy) {
  const int64_t n = num_node_;
  const size_t nn = static_cast<size_t>(n * n);
  std::vector<int64_t> valid_hop;
  for (int64_t hop = 0; hop <= options.max_hop(); hop += options.dilation())
    valid_hop.push_back(hop);
  std::vector<double> adjacency(nn, 0.0);
  for (int64_t hop : valid_hop)
    for (size_t e = 0; e < nn; ++e)
      if (hop_dis_[e] == static_cast<double>(hop)) adjacency[e] = 1;
  const std::vector<double> normalized = skeleton_normalize_digraph(adjacency, n);

  std::vector<std::vector<double>> mats;
  if (strategy == "uniform") {
    mats.push_back(normalized);
  } else if (strategy == "distance") {
    for (int64_t hop : valid_hop) {
      std::vector<double> a(nn, 0.0);
      for (size_t e = 0; e < nn; ++e)
        if (hop_dis_[e] == static_cast<double>(hop)) a[e] = normalized[e];
      mats.push_back(std::move(a));
    }
  } else if (strategy == "spatial") {
    auto dis = [&](int64_t a, int64_t b) { return hop_dis_[a * n + b]; };
    for (int64_t hop : valid_hop) {
      std::vector<double> root(nn, 0.0), close(nn, 0.0), further(nn, 0.0);
      for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j) {
          if (dis(j, i) != static_cast<double>(hop)) continue;
          const double v = normalized[j * n + i];
          if (dis(j, center_) == dis(i, center_))
            root[j * n + i] = v;
          else if (dis(j, center_) > dis(i, center_))
            close[j * n + i] = v;
          else
            further[j * n + i] = v;
        }
      if (hop == 0) {
        mats.push_back(std::move(root));
      } else {
        for (size_t e = 0; e < nn; ++e) root[e] += close[e];
        mats.push_back(std::move(root));
        mats.push_back(std::move(further));
      }
    }
  } else {  // agcn: self links, inward, outward
    SkeletonEdges outward;
    for (auto [i, j] : neighbor_link_) outward.emplace_back(j, i);
    mats.push_back(skeleton_edge2mat(self_link_, n));
    mats.push_back(skeleton_normalize_digraph(skeleton_edge2mat(neighbor_link_, n), n));
    mats.push_back(skeleton_normalize_digraph(skeleton_edge2mat(outward, n), n));
  }
  A_ = torch::empty({static_cast<int64_t>(mats.size()), n, n}, torch::kDouble);
  double* out = A_.data_ptr<double>();
  for (const auto& m : mats) out = std::copy(m.begin(), m.end(), out);
}

}  // namespace tubelet
