#include "tubelet/data/ffmpeg_video_reader.h"

#include "data/decoding/ffmpeg_handles.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>
#include <opencv2/imgproc.hpp>
#include <stdexcept>
#include <unordered_map>

namespace tubelet {
namespace {

void quiet_ffmpeg() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_level(AV_LOG_FATAL); });
}

}  // namespace

struct FFmpegVideoReader::Impl {
  struct PacketInfo {
    int64_t pts;
    int64_t dts;
    int64_t pos;
    bool key;
    bool discard;  // the demuxer marks packets whose frames the decoder drops (edit lists)
  };

  std::string path;
  ffmpeg::FormatPtr format;
  ffmpeg::CodecPtr codec;
  ffmpeg::PacketPtr packet{av_packet_alloc()};
  ffmpeg::FramePtr frame{av_frame_alloc()};
  ffmpeg::RgbConverter rgb;
  int stream = -1;
  double fps = 0;

  std::vector<PacketInfo> packets;  // decode order
  std::unordered_map<int64_t, int64_t> packet_at_pos;
  bool by_pts = true;                 // false: numbered in decoder output order from the start
  std::vector<int64_t> frame_pts;     // presentation order (by_pts only)
  std::vector<int64_t> frame_key;     // per frame: the packet (decode order) to start from
  std::vector<int64_t> key_index;     // per frame: the frame that packet shows
  std::vector<int64_t> keys;          // key packets, decode order
  std::vector<int64_t> frame_packet;  // per frame: its own packet (by_pts only)
  // Packets whose frames the current request wants; the decoder may skip other frames that
  // nothing references (by_pts only: sequential numbering needs every frame).
  std::vector<bool> needed;
  int64_t count = 0;

  // Where the decoder stands.
  bool positioned = false;
  bool eof = false;
  bool drained = false;
  int64_t next_packet = 0;  // decode-order index of the next packet read
  int64_t skip_before = 0;  // packets before this one (a seek landed early) are not sent
  bool just_seeked = false;
  int64_t output_count = 0;  // frames output since the last seek (sequential numbering)
  int64_t last_output = -1;  // highest frame index output since the last seek

  int64_t packets_decoded = 0;
  int64_t frames_decoded = 0;
  int64_t seeks = 0;

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("video '" + path + "': " + what);
  }

  void open(int num_threads);
  void open_decoder(int num_threads);
  void index();
  void index_frames();
  void seek_to(int64_t key_packet);
  bool step(std::map<int64_t, cv::Mat>& wanted);
  void on_frame(std::map<int64_t, cv::Mat>& wanted);
  cv::Mat to_rgb(const AVFrame* f);
  void decode(int64_t target, std::map<int64_t, cv::Mat>& wanted);
  int64_t packet_of(const AVPacket* p) const;
};

void FFmpegVideoReader::Impl::open(int num_threads) {
  quiet_ffmpeg();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) fail("no such file");
  AVFormatContext* raw = nullptr;
  int rc = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
  if (rc < 0) fail("cannot open it as a video (" + ffmpeg::error_text(rc) + ")");
  format.reset(raw);
  rc = avformat_find_stream_info(raw, nullptr);
  if (rc < 0) fail("cannot read its stream info (" + ffmpeg::error_text(rc) + ")");
  // The first video stream, as PyAV's streams.video[0] and OpenCV take it.
  for (unsigned i = 0; i < raw->nb_streams && stream < 0; ++i) {
    const AVStream* s = raw->streams[i];
    if (s->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
        !(s->disposition & AV_DISPOSITION_ATTACHED_PIC))
      stream = static_cast<int>(i);
  }
  if (stream < 0) fail("no video stream");
  const AVStream* s = raw->streams[stream];
  AVRational rate = s->avg_frame_rate.num > 0 ? s->avg_frame_rate : s->r_frame_rate;
  fps = rate.den > 0 ? av_q2d(rate) : 0.0;
  open_decoder(num_threads);
  index();
}

