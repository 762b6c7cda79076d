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

void convert(torch::Tensor& t) {
  if (!t.defined()) return;
  if (t.dim() == 4)
    t.set_data(t.data().contiguous(torch::MemoryFormat::ChannelsLast));
  else if (t.dim() == 5)
    t.set_data(t.data().contiguous(torch::MemoryFormat::ChannelsLast3d));
}

}  // namespace

void to_channels_last(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (auto& p : module.parameters()) convert(p);
  for (auto& b : module.buffers()) convert(b);
}

}  // namespace tubelet
