// Precompiled header of libtubelet and the tubelet command: the torch headers take most of
// the build time, so they are parsed once here.
#pragma once

#include <torch/torch.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>
