#include "tubelet/evaluation/localization/instances.h"

namespace tubelet {

std::string activitynet_video_id(const std::string& video_name) {
  return video_name.size() > 2 ? video_name.substr(2) : std::string();
}

}  // namespace tubelet
