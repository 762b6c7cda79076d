// LibTorch's intra-op thread count. Debian's LibTorch starts with one thread; on this
// project's machines that alone makes training several times slower (DESIGN.md).
#pragma once

#include "tubelet/config/value.h"

namespace tubelet {

// Sets the intra-op threads to the config's `num_threads` if given (cfg may be null), else
// to $OMP_NUM_THREADS if set, else to the number of cores. Returns the count now in force.
int configure_threads(const Dict* cfg = nullptr);

}  // namespace tubelet
