// AudioAmplify(ratio): multiplies "audios" by `ratio` in place (float32 stays float32, as
// numpy's `*=` keeps the array's type) and sets amplify_ratio. MMAction2 refuses a ratio that
// is not a Python float (an int such as 2 included) with a TypeError; so does this.
#pragma once

#include "tubelet/args.h"
#include "tubelet/data/transform.h"

namespace tubelet {

class AudioAmplify : public Transform {
 public:
  explicit AudioAmplify(double ratio);
  void apply(Sample& sample) override;
  std::string type() const override { return "AudioAmplify"; }
  static std::shared_ptr<Transform> from_config(Args& args);

 private:
  double ratio_;
};

}  // namespace tubelet
