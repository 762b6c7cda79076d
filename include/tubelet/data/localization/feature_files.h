// Reading the files localization pipelines load: numeric CSV tables as
// np.loadtxt(path, dtype=np.float32, delimiter=',', skiprows=1) reads them, and .npy arrays.
#pragma once

#include <torch/types.h>

#include <string>

namespace tubelet {

// A [rows, columns] float32 tensor of a comma-separated file after its header line. Blank
// lines and '#' comments are skipped, as np.loadtxt does; a row of another width, a value
// that is not a number, or no rows at all is an error naming `what` (the video), the file and
// its line.
torch::Tensor load_csv_table(const std::string& path, const std::string& what);

// An array saved by np.save (format versions 1-3; little- or big-endian float16/32/64,
// signed/unsigned ints, bool; C or Fortran order), as a tensor of the same shape and type.
torch::Tensor load_npy(const std::string& path);

}  // namespace tubelet
