#include "tubelet/data/pose/load_kinetics_pose.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "tubelet/checkpoint/pickle.h"

namespace tubelet {

namespace {

// An info list of ints or an integer tensor as int64 values; `key` for messages.
std::vector<int64_t> kinetics_pose_ints(Sample& sample, const std::string& key) {
  if (const torch::Tensor* t = sample.tensor(key)) {
    if (c10::isFloatingType(t->scalar_type()) || t->dim() != 1)
      throw std::invalid_argument("LoadKineticsPose: '" + key +
                                  "' must be one-dimensional integers");
    torch::Tensor v = t->to(torch::kLong).contiguous();
    return {v.data_ptr<int64_t>(), v.data_ptr<int64_t>() + v.numel()};
  }
  const Value& v = sample.need(key, "LoadKineticsPose");
  if (!v.is_sequence())
    throw std::invalid_argument("LoadKineticsPose: '" + key + "' must be a list of integers");
  std::vector<int64_t> out;
  for (const Value& x : v.as_list()) out.push_back(x.as_int());
  return out;
}

void kinetics_pose_erase(Sample& sample, const std::string& key) {
  sample.info.erase(key);
  for (auto it = sample.tensors.begin(); it != sample.tensors.end(); ++it)
    if (it->first == key) {
      sample.tensors.erase(it);
      return;
    }
}

bool kinetics_pose_has(const Sample& sample, const std::string& key) {
  return sample.info.contains(key) || sample.tensor(key) != nullptr;
}

// numpy's rounding of a float or double to float16 (once, to nearest even), as a float.
float kinetics_pose_half(double x) {
  if (!std::isfinite(x)) return static_cast<float>(c10::Half(static_cast<float>(x)));
  int e = 0;
  std::frexp(x, &e);                              // |x| in [2^(e-1), 2^e)
  const int quantum = std::max(e - 1, -14) - 10;  // float16's step at that magnitude
  const double r = std::ldexp(std::nearbyint(std::ldexp(x, -quantum)), quantum);
  if (std::fabs(r) > 65504.0) return x > 0 ? INFINITY : -INFINITY;
  return static_cast<float>(r);  // exact: r is a float16 value
}

}  // namespace

LoadKineticsPose::LoadKineticsPose(LoadKineticsPoseOptions options) : options_(std::move(options)) {
  if (options_.source == "openpose-18") {
    face_ = {0, 14, 15, 16, 17};
    torso_ = {1, 2, 8, 5, 11};
    limb_ = {3, 4, 6, 7, 9, 10, 12, 13};
  } else if (options_.source == "mmpose") {
    face_ = {0, 1, 2, 3, 4};
    torso_ = {5, 6, 11, 12};
    limb_ = {7, 8, 9, 10, 13, 14, 15, 16};
  } else {
    throw std::invalid_argument("LoadKineticsPose: Unknown source of Kinetics Pose '" +
                                options_.source + "' ('mmpose' or 'openpose-18')");
  }
}

void LoadKineticsPose::apply(Sample& sample) {
  const Value& fname = sample.need("filename", type());
  if (!fname.is_str()) throw std::invalid_argument("LoadKineticsPose: 'filename' must be a str");
  const std::string filename = fname.as_str();
  std::vector<int64_t> anno_inds;
  const bool has_anno = kinetics_pose_has(sample, "anno_inds");
  if (has_anno) {
    if (options_.source != "mmpose")
      throw std::invalid_argument("LoadKineticsPose: anno_inds need source='mmpose'");
    anno_inds = kinetics_pose_ints(sample, "anno_inds");
  }
  std::vector<int64_t> frame_inds = kinetics_pose_ints(sample, "frame_inds");
  int64_t total_frames = sample.need("total_frames", type()).as_int();
  const Value& shape = sample.need("img_shape", type());
  if (!shape.is_sequence() || shape.as_list().size() != 2)
    throw std::invalid_argument("LoadKineticsPose: img_shape must be (h, w)");
  const int64_t h = shape.as_list()[0].as_int(), w = shape.as_list()[1].as_int();

  checkpoint::Pickle p = checkpoint::load_pickle_file(filename);
  if (!p.root->is(checkpoint::PyObject::Kind::Tensor) || p.root->tensor.dim() != 3 ||
      p.root->tensor.size(2) < 3 || !c10::isFloatingType(p.root->tensor.scalar_type()))
    throw std::invalid_argument("LoadKineticsPose: " + filename +
                                " must hold a float array of boxes x joints x 3 (x, y, score)");
  torch::Tensor kps = p.root->tensor;
  if (has_anno) {
    const int64_t n = kps.size(0), nf = static_cast<int64_t>(frame_inds.size());
    std::vector<int64_t> kept;
    for (int64_t& i : anno_inds) {  // numpy indexing: negative counts from the end
      const int64_t k = i < 0 ? i + n : i, f = i < 0 ? i + nf : i;
      if (k < 0 || k >= n || f < 0 || f >= nf)
        throw std::out_of_range("LoadKineticsPose: anno_inds index " + std::to_string(i) +
                                " is out of bounds for " + std::to_string(n) + " boxes");
      kept.push_back(frame_inds[static_cast<size_t>(f)]);
      i = k;
    }
    kps = kps.index_select(0, torch::tensor(anno_inds, torch::kLong));
    frame_inds = kept;
  }
  if (options_.squeeze) {  // each frame index becomes its rank among the distinct ones
    std::vector<int64_t> uniq = frame_inds;
    std::sort(uniq.begin(), uniq.end());
    uniq.erase(std::unique(uniq.begin(), uniq.end()), uniq.end());
    for (int64_t& f : frame_inds) f = std::lower_bound(uniq.begin(), uniq.end(), f) - uniq.begin();
    if (frame_inds.empty())
      throw std::invalid_argument("LoadKineticsPose: " + filename + " has no boxes to load");
    total_frames = *std::max_element(frame_inds.begin(), frame_inds.end()) + 1;
  }
  sample.info.set("total_frames", Value(total_frames));
  if (options_.source == "openpose-18") {
    kps = kps.clone();
    kps.select(2, 0).mul_(w);
    kps.select(2, 1).mul_(h);
  }
  const int64_t num_kp = kps.size(1);
  std::vector<int64_t> count(static_cast<size_t>(std::max<int64_t>(total_frames, 0)), 0);
  for (int64_t f : frame_inds) {
    if (f < 0 || f >= total_frames)
      throw std::out_of_range("LoadKineticsPose: frame index " + std::to_string(f) +
                              " is not below total_frames " + std::to_string(total_frames));
    ++count[static_cast<size_t>(f)];
  }
  const int64_t num_person = *std::max_element(count.begin(), count.end());  // scipy's mode
  std::fill(count.begin(), count.end(), 0);
  torch::Tensor kp64 = kps.to(torch::kDouble).contiguous();  // exact for float16/32/64
  auto kp_new = torch::zeros({num_person, total_frames, num_kp, 2}, torch::kFloat);
  auto score_new = torch::zeros({num_person, total_frames, num_kp}, torch::kFloat);
  {
    const double* src = kp64.data_ptr<double>();
    float* dkp = kp_new.data_ptr<float>();
    float* dsc = score_new.data_ptr<float>();
    const int64_t stride = kp64.size(1) * kp64.size(2);
    const size_t n = std::min(frame_inds.size(), static_cast<size_t>(kps.size(0)));
    for (size_t b = 0; b < n; ++b) {  // zip(frame_inds, kps)
      const int64_t f = frame_inds[b], person = count[static_cast<size_t>(f)]++;
      const double* box = src + static_cast<int64_t>(b) * stride;
      for (int64_t j = 0; j < num_kp; ++j) {
        const int64_t at = (person * total_frames + f) * num_kp + j;
        dkp[at * 2] = kinetics_pose_half(box[j * kp64.size(2)]);
        dkp[at * 2 + 1] = kinetics_pose_half(box[j * kp64.size(2) + 1]);
        dsc[at] = kinetics_pose_half(box[j * kp64.size(2) + 2]);
      }
    }
  }
  sample.info.set("num_person", Value(num_person));
  if (num_person > options_.max_person) {
    const float* sc = score_new.data_ptr<float>();
    auto group = [&](const std::vector<int64_t>& joints, int64_t person, int64_t f) {
      // np.sum(axis=1) of float16: float accumulation, the first value then the rest.
      float first = 0, rest = 0;
      for (size_t k = 0; k < joints.size(); ++k) {
        const int64_t j = joints[k];
        if (j >= num_kp)
          throw std::invalid_argument("LoadKineticsPose: keypoint_weight's joints need " +
                                      std::to_string(j + 1) + " joints, the file has " +
                                      std::to_string(num_kp));
        const float v = sc[(person * total_frames + f) * num_kp + j];
        if (k == 0)
          first = v;
        else
          rest += v;
      }
      return kinetics_pose_half(first + rest);
    };
    for (int64_t f = 0; f < total_frames; ++f) {
      const int64_t np_frame = count[static_cast<size_t>(f)];
      std::vector<float> val(static_cast<size_t>(np_frame));
      for (int64_t q = 0; q < np_frame; ++q) {
        const float a =
            kinetics_pose_half(group(face_, q, f) * kinetics_pose_half(options_.face_weight));
        const float b =
            kinetics_pose_half(group(torso_, q, f) * kinetics_pose_half(options_.torso_weight));
        const float c =
            kinetics_pose_half(group(limb_, q, f) * kinetics_pose_half(options_.limb_weight));
        val[static_cast<size_t>(q)] = kinetics_pose_half(kinetics_pose_half(a + b) + c);
      }
      std::vector<int64_t> order(static_cast<size_t>(np_frame));
      for (int64_t q = 0; q < np_frame; ++q) order[static_cast<size_t>(q)] = q;
      std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) {
        return -val[static_cast<size_t>(x)] < -val[static_cast<size_t>(y)];
      });
      if (np_frame == 0) continue;
      torch::Tensor idx = torch::tensor(order, torch::kLong);
      torch::Tensor kf = kp_new.select(1, f), sf = score_new.select(1, f);
      kf.narrow(0, 0, np_frame).copy_(kf.narrow(0, 0, np_frame).index_select(0, idx));
      sf.narrow(0, 0, np_frame).copy_(sf.narrow(0, 0, np_frame).index_select(0, idx));
    }
    sample.info.set("num_person", Value(options_.max_person));
  }
  const int64_t keep = std::min(num_person, options_.max_person);
  for (const char* key : {"filename", "anno_inds", "box_score", "frame_inds"})
    kinetics_pose_erase(sample, key);
  sample.set_tensor("keypoint", kp_new.narrow(0, 0, keep).to(torch::kHalf));
  sample.set_tensor("keypoint_score", score_new.narrow(0, 0, keep).to(torch::kHalf));
}

