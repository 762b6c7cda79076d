// DATASETS, PIPELINES and BLENDINGS, as MMAction2 names them.
#pragma once

#include "tubelet/registry.h"

namespace tubelet {

class Dataset;                // an indexed collection of samples (see the data area)
class Transform;              // one pipeline step on a sample (see the data area)
class BaseMiniBatchBlending;  // mixes a training batch (train_cfg.blending)
Registry<Dataset>& DATASETS();
Registry<Transform>& PIPELINES();
Registry<BaseMiniBatchBlending>& BLENDINGS();

}  // namespace tubelet
