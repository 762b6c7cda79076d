// FormatGCNInput (MMAction2 0.24.1, pipelines/formatting.py): keypoint (M x T x V x C) with
// keypoint_score (M x T x V, when present) appended as a channel, reordered to C x T x V x M
// ('NCTVM', the only input_format) and padded with zeros or truncated to num_person persons.
// Writes "keypoint" (contiguous, numpy's promoted dtype) and input_shape (a tuple).
#pragma once

#include <memory>
#include <string>

#include "tubelet/args.h"
#include "tubelet/data/transform.h"

namespace tubelet {

class FormatGCNInput : public Transform {
 public:
  FormatGCNInput(std::string input_format, int64_t num_person)
      : input_format_(std::move(input_format)), num_person_(num_person) {}
  void apply(Sample& sample) override;
  std::string type() const override { return "FormatGCNInput"; }
  static std::shared_ptr<Transform> from_config(Args& args);

 private:
  std::string input_format_;
  int64_t num_person_;
};

}  // namespace tubelet