std::shared_ptr<Transform> LoadKineticsPose::from_config(Args& args) {
  LoadKineticsPoseOptions o;
  o.io_backend = args.get("io_backend", "disk");
  o.squeeze = args.get("squeeze", true);
  o.max_person = args.get<int64_t>("max_person", 100);
  if (const Value* weight = args.find("keypoint_weight")) {
    if (!weight->is_dict()) throw args.error("keypoint_weight", "keypoint_weight must be a dict");
    const Dict& d = weight->as_dict();
    for (const char* part : {"face", "torso", "limb"}) {
      const Value* v = d.find(part);
      if (!v || !v->is_number())
        throw args.error("keypoint_weight",
                         std::string("keypoint_weight needs a number for '") + part + "'");
    }
    o.face_weight = d.at("face").as_float();
    o.torso_weight = d.at("torso").as_float();
    o.limb_weight = d.at("limb").as_float();
  }
  o.source = args.get("source", "mmpose");
  if (o.io_backend != "disk")
    throw args.error("io_backend",
                     "only io_backend='disk' is supported, got '" + o.io_backend + "'");
  if (o.source != "mmpose" && o.source != "openpose-18")
    throw args.error(
        "source", "Unknown source of Kinetics Pose '" + o.source + "' ('mmpose' or 'openpose-18')");
  if (o.max_person < 0) throw args.error("max_person", "max_person must not be negative");
  return std::make_shared<LoadKineticsPose>(o);
}

TUBELET_REGISTER(PIPELINES, LoadKineticsPose, LoadKineticsPose::from_config);

}  // namespace tubelet