void FFmpegVideoReader::Impl::open_decoder(int num_threads) {
  const AVCodecParameters* par = format->streams[stream]->codecpar;
  const AVCodec* decoder = avcodec_find_decoder(par->codec_id);
  if (!decoder) fail(std::string("no decoder for codec '") + avcodec_get_name(par->codec_id) + "'");
  codec.reset(avcodec_alloc_context3(decoder));
  if (!codec) fail("out of memory");
  int rc = avcodec_parameters_to_context(codec.get(), par);
  if (rc < 0) fail("bad codec parameters (" + ffmpeg::error_text(rc) + ")");
  codec->thread_count = std::max(1, num_threads);
  rc = avcodec_open2(codec.get(), decoder, nullptr);
  if (rc < 0) fail("cannot open its decoder (" + ffmpeg::error_text(rc) + ")");
}

// Reads every packet once, without decoding: what decord does to build its frame index.
void FFmpegVideoReader::Impl::index() {
  int rc;
  while ((rc = av_read_frame(format.get(), packet.get())) >= 0) {
    if (packet->stream_index == stream)
      packets.push_back({packet->pts, packet->dts, packet->pos,
                         (packet->flags & AV_PKT_FLAG_KEY) != 0,
                         (packet->flags & AV_PKT_FLAG_DISCARD) != 0});
    av_packet_unref(packet.get());
  }
  // A read error past the last good packet (a truncated file) ends the stream there.
  for (size_t i = 0; i < packets.size(); ++i)
    if (packets[i].pos >= 0) packet_at_pos.emplace(packets[i].pos, static_cast<int64_t>(i));
  if (packet_at_pos.size() != packets.size()) packet_at_pos.clear();
  index_frames();
  if (count == 0) fail("no video frames");
}

void FFmpegVideoReader::Impl::index_frames() {
  std::vector<std::pair<int64_t, int64_t>> shown;  // (pts, packet) of packets that give frames
  for (size_t i = 0; i < packets.size(); ++i)
    if (!packets[i].discard) shown.emplace_back(packets[i].pts, static_cast<int64_t>(i));
  keys.clear();
  for (size_t i = 0; i < packets.size(); ++i)
    if (packets[i].key) keys.push_back(static_cast<int64_t>(i));
  for (const auto& item : shown) by_pts = by_pts && item.first != AV_NOPTS_VALUE;
  std::sort(shown.begin(), shown.end());
  for (size_t i = 1; i < shown.size() && by_pts; ++i) by_pts = shown[i].first != shown[i - 1].first;
  count = static_cast<int64_t>(shown.size());
  if (!by_pts) {
    // Without presentation times only the start is a safe place to decode from.
    frame_key.assign(count, 0);
    key_index.assign(count, 0);
    return;
  }
  for (const auto& item : shown) frame_pts.push_back(item.first);
  for (const auto& [pts, pkt] : shown) {
    // The last key packet at or before this one in decode order that is not shown after it
    // (an open GOP's leading frames need the previous key frame).
    auto it = std::upper_bound(keys.begin(), keys.end(), pkt);
    int64_t key = 0;
    while (it != keys.begin()) {
      --it;
      const int64_t kp = packets[*it].pts;
      if (kp == AV_NOPTS_VALUE || kp <= pts || it == keys.begin()) {
        key = *it;
        break;
      }
    }
    frame_key.push_back(key);
    frame_packet.push_back(pkt);
    const int64_t kpts = packets[key].pts == AV_NOPTS_VALUE ? pts : packets[key].pts;
    key_index.push_back(std::lower_bound(frame_pts.begin(), frame_pts.end(), kpts) -
                        frame_pts.begin());
  }
}

int64_t FFmpegVideoReader::Impl::packet_of(const AVPacket* p) const {
  if (p->pos < 0 || packet_at_pos.empty()) return -1;
  auto it = packet_at_pos.find(p->pos);
  return it == packet_at_pos.end() ? -1 : it->second;
}

