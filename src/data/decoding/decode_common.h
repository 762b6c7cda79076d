// What MMAction2's decode transforms (pipelines/loading.py) share: reading frame_inds, writing
// imgs with their shapes, and the file-client arguments they accept.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tubelet/args.h"
#include "tubelet/data/ffmpeg_video_reader.h"
#include "tubelet/data/sample.h"

namespace tubelet::decoding {

// results['frame_inds'] as a 1-D list. A 2-D one is np.squeeze'd (and written back squeezed)
// as the decoders do; one that stays 2-D after squeezing is an error.
std::vector<int64_t> frame_inds(Sample& sample, const std::string& who);

// Sets imgs, original_shape and img_shape ((h, w) of the first frame).
void set_frames(Sample& sample, std::vector<cv::Mat> imgs, const std::string& who);

// io_backend (only 'disk': other FileClient backends are not supported) and, as FileClient's
// HardDiskBackend takes no arguments, nothing else.
std::string read_io_backend(Args& args);

// decoding_backend (mmcv.use_backend's choices: cv2, pillow, turbojpeg, tifffile); every one
// decodes with OpenCV here.
void read_decoding_backend(Args& args);

// An image file as mmcv.imfrombytes reads it with the cv2 backend (cv::imread with `flag`;
// colour stays BGR). Errors call the file "<noun> '<path>'" ("image", "frame image").
cv::Mat read_image_file(const std::filesystem::path& path, int flag, const std::string& noun);

// The reader an *Init put in the sample.
std::shared_ptr<VideoReader> need_reader(const Sample& sample, const std::string& who);

// Opens results['filename'] and sets video_reader and total_frames.
std::shared_ptr<FFmpegVideoReader> open_video(Sample& sample, int num_threads,
                                              const std::string& who);

// The frames 'efficient' modes return: the key frame each index is decoded from.
std::vector<cv::Mat> key_frames(VideoReader& reader, const std::vector<int64_t>& indices);

}  // namespace tubelet::decoding
