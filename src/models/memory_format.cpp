#include "tubelet/models/memory_format.h"

#include "tubelet/config/error.h"

namespace tubelet {

bool channels_last_requested(const Dict& cfg) {
  const Value* flag = cfg.find("channels_last");
  if (!flag || flag->is_none()) return false;
  if (!flag->is_bool())
    throw ConfigError(std::string("channels_last must be True or False, not ") + flag->type_name());
  return flag->as_bool();
}

namespace {

void convert(torch::Tensor& t, bool with_3d) {
  if (!t.defined()) return;
  if (t.dim() == 4)
    t.set_data(t.data().contiguous(torch::MemoryFormat::ChannelsLast));
  else if (t.dim() == 5 && with_3d)
    t.set_data(t.data().contiguous(torch::MemoryFormat::ChannelsLast3d));
}

}  // namespace

void to_channels_last(torch::nn::Module& module, bool with_3d) {
  torch::NoGradGuard no_grad;
  for (auto& p : module.parameters()) convert(p, with_3d);
  for (auto& b : module.buffers()) convert(b, with_3d);
}

}  // namespace tubelet