void FFmpegVideoReader::Impl::seek_to(int64_t key_packet) {
  const PacketInfo& key = packets[static_cast<size_t>(key_packet)];
  int64_t ts = key.dts != AV_NOPTS_VALUE ? key.dts : key.pts;
  if (ts == AV_NOPTS_VALUE) ts = 0;
  int rc = av_seek_frame(format.get(), stream, ts, AVSEEK_FLAG_BACKWARD);
  if (rc < 0) rc = avformat_seek_file(format.get(), stream, INT64_MIN, ts, ts, 0);
  if (rc < 0)
    fail("cannot seek to packet " + std::to_string(key_packet) + " (" + ffmpeg::error_text(rc) +
         ")");
  avcodec_flush_buffers(codec.get());
  ++seeks;
  positioned = true;
  eof = drained = false;
  next_packet = key_packet;
  skip_before = key_packet;
  just_seeked = true;
  output_count = 0;
  last_output = -1;
}

// Feeds one packet (or the end of stream) and collects what the decoder returns. False once
// the decoder is drained.
bool FFmpegVideoReader::Impl::step(std::map<int64_t, cv::Mat>& wanted) {
  if (drained) return false;
  if (!eof) {
    int rc;
    while ((rc = av_read_frame(format.get(), packet.get())) >= 0 && packet->stream_index != stream)
      av_packet_unref(packet.get());
    if (rc < 0) {
      eof = true;
      avcodec_send_packet(codec.get(), nullptr);
    } else {
      const int64_t at = packet_of(packet.get());
      const bool first = just_seeked;
      just_seeked = false;
      if (at >= 0) {
        if (first && at > skip_before && skip_before > 0) {
          // The seek landed past the key frame: start over from the beginning.
          av_packet_unref(packet.get());
          seek_to(0);
          return true;
        }
        next_packet = at;
      }
      const bool skip = at >= 0 && at < skip_before;
      if (!skip) {
        const bool wanted_here = at < 0 || !by_pts || needed[static_cast<size_t>(at)];
        codec->skip_frame = wanted_here ? AVDISCARD_DEFAULT : AVDISCARD_NONREF;
        rc = avcodec_send_packet(codec.get(), packet.get());
        ++packets_decoded;
      }
      av_packet_unref(packet.get());
      ++next_packet;
      if (!skip && rc < 0 && rc != AVERROR(EAGAIN))
        fail("corrupt stream at packet " + std::to_string(next_packet - 1) + " (" +
             ffmpeg::error_text(rc) + ")");
    }
  }
  int rc;
  while ((rc = avcodec_receive_frame(codec.get(), frame.get())) >= 0) {
    on_frame(wanted);
    av_frame_unref(frame.get());
  }
  if (rc == AVERROR_EOF) {
    drained = true;
    positioned = false;
  } else if (rc != AVERROR(EAGAIN)) {
    fail("corrupt stream (" + ffmpeg::error_text(rc) + ")");
  }
  return true;
}

void FFmpegVideoReader::Impl::on_frame(std::map<int64_t, cv::Mat>& wanted) {
  ++frames_decoded;
  int64_t idx;
  if (by_pts) {
    const int64_t ts = frame->pts != AV_NOPTS_VALUE ? frame->pts : frame->best_effort_timestamp;
    auto it = std::lower_bound(frame_pts.begin(), frame_pts.end(), ts);
    if (it == frame_pts.end() || *it != ts) return;
    idx = it - frame_pts.begin();
  } else {
    idx = output_count++;
  }
  last_output = std::max(last_output, idx);
  auto it = wanted.find(idx);
  if (it != wanted.end() && it->second.empty()) it->second = to_rgb(frame.get());
}

