// MMAction2's ToTensor(keys), ImageToTensor(keys) and Transpose(keys, order).
// ToTensor: a tensor stays as it is; frames (imgs before FormatShape) are stacked
//   (N x H x W x C); a plain value moves from info to the sample's tensors as mmcv's to_tensor
//   makes it: int -> int64 [1], float -> float32 [1], a (nested) list or tuple of numbers ->
//   torch.tensor(data) (int64, float32 or bool); anything else is an error ("type <class
//   'str'> cannot be converted to tensor.").
// ImageToTensor: an H x W x C tensor becomes C x H x W (the key must already be a tensor).
// Transpose: permutes a tensor's dimensions by `order` (numpy's transpose).
#pragma once

#include <string>
#include <vector>

#include "tubelet/data/transform.h"

namespace tubelet {

// mmcv's to_tensor for a plain value; std::invalid_argument for what it refuses.
torch::Tensor value_to_tensor(const Value& v);

class ToTensor : public Transform {
 public:
  explicit ToTensor(std::vector<std::string> keys) : keys_(std::move(keys)) {}
  void apply(Sample& sample) override;
  std::string type() const override { return "ToTensor"; }

 private:
  std::vector<std::string> keys_;
};

class ImageToTensor : public Transform {
 public:
  explicit ImageToTensor(std::vector<std::string> keys) : keys_(std::move(keys)) {}
  void apply(Sample& sample) override;
  std::string type() const override { return "ImageToTensor"; }

 private:
  std::vector<std::string> keys_;
};

class Transpose : public Transform {
 public:
  Transpose(std::vector<std::string> keys, std::vector<int64_t> order)
      : keys_(std::move(keys)), order_(std::move(order)) {}
  void apply(Sample& sample) override;
  std::string type() const override { return "Transpose"; }

 private:
  std::vector<std::string> keys_;
  std::vector<int64_t> order_;
};

}  // namespace tubelet
