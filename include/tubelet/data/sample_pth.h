// A pipeline's output sample as a .pth file (torch.save's format), so Python's torch.load
// (or checkpoint::read_pth) sees what MMAction2's pipeline would return: one dict whose
// tensors are tensors and whose plain values (label, img_metas, ...) are numbers, strings,
// lists, tuples and dicts. Used by `tubelet dump-pipeline` to compare pipelines across tools.
#pragma once

#include <string>

#include "tubelet/checkpoint/pickle.h"
#include "tubelet/data/sample.h"

namespace tubelet {

// The sample as one dict: its plain values (info) in order, then its tensors in the order
// they were made, then "imgs" as a list of H x W [x C] frame tensors if the frames were never
// stacked (a pipeline that Collects 'imgs' before FormatShape). A value stored both ways is
// written once, as the tensor. Throws std::invalid_argument for a frame type with no tensor
// dtype.
checkpoint::PyObject* sample_to_pyobject(checkpoint::PickleArena& arena, const Sample& sample);

// Writes sample_to_pyobject atomically to `path` (checkpoint::CheckpointError on failure).
void write_sample_pth(const std::string& path, const Sample& sample);

}  // namespace tubelet