// ffmpeg::RgbConverter, its errors named by this source.
cv::Mat FFmpegVideoReader::Impl::to_rgb(const AVFrame* f) {
  try {
    return rgb(f, codec->coded_width, codec->coded_height);
  } catch (const std::runtime_error& e) {
    fail(e.what());
  }
}

// Decodes until frame `target` is in `wanted`, seeking first when its key frame lies ahead of
// the decoder or the decoder has passed it.
void FFmpegVideoReader::Impl::decode(int64_t target, std::map<int64_t, cv::Mat>& wanted) {
  const int64_t key = frame_key[static_cast<size_t>(target)];
  if (!positioned || key > next_packet || target <= last_output) seek_to(key);
  while (wanted[target].empty()) {
    if (step(wanted) && last_output <= target) continue;
    if (!wanted[target].empty()) break;
    // H.264 drops some frames decoded right after a key frame that is not an IDR (open GOPs
    // lose their last delayed frame): start again one key frame earlier, at worst from the
    // beginning.
    auto it = std::lower_bound(keys.begin(), keys.end(), skip_before);
    if (skip_before == 0)
      fail("frame " + std::to_string(target) + " could not be decoded (the stream ends before it)");
    seek_to(it == keys.begin() ? 0 : *std::prev(it));
  }
}

FFmpegVideoReader::FFmpegVideoReader(const std::string& path, int num_threads)
    : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->open(num_threads);
}

FFmpegVideoReader::~FFmpegVideoReader() = default;

int64_t FFmpegVideoReader::num_frames() const {
  return impl_->count;
}
double FFmpegVideoReader::fps() const {
  return impl_->fps;
}
const std::string& FFmpegVideoReader::path() const {
  return impl_->path;
}
int FFmpegVideoReader::width() const {
  return impl_->codec->width;
}
int FFmpegVideoReader::height() const {
  return impl_->codec->height;
}
int64_t FFmpegVideoReader::packets_decoded() const {
  return impl_->packets_decoded;
}
int64_t FFmpegVideoReader::frames_decoded() const {
  return impl_->frames_decoded;
}
int64_t FFmpegVideoReader::seeks() const {
  return impl_->seeks;
}

std::vector<cv::Mat> FFmpegVideoReader::frames(const std::vector<int64_t>& indices) {
  std::map<int64_t, cv::Mat> wanted;
  for (int64_t i : indices) {
    if (i < 0 || i >= impl_->count)
      impl_->fail("frame index " + std::to_string(i) + " is out of range (" +
                  std::to_string(impl_->count) + " frames)");
    wanted.emplace(i, cv::Mat());
  }
  if (impl_->by_pts) {
    impl_->needed.assign(impl_->packets.size(), false);
    for (const auto& item : wanted)
      impl_->needed[static_cast<size_t>(impl_->frame_packet[static_cast<size_t>(item.first)])] =
          true;
  }
  try {
    for (auto& item : wanted)
      if (item.second.empty()) impl_->decode(item.first, wanted);
  } catch (...) {
    impl_->positioned = false;  // the next request starts from a fresh seek
    throw;
  }
  std::vector<cv::Mat> out;
  std::vector<bool> used(static_cast<size_t>(impl_->count), false);
  for (int64_t i : indices) {
    // A repeated index gets its own copy: later transforms may change frames in place.
    out.push_back(used[static_cast<size_t>(i)] ? wanted[i].clone() : wanted[i]);
    used[static_cast<size_t>(i)] = true;
  }
  return out;
}

int64_t FFmpegVideoReader::key_frame_of(int64_t index) const {
  if (index < 0 || index >= impl_->count)
    impl_->fail("frame index " + std::to_string(index) + " is out of range (" +
                std::to_string(impl_->count) + " frames)");
  return impl_->key_index[static_cast<size_t>(index)];
}

std::vector<int64_t> FFmpegVideoReader::key_frames() const {
  std::vector<int64_t> out(impl_->key_index.begin(), impl_->key_index.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace tubelet
