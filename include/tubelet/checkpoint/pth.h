// .pth files as torch.save writes them: the zip format (torch >= 1.6) and the legacy one.
#pragma once

#include <string>
#include <string_view>

#include "tubelet/checkpoint/pickle.h"

namespace tubelet::checkpoint {

// Reads a whole .pth file: its object with every tensor materialised. Errors are
// CheckpointError("checkpoint PATH: what is wrong").
Pickle read_pth(const std::string& path);
// The same from bytes in memory; `name` stands for the file in messages.
Pickle read_pth_bytes(std::string_view bytes, const std::string& name = "<memory>");

// Writes `root` in torch.save's zip format, atomically (write_file_atomically); errors are
// CheckpointError("cannot write PATH: reason").
void write_pth(const std::string& path, const PyObject& root);
std::string write_pth_bytes(const PyObject& root);

}  // namespace tubelet::checkpoint
