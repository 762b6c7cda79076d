// A pipeline step registered in PIPELINES (MMAction2's transforms: SampleFrames,
// DecordDecode, Resize, ...), and Compose, the pipeline itself.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tubelet/data/registries.h"
#include "tubelet/data/sample.h"

namespace tubelet {

class Transform {
 public:
  virtual ~Transform() = default;
  // Transforms `sample` in place; throws with a message naming what is wrong.
  virtual void apply(Sample& sample) = 0;
  // The registered name ("Resize").
  virtual std::string type() const = 0;
};

class Compose {
 public:
  Compose() = default;
  // A list of PIPELINES configs; `path` ("data.train.pipeline") names them in errors.
  Compose(const Value& pipeline, const std::string& path);
  // Applies each step in order; an error is rethrown prefixed with the step's type and place.
  void apply(Sample& sample) const;
  const std::vector<std::shared_ptr<Transform>>& steps() const { return steps_; }

 private:
  std::vector<std::shared_ptr<Transform>> steps_;
  std::vector<std::string> paths_;
};

}  // namespace tubelet
