// The one definition of mmcv's transformer registries (see transformer.h).
#include "tubelet/models/common/transformer.h"

namespace tubelet {

TUBELET_DEFINE_REGISTRY(Registry<TransformerAttention>, ATTENTION)
TUBELET_DEFINE_REGISTRY(Registry<TransformerFFN>, FEEDFORWARD_NETWORK)

// Created up front so that `list-modules` shows them however the library was loaded.
static const bool transformer_registries_created = [] {
  ATTENTION(), FEEDFORWARD_NETWORK();
  return true;
}();

}  // namespace tubelet
