// Needs TUBELET_WITH_MEDIA: reading audio with FFmpeg (libavformat, libavcodec, libswresample).
//
// What librosa.load(path, sr=sample_rate) gives MMAction2 (mono=True, res_type='kaiser_best'):
// the file's audio as float32 in [-1, 1], channels averaged, resampled to sample_rate, and
// exactly ceil(samples * sample_rate / native_rate) samples long, the samples past
// int(samples * sample_rate / native_rate) zero (resampy's length, then librosa's fix_length).
// Any container and codec FFmpeg decodes (wav, flac, mp3, m4a/AAC, the audio track of a
// video); librosa reads WAV/FLAC/OGG with soundfile and the rest through audioread's
// `ffmpeg -f s16le` pipe, which rounds compressed audio to 16 bits: here the decoder's float
// samples are kept.
// Resampling is libswresample's Kaiser-windowed sinc set to approximate resampy's kaiser_best
// (audio_file.cpp says how), with zeros beyond both ends as resampy assumes; it is not
// bit-identical to resampy (tests/data/raw_audio_test.cpp measures the difference).
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <string>

namespace tubelet::audio {

struct DecodedAudio {
  torch::Tensor samples;    // [length] float32, mono, at sample_rate
  int64_t native_rate = 0;  // the stream's own rate
  int64_t channels = 0;     // the stream's channel count before the downmix
};

// The first audio stream FFmpeg picks (av_find_best_stream). Throws std::runtime_error
// "audio '<path>': <why>" when the file is missing, cannot be opened, has no audio stream,
// no decoder, or no samples; std::invalid_argument for sample_rate < 1.
DecodedAudio load_audio(const std::string& path, int64_t sample_rate);

}  // namespace tubelet::audio
