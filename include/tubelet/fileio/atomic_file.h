// Every result, data and checkpoint file Tubelet writes goes through here, so that a crash, a
// full disk or an exception never leaves part of a file under its final name: the bytes go to
// a temporary file beside the target, are checked and synced, and the temporary is renamed
// over the target (the old target stays intact until then). Append-only logs are not for this.
#pragma once

#include <filesystem>
#include <functional>
#include <ostream>
#include <string_view>

namespace tubelet {

// Whether the data reaches the disk (fdatasync) before the rename. Without it the file is still
// never partial after a crash of the process, a full disk or an exception, but a power cut or
// an OS crash soon after may leave an empty or partial file under the new name. Syncing costs
// a few milliseconds a file: kNoSync is for many small per-video files that a rerun rebuilds.
enum class FileSync { kSync, kNoSync };

// Writes the file `target` with what `write` puts on the (binary) stream. The temporary is a
// hidden `.NAME.tmp.<pid>.<n>` in the target's directory, which must exist. On any failure,
// an exception from `write` included (rethrown as is), the temporary is removed and the old
// target left untouched; I/O errors are std::runtime_error("cannot write TARGET: reason").
// A target that is a symbolic link is replaced by a regular file.
void write_file_atomically(const std::filesystem::path& target,
                           const std::function<void(std::ostream&)>& write,
                           FileSync sync = FileSync::kSync);

// The same with the whole content at hand.
void write_file_atomically(const std::filesystem::path& target, std::string_view bytes,
                           FileSync sync = FileSync::kSync);

}  // namespace tubelet
