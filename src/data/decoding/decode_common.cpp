#include "data/decoding/decode_common.h"

#include <algorithm>
#include <opencv2/imgcodecs.hpp>
#include <stdexcept>

namespace tubelet::decoding {
namespace {

std::vector<int64_t> ints(const List& items, const std::string& who) {
  std::vector<int64_t> out;
  for (const Value& v : items) {
    if (!v.is_int() && !v.is_bool())
      throw std::invalid_argument(who + ": frame_inds must hold integers, got " + repr(v));
    out.push_back(v.as_int());
  }
  return out;
}

std::vector<int64_t> squeeze(const List& rows, Sample& sample, const std::string& who) {
  std::vector<int64_t> flat;
  size_t width = 0;
  for (const Value& row : rows) {
    if (!row.is_sequence())
      throw std::invalid_argument(who + ": frame_inds mixes numbers and lists");
    std::vector<int64_t> r = ints(row.as_list(), who);
    if (&row != &rows.front() && r.size() != width)
      throw std::invalid_argument(who + ": frame_inds rows differ in length");
    width = r.size();
    flat.insert(flat.end(), r.begin(), r.end());
  }
  if (rows.size() != 1 && width != 1)
    throw std::invalid_argument(who + ": frame_inds of shape (" + std::to_string(rows.size()) +
                                ", " + std::to_string(width) + ") is not 1-D after np.squeeze");
  List squeezed;
  for (int64_t i : flat) squeezed.emplace_back(i);
  sample.info.set("frame_inds", Value::list(std::move(squeezed)));
  return flat;
}

}  // namespace

std::vector<int64_t> frame_inds(Sample& sample, const std::string& who) {
  if (!sample.info.contains("frame_inds"))
    if (const torch::Tensor* t = sample.tensor("frame_inds")) {
      torch::Tensor flat = t->squeeze().reshape({-1}).to(torch::kLong).contiguous();
      if (t->squeeze().dim() > 1)
        throw std::invalid_argument(who + ": frame_inds is not 1-D after np.squeeze");
      return std::vector<int64_t>(flat.data_ptr<int64_t>(),
                                  flat.data_ptr<int64_t>() + flat.numel());
    }
  const Value& v = sample.need("frame_inds", who);
  if (!v.is_sequence())
    throw std::invalid_argument(who + ": frame_inds must be a list, got " + repr(v));
  const List& items = v.as_list();
  if (!items.empty() && items.front().is_sequence()) return squeeze(items, sample, who);
  return ints(items, who);
}

void set_frames(Sample& sample, std::vector<cv::Mat> imgs, const std::string& who) {
  // MMAction2 reads imgs[0].shape: an empty selection fails there too.
  if (imgs.empty())
    throw std::invalid_argument(who + ": no frames to decode (frame_inds is empty)");
  const Value shape = Value::tuple({Value(int64_t{imgs[0].rows}), Value(int64_t{imgs[0].cols})});
  sample.imgs = std::move(imgs);
  sample.info.set("original_shape", shape);
  sample.info.set("img_shape", shape);
}

std::string read_io_backend(Args& args) {
  std::string backend = args.get<std::string>("io_backend", "disk");
  if (backend != "disk")
    throw args.error("io_backend", "io_backend '" + backend + "' is not supported (only 'disk')");
  return backend;
}

void read_decoding_backend(Args& args) {
  const std::string backend = args.get<std::string>("decoding_backend", "cv2");
  if (backend != "cv2" && backend != "pillow" && backend != "turbojpeg" && backend != "tifffile")
    throw args.error("decoding_backend",
                     "decoding_backend must be one of 'cv2', 'turbojpeg', 'pillow', 'tifffile', "
                     "got '" +
                         backend + "'");
}

cv::Mat read_image_file(const std::filesystem::path& path, int flag, const std::string& noun) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw std::runtime_error(noun + " '" + path.string() + "' does not exist");
  cv::Mat img = cv::imread(path.string(), flag);
  if (img.empty()) throw std::runtime_error("cannot decode " + noun + " '" + path.string() + "'");
  return img;
}

std::shared_ptr<VideoReader> need_reader(const Sample& sample, const std::string& who) {
  if (!sample.video_reader)
    throw std::invalid_argument(
        who + ": the sample has no video_reader (an Init transform must come first)");
  return sample.video_reader;
}

std::shared_ptr<FFmpegVideoReader> open_video(Sample& sample, int num_threads,
                                              const std::string& who) {
  const std::string filename = sample.need("filename", who).as_str();
  auto reader = std::make_shared<FFmpegVideoReader>(filename, num_threads);
  sample.video_reader = reader;
  sample.info.set("total_frames", Value(reader->num_frames()));
  return reader;
}

std::vector<cv::Mat> key_frames(VideoReader& reader, const std::vector<int64_t>& indices) {
  auto* ffmpeg = dynamic_cast<FFmpegVideoReader*>(&reader);
  if (!ffmpeg) return reader.frames(indices);
  std::vector<int64_t> keys;
  const int64_t last = reader.num_frames() - 1;
  for (int64_t i : indices) keys.push_back(ffmpeg->key_frame_of(std::clamp<int64_t>(i, 0, last)));
  return reader.frames(keys);
}

}  // namespace tubelet::decoding
