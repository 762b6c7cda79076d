// FormatAudioShape(input_format='NCTF'): the selected clips [clips, T, F] become
// [clips, 1, T, F] (one channel), input_shape is set. 'NCTF' is the only format.
#pragma once

#include <string>

#include "tubelet/args.h"
#include "tubelet/data/transform.h"

namespace tubelet {

class FormatAudioShape : public Transform {
 public:
  explicit FormatAudioShape(std::string input_format);
  void apply(Sample& sample) override;
  std::string type() const override { return "FormatAudioShape"; }
  static std::shared_ptr<Transform> from_config(Args& args);

 private:
  std::string input_format_;
};

}  // namespace tubelet
