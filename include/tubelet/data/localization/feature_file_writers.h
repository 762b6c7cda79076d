// Writing arrays as numpy does, so that MMAction2's tools and ours read each other's files:
// np.save's .npy (read back by load_npy in feature_files.h) and np.savetxt's
// CSV with a header line (read back by load_csv_table). Both write atomically without syncing
// (FileSync::kNoSync in fileio/atomic_file.h): one small file per video, often thousands.
#pragma once

#include <torch/types.h>

#include <string>

namespace tubelet {

// np.save(path, array): format 1.0, little-endian, C order, the header padded to 64 bytes.
// float64/float32/int64/int32/uint8/bool tensors.
void save_npy(const std::string& path, const torch::Tensor& array);

// np.savetxt(path, table, header=header, delimiter=',', comments=''): the header line, then
// each row of a 2-D tensor as '%.18e' values joined by commas.
void save_csv_table(const std::string& path, const std::string& header, const torch::Tensor& table);

}  // namespace tubelet
