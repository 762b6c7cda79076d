// What `tubelet infer` runs on: its positional inputs and --list lines, expanded to the video
// files and rawframe folders they name.
#pragma once

#include <string>
#include <vector>

namespace tubelet::cli {

// Each argument, in order, then each non-empty line of `list_file` (when not empty; relative
// paths are relative to the working directory, as arguments are), expanded:
// - a folder holding video files (by extension: .mp4, .avi, .mkv, .webm, ...) gives those
//   files, sorted by name (not its subfolders); a folder without any stays one input, a
//   rawframe folder;
// - an argument that is not a path but a glob pattern ('videos/*.mp4', quoted so that the
//   shell leaves it) gives its matches, sorted, each expanded as above; one that matches
//   nothing stays as it is (and fails as a missing file, as the shell would leave it);
// - anything else stays as it is.
// Throws std::runtime_error naming `list_file` when it cannot be read.
std::vector<std::string> expand_infer_inputs(const std::vector<std::string>& args,
                                             const std::string& list_file);

// Whether `path` names a video file by its extension (case-insensitive).
bool has_video_extension(const std::string& path);

}  // namespace tubelet::cli
