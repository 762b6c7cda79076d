// The checkpoint name tables of mmcv 1.7.0 (JSON text; model_zoo_tables.cpp says where each
// comes from). Private to the model cache.
#pragma once

namespace tubelet::model_zoo {

extern const char* const kOpenMMLabJson;              // open-mmlab://NAME -> URL or file
extern const char* const kDeprecatedJson;             // old open-mmlab names -> new names
extern const char* const kMMClsJson;                  // mmcls://NAME -> URL
extern const char* const kTorchvision012Json;         // torchvision://NAME -> URL (old names)
extern const char* const kTorchvision014WeightsJson;  // torchvision://MODEL.WEIGHTS -> URL

}  // namespace tubelet::model_zoo
