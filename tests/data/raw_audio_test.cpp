// Needs TUBELET_WITH_MEDIA
// MMAction2 0.24.1's raw-audio path: AudioDecodeInit, AudioDecode, AudioAmplify, MelSpectrogram
// and AudioDataset, and the AudioTools spectrogram of build-audio-features, against
// tests/fixtures/raw_audio, written by tools/fixtures/make_raw_audio_fixtures.py with
// MMAction2's own classes on librosa 0.9.2 and lws 1.2.8; on files FFmpeg makes here; on
// MMAction2's test.avi (MP3, 44.1 kHz) when ../shared has it; and the error paths.
//
// Tolerances (measured with `build/bin/tubelet_tests --gtest_filter='RawAudio*'`, which prints
// each difference):
//  - mel filters, 16 kHz audio (no resampling) and AudioDecode's rounding: librosa's own
//    arithmetic is reproduced, so mel filters are within 1 float32 ulp, decoded samples and
//    sample indices are exact, spectrograms within float32 rounding (librosa runs its STFT
//    and filter product in float32, we in float64).
//  - resampled audio (44.1 kHz -> 16 kHz): resampy's kaiser_best and libswresample are
//    different filters, libswresample's set to approximate resampy's (audio_file.cpp). On
//    MMAction2's test.avi the 16 kHz waveform differs by 9.4e-4 of its RMS (5.5e-5 below
//    7 kHz); the spectrogram (values in [0, 1], 0.01 = 1 dB) by at most 7e-4 in the 77 bands
//    below 6.8 kHz and 4.6e-3 in the top three (6.8-7.6 kHz, next to the 7.3-8 kHz transition
//    band where the filters differ most), 4.8e-5 on average. The fixtures' 0.8 s chirp, which
//    sweeps past 8 kHz, gives 9e-4 / 6.1e-3 / 8.4e-5. The bounds are 2-3x those: 2e-3 below
//    6.8 kHz, 1e-2 above, 2e-4 on average — well under the 1 dB a listener or a model would
//    notice, and 20x under what the default libswresample filter gives (0.1 in the top band).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "support/ffmpeg_process.h"
#include "support/paths.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"
#include "tubelet/data/audio/audio_file.h"
#include "tubelet/data/audio/audio_tools_feature.h"
#include "tubelet/data/audio/lws_stft.h"
#include "tubelet/data/audio/mel_filters.h"
#include "tubelet/data/datasets/audio_dataset.h"
#include "tubelet/data/localization/feature_files.h"
#include "tubelet/data/transform.h"

namespace tubelet::raw_audio_test {
namespace {

namespace fs = std::filesystem;

fs::path fixtures() {
  return test::source_dir() / "tests/fixtures/raw_audio";
}

torch::Tensor fixture(const std::string& name) {
  return load_npy((fixtures() / name).string());
}

const Dict& cases() {
  static const Value value = [] {
    const fs::path file = fixtures() / "cases.json";
    return from_json(test::read_text(file), file.string());
  }();
  return value.as_dict();
}

Value pipeline(const std::string& text) {
  return load_config_text("p = " + text + "\n", "/tmp/raw_audio_pipeline.py").at("p");
}

void run(const std::string& steps, Sample& sample) {
  Compose(pipeline("[" + steps + "]"), "pipeline").apply(sample);
}

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

double rms(const torch::Tensor& a) {
  return a.to(torch::kFloat64).pow(2).mean().sqrt().item<double>();
}

// Prints a measured difference, so that the tolerances above can be checked again.
void report(const std::string& what, double value) {
  std::printf("[ measured ] %s: %.3g\n", what.c_str(), value);
}

std::vector<int64_t> ints(const Value& list) {
  std::vector<int64_t> out;
  for (const Value& v : list.as_list()) out.push_back(v.as_int());
  return out;
}

// ---- mel filters and the lws window ---------------------------------------------------------

TEST(RawAudioMelFilters, MatchLibrosa) {
  for (const Value& item : cases().at("mel_bases").as_list()) {
    const Dict& c = item.as_dict();
    const std::string name = c.at("name").as_str();
    const List& args = c.at("args").as_list();
    const Dict& kw = c.at("kwargs").as_dict();
    const double sr = args.size() > 0 ? args[0].as_float() : kw.at("sr").as_float();
    const int64_t n_fft = args.size() > 1 ? args[1].as_int() : kw.at("n_fft").as_int();
    const double fmin = kw.contains("fmin") ? kw.at("fmin").as_float() : 0.0;
    std::optional<double> fmax;
    if (kw.contains("fmax")) fmax = kw.at("fmax").as_float();
    torch::Tensor ours = audio::mel_filters(sr, n_fft, kw.at("n_mels").as_int(), fmin, fmax);
    torch::Tensor ref = fixture("mel_basis_" + name + ".npy");
    ASSERT_EQ(ours.sizes(), ref.sizes()) << name;
    EXPECT_EQ(ours.dtype(), ref.dtype()) << name;
    const double diff = max_abs_diff(ours, ref), top = ref.abs().max().item<double>();
    report("mel basis " + name + " max |diff| / max", diff / top);
    // One float32 rounding of values up to `top`.
    EXPECT_LE(diff, top * 1.2e-7) << name;
    // The zero pattern (which bins each filter covers) is exact.
    EXPECT_TRUE(torch::equal(ours.eq(0), ref.eq(0))) << name;
  }
}

TEST(RawAudioMelFilters, RejectsBadArguments) {
  EXPECT_NE(test::error_of([] { audio::mel_filters(16000, 512, 80, 7600, 7000.0); }).find("fmin"),
            std::string::npos);
  EXPECT_NE(test::error_of([] { audio::mel_filters(16000, 0, 80); }).find("n_fft"),
            std::string::npos);
}

TEST(RawAudioLws, WindowIsSqrtHannAndFramesFollowLwsPadding) {
  torch::Tensor w = audio::lws_window(512, 256);
  torch::Tensor k = torch::arange(512, torch::kFloat64);
  torch::Tensor sqrt_hann = (0.5 * (1 - torch::cos(2 * M_PI * (2 * k + 1) / 1024))).sqrt();
  EXPECT_LT(max_abs_diff(w, sqrt_hann), 1e-15);
  // lws_num_frames of the script: (len + 2 pad - fsize) // fshift + 1, + 1 more when fshift
  // does not divide len.
  for (int64_t len : {1, 255, 256, 257, 512, 1000, 24000}) {
    const int64_t pad = 256;
    const int64_t expected = (len + 2 * pad - 512) / 256 + (len % 256 == 0 ? 1 : 2);
    EXPECT_EQ(audio::lws_magnitude(torch::ones({len}), 512, 256).size(0), expected) << len;
  }
}

// ---- AudioDecode's index rounding -----------------------------------------------------------

TEST(RawAudioDecode, IndicesRoundAsMMAction2) {
  for (const Value& item : cases().at("decode").as_list()) {
    const Dict& c = item.as_dict();
    const int64_t length = c.at("length").as_int();
    Sample s;
    s.set_tensor("audios", torch::arange(length, torch::kFloat32));
    s.info.set("length", Value(length));
    s.info.set("total_frames", c.at("total_frames"));
    s.info.set("frame_inds", c.at("frame_inds"));
    s.info.set("num_clips", c.at("num_clips"));
    run("dict(type='AudioDecode', fixed_length=" + std::to_string(c.at("fixed_length").as_int()) +
            ")",
        s);
    std::vector<float> expected;
    for (const Value& row : c.at("audios").as_list())
      for (const Value& v : row.as_list()) expected.push_back(static_cast<float>(v.as_float()));
    const torch::Tensor* got = s.tensor("audios");
    ASSERT_EQ(got->numel(), static_cast<int64_t>(expected.size()));
    EXPECT_TRUE(torch::equal(got->flatten(), torch::tensor(expected)))
        << "length " << length << " total_frames " << c.at("total_frames").as_int();
    EXPECT_EQ(got->size(0), c.at("num_clips").as_int());
    EXPECT_EQ(ints(s.info.at("audios_shape")), got->sizes().vec());
  }
}

// ---- the pipeline on tone16k.wav ------------------------------------------------------------

TEST(RawAudioPipeline, MatchesMMAction2) {
  const std::string wav = (fixtures() / "tone16k.wav").string();
  for (const auto& [key, value] : cases().at("pipelines").as_dict()) {
    const std::string name = key.as_str();
    const Dict& c = value.as_dict();
    const Dict& mel = c.at("mel").as_dict();
    Sample s;
    s.info.set("audio_path", Value(wav));
    s.info.set("total_frames", c.at("total_frames"));
    s.info.set("start_index", Value(int64_t{1}));
    run("dict(type='AudioDecodeInit'), dict(type='SampleFrames', clip_len=" +
            std::to_string(c.at("clip_len").as_int()) +
            ", frame_interval=1, num_clips=" + std::to_string(c.at("num_clips").as_int()) +
            ", test_mode=True), " + "dict(type='AudioDecode', fixed_length=" +
            std::to_string(c.at("decode_length").as_int()) + ")",
        s);
    EXPECT_EQ(s.info.at("length").as_int(), c.at("length").as_int()) << name;
    EXPECT_EQ(s.info.at("sample_rate").as_int(), 16000) << name;
    EXPECT_EQ(ints(s.info.at("frame_inds")), ints(c.at("frame_inds"))) << name;
    // 16-bit PCM at 16 kHz: sample / 32768 as soundfile reads it, exactly.
    EXPECT_TRUE(torch::equal(*s.tensor("audios"), fixture("pipeline_" + name + ".decoded.npy")))
        << name;
    char ratio[32];
    std::snprintf(ratio, sizeof ratio, "%.17g", c.at("ratio").as_float());
    run(std::string("dict(type='AudioAmplify', ratio=") + ratio + "), " +
            "dict(type='MelSpectrogram', window_size=" +
            std::to_string(mel.at("window_size").as_int()) +
            ", step_size=" + std::to_string(mel.at("step_size").as_int()) +
            ", n_mels=" + std::to_string(mel.at("n_mels").as_int()) +
            ", fixed_length=" + std::to_string(mel.at("fixed_length").as_int()) + ")",
        s);
    EXPECT_EQ(s.info.at("amplify_ratio").as_float(), c.at("ratio").as_float());
    const torch::Tensor ref = fixture("pipeline_" + name + ".mel.npy");
    const torch::Tensor* got = s.tensor("audios");
    ASSERT_EQ(got->sizes(), ref.sizes()) << name;
    EXPECT_EQ(got->dtype(), torch::kFloat32);
    EXPECT_EQ(got->sizes().vec(), ints(c.at("audios_shape")));
    // librosa squares and filters in float32: a few float32 roundings of each value, and of
    // the largest ones for values summed next to them.
    const double diff =
        ((*got - ref).abs() / (ref.abs() + 1e-6 * ref.abs().max())).max().item<double>();
    report("MelSpectrogram " + name + " max relative diff", diff);
    EXPECT_LT(diff, 1e-5) << name;
  }
}

TEST(RawAudioPipeline, MissingFileIsTenSecondsOfPadding) {
  const Dict& missing = cases().at("mel_truncation").as_dict().at("missing_file").as_dict();
  Sample s;
  s.info.set("audio_path", Value("/nonexistent/audio.wav"));
  run("dict(type='AudioDecodeInit')", s);
  EXPECT_EQ(s.info.at("length").as_int(), missing.at("length").as_int());
  EXPECT_EQ(s.info.at("sample_rate").as_int(), missing.at("sample_rate").as_int());
  EXPECT_EQ(s.tensor("audios")->abs().sum().item<double>(), 0.0);
  Sample r;
  r.info.set("audio_path", Value("/nonexistent/audio.wav"));
  run("dict(type='AudioDecodeInit', sample_rate=8000, pad_method='random')", r);
  const torch::Tensor* a = r.tensor("audios");
  EXPECT_EQ(a->size(0), 80000);
  EXPECT_GE(a->min().item<double>(), -1.0);
  EXPECT_LT(a->max().item<double>(), 1.0);
  EXPECT_GT(a->std().item<double>(), 0.5);  // uniform on [-1, 1): 0.577
}

TEST(RawAudioPipeline, MelSpectrogramRefusesMMAction2sBrokenTruncation) {
  // What MMAction2 did, as the fixture generator recorded it.
  const Dict& mm = cases().at("mel_truncation").as_dict();
  EXPECT_NE(mm.at("defaults").as_dict().at("error").as_str().find("ValueError"), std::string::npos);
  EXPECT_EQ(ints(mm.at("more_frames").as_dict().at("audios_shape")),
            (std::vector<int64_t>{1, 106, 126}));
  auto mel_of = [](const std::string& mel) {
    Sample s;
    s.set_tensor("audios", torch::zeros({1, 32000}));
    s.info.set("sample_rate", Value(int64_t{16000}));
    s.info.set("num_clips", Value(int64_t{1}));
    return test::error_of([&] { run(mel, s); });
  };
  std::string err = mel_of("dict(type='MelSpectrogram')");
  EXPECT_NE(err.find("80 mels x 126 frames with fixed_length=128"), std::string::npos) << err;
  EXPECT_NE(err.find("ValueError"), std::string::npos) << err;
  EXPECT_NE(err.find("AudioDecode(fixed_length=32512)"), std::string::npos) << err;
  err = mel_of("dict(type='MelSpectrogram', fixed_length=100)");
  EXPECT_NE(err.find("appends 26 copies of the top mel band"), std::string::npos) << err;
  err = mel_of("dict(type='MelSpectrogram', fixed_length=64)");
  EXPECT_NE(err.find("drops the top 16 mel bands"), std::string::npos) << err;
  // The setting the error suggests works: 32512 samples give 128 frames.
  Sample ok;
  ok.set_tensor("audios", torch::rand({2, 32512}) - 0.5);
  ok.info.set("sample_rate", Value(int64_t{16000}));
  ok.info.set("num_clips", Value(int64_t{2}));
  run("dict(type='MelSpectrogram'), dict(type='FormatAudioShape', input_format='NCTF')", ok);
  EXPECT_EQ(ok.tensor("audios")->sizes(), (std::vector<int64_t>{2, 1, 80, 128}));
}

TEST(RawAudioPipeline, ArgumentErrors) {
  auto build = [](const std::string& step) {
    return test::error_of([&] { Compose(pipeline("[" + step + "]"), "pipeline"); });
  };
  std::string err = build("dict(type='AudioAmplify', ratio=2)");
  EXPECT_NE(err.find("Amplification ratio should be float"), std::string::npos) << err;
  EXPECT_NE(err.find("ratio"), std::string::npos) << err;
  err = build("dict(type='AudioAmplify')");
  EXPECT_NE(err.find("missing required argument 'ratio'"), std::string::npos) << err;
  err = build("dict(type='AudioDecodeInit', pad_method='mean')");
  EXPECT_NE(err.find("pad_method"), std::string::npos) << err;
  EXPECT_NE(err.find("'mean'"), std::string::npos) << err;
  err = build("dict(type='AudioDecodeInit', io_backend='petrel')");
  EXPECT_NE(err.find("io_backend 'petrel' is not supported"), std::string::npos) << err;
  err = build("dict(type='MelSpectrogram', window_size=32.0)");
  EXPECT_NE(err.find("All arguments should be int"), std::string::npos) << err;
  EXPECT_NE(err.find("window_size"), std::string::npos) << err;
  err = build("dict(type='AudioDecode', fixed_length=-1)");
  EXPECT_NE(err.find("fixed_length"), std::string::npos) << err;
  // MMAction2's tsn_r50_64x1x1_100e_kinetics400_audio.py names a transform 0.24.1 lacks.
  err = build(
      "dict(type='AudioDecodeInit'), dict(type='SampleFrames', clip_len=64, "
      "frame_interval=1, num_clips=1), dict(type='AudioDecode'), "
      "dict(type='AudioAmplify', ratio=1.5), dict(type='MelLogSpectrogram')");
  EXPECT_NE(err.find("'MelLogSpectrogram' is not in the PIPELINES registry"), std::string::npos)
      << err;
  // Its test pipeline's second AudioDecodeInit (for AudioDecode) leaves a 1-D waveform.
  Sample wave;
  wave.set_tensor("audios", torch::zeros({16000}));
  wave.info.set("sample_rate", Value(int64_t{16000}));
  wave.info.set("num_clips", Value(int64_t{1}));
  err = test::error_of([&] { run("dict(type='MelSpectrogram')", wave); });
  EXPECT_NE(err.find("'audios' must be [num_clips, samples] (AudioDecode), got shape [16000]"),
            std::string::npos)
      << err;
  // AudioAmplify keeps float32 and multiplies in float32, as numpy's `*=`.
  Sample s;
  s.set_tensor("audios", torch::full({3}, 0.1f));
  run("dict(type='AudioAmplify', ratio=1.1)", s);
  EXPECT_EQ(s.tensor("audios")->dtype(), torch::kFloat32);
  EXPECT_EQ(s.tensor("audios")->index({0}).item<float>(), 0.1f * 1.1f);
}

// ---- decoding files -------------------------------------------------------------------------

TEST(RawAudioFile, ResamplingTolerance) {
  // 0.8 s of 44.1 kHz stereo: a 100 Hz - 9 kHz chirp left, two tones right, noise on both.
  audio::DecodedAudio flac = audio::load_audio((fixtures() / "stereo44k.flac").string(), 16000);
  const torch::Tensor ref = fixture("stereo44k.flac.load.npy");
  EXPECT_EQ(flac.native_rate, 44100);
  EXPECT_EQ(flac.channels, 2);
  ASSERT_EQ(flac.samples.sizes(), ref.sizes());  // ceil(35280 * 16000 / 44100)
  const double rel = rms(flac.samples - ref) / rms(ref);
  report("stereo44k.flac resampled, RMS diff / RMS", rel);
  EXPECT_LT(rel, 5e-3);
  // Before the chirp nears the cut-off (0.6 s: 6.8 kHz) only the noise above 7.3 kHz differs.
  const double pass = max_abs_diff(flac.samples.narrow(0, 0, 9600), ref.narrow(0, 0, 9600));
  report("stereo44k.flac resampled, max |diff| while the chirp is below 6.8 kHz", pass);
  EXPECT_LT(pass, 1e-4);
}

// The mel bands that end below 7 kHz: band 76 of librosa.filters.mel(16000, 512, fmin=125,
// fmax=7600, n_mels=80) spans 6.34-6.82 kHz, band 77 6.58-7.07 kHz.
constexpr int64_t kBandsBelow7k = 77;

// Features of resampled audio against AudioTools': the bounds of the header, every frame.
void expect_resampled_feature_close(const std::string& name, const torch::Tensor& ours,
                                    const torch::Tensor& ref) {
  ASSERT_EQ(ours.sizes(), ref.sizes()) << name;
  EXPECT_EQ(ours.dtype(), torch::kFloat32) << name;
  const torch::Tensor d = (ours - ref).abs();
  const double low = d.narrow(1, 0, kBandsBelow7k).max().item<double>();
  const double high = d.narrow(1, kBandsBelow7k, d.size(1) - kBandsBelow7k).max().item<double>();
  const double mean = d.mean().item<double>();
  report(name + " feature max |diff| below 6.8 kHz", low);
  report(name + " feature max |diff| 6.8-7.6 kHz", high);
  report(name + " feature mean |diff|", mean);
  EXPECT_LT(low, 2e-3) << name;
  EXPECT_LT(high, 1e-2) << name;
  EXPECT_LT(mean, 2e-4) << name;
}

TEST(RawAudioFeature, MatchesAudioToolsWithoutResampling) {
  audio::DecodedAudio wav = audio::load_audio((fixtures() / "tone16k.wav").string(), 16000);
  const torch::Tensor ref = fixture("tone16k.wav.feature.npy");
  const torch::Tensor ours = audio::audio_tools_feature(wav.samples);
  ASSERT_EQ(ours.sizes(), ref.sizes());
  EXPECT_EQ(ours.dtype(), torch::kFloat32);
  const double diff = max_abs_diff(ours, ref);
  report("tone16k.wav feature max |diff| (values in [0, 1])", diff);
  EXPECT_LT(diff, 1e-6);
  // The silence sits on the -100 dB floor: exactly 0 in both.
  EXPECT_EQ(ref.min().item<double>(), 0.0);
  EXPECT_EQ(ours.min().item<double>(), 0.0);
}

TEST(RawAudioFeature, MatchesAudioToolsWithResampling) {
  for (const std::string name : {"stereo44k.flac", "stereo44k.m4a"}) {
    audio::DecodedAudio decoded = audio::load_audio((fixtures() / name).string(), 16000);
    const torch::Tensor ref = fixture(name + ".feature.npy");
    expect_resampled_feature_close(name, audio::audio_tools_feature(decoded.samples), ref);
  }
}

TEST(RawAudioFeature, RealFileFromShared) {
  TUBELET_REQUIRE_SHARED();
  const fs::path avi = test::shared_dir() / "data/mmaction2-assets/test.avi";
  if (!fs::exists(avi)) GTEST_SKIP() << avi << " is absent: skipped";
  audio::DecodedAudio decoded = audio::load_audio(avi.string(), 16000);
  EXPECT_EQ(decoded.native_rate, 44100);
  const torch::Tensor ref_wave = fixture("test_avi.load_1s.npy");
  const torch::Tensor wave = decoded.samples.narrow(0, 16000, 16000);
  const double rel = rms(wave - ref_wave) / rms(ref_wave);
  report("test.avi 16 kHz waveform (1 s), RMS diff / RMS", rel);
  EXPECT_LT(rel, 2e-3);
  // Below 7 kHz (FFT bins of the 1 s excerpt).
  const torch::Tensor spectrum_diff =
      torch::fft::rfft(wave.to(torch::kFloat64) - ref_wave.to(torch::kFloat64)).abs();
  const torch::Tensor spectrum_ref = torch::fft::rfft(ref_wave.to(torch::kFloat64)).abs();
  const double below =
      (spectrum_diff.narrow(0, 0, 7000).pow(2).sum() / spectrum_ref.narrow(0, 0, 7000).pow(2).sum())
          .sqrt()
          .item<double>();
  report("test.avi 16 kHz waveform, relative difference below 7 kHz", below);
  EXPECT_LT(below, 1.5e-4);
  const torch::Tensor ref = fixture("test_avi.feature.npy");
  expect_resampled_feature_close("test.avi", audio::audio_tools_feature(decoded.samples), ref);
}

// ---- files FFmpeg makes here ----------------------------------------------------------------

void ffmpeg(const std::string& args) {
  const std::string cmd = "ffmpeg -nostdin -v error -y " + args;
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

// The raw samples of `path` as FFmpeg's command gives them (s16le, native rate and channels).
torch::Tensor raw_s16(const fs::path& path, const fs::path& raw) {
  ffmpeg("-i " + path.string() + " -f s16le -acodec pcm_s16le " + raw.string());
  std::ifstream in(raw, std::ios::binary);
  std::vector<int16_t> data((fs::file_size(raw)) / 2);
  in.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(data.size() * 2));
  return torch::tensor(std::vector<int64_t>(data.begin(), data.end())).to(torch::kFloat32) /
         32768.0f;
}

TEST(RawAudioFile, FFmpegMadeFiles) {
  TUBELET_REQUIRE_FFMPEG();
  test::TempDir dir;
  const fs::path d = dir.path();
  // 16 kHz mono: the samples as FFmpeg's s16 output, exactly.
  ffmpeg("-f lavfi -i 'sine=frequency=440:sample_rate=16000:duration=0.5' -c:a pcm_s16le " +
         (d / "mono.wav").string());
  audio::DecodedAudio mono = audio::load_audio((d / "mono.wav").string(), 16000);
  EXPECT_TRUE(torch::equal(mono.samples, raw_s16(d / "mono.wav", d / "mono.raw")));
  // Stereo whose right channel is the left one negated: the downmix (the mean) is silence.
  ffmpeg(
      "-f lavfi -i 'aevalsrc=0.5*sin(2*PI*300*t)|-0.5*sin(2*PI*300*t):s=16000:d=0.3' "
      "-c:a pcm_s16le " +
      (d / "opposite.wav").string());
  audio::DecodedAudio opposite = audio::load_audio((d / "opposite.wav").string(), 16000);
  EXPECT_EQ(opposite.channels, 2);
  EXPECT_EQ(opposite.samples.abs().max().item<double>(), 0.0);
  // A 1 kHz tone at 48 kHz in AAC: resampled to 16 kHz, librosa's length, the same tone.
  ffmpeg("-f lavfi -i 'sine=frequency=1000:sample_rate=48000:duration=1' -c:a aac -b:a 128k " +
         (d / "tone.m4a").string());
  const torch::Tensor native = raw_s16(d / "tone.m4a", d / "tone.raw");
  audio::DecodedAudio tone = audio::load_audio((d / "tone.m4a").string(), 16000);
  EXPECT_EQ(tone.native_rate, 48000);
  EXPECT_EQ(tone.samples.size(0),
            static_cast<int64_t>(std::ceil(native.size(0) * (16000.0 / 48000.0))));
  // Every third native sample is at the same instant as a 16 kHz one.
  const int64_t n = tone.samples.size(0) - 200;
  const torch::Tensor aligned = native.slice(0, 300, 3 * n, 3);
  const double diff = max_abs_diff(tone.samples.slice(0, 100, n), aligned.narrow(0, 0, n - 100));
  report("48 kHz AAC tone resampled vs every 3rd native sample", diff);
  EXPECT_LT(diff, 2e-3);
  // 8 kHz up to 16 kHz also works (librosa upsamples too).
  ffmpeg("-f lavfi -i 'sine=frequency=500:sample_rate=8000:duration=0.25' " +
         (d / "low.wav").string());
  EXPECT_EQ(audio::load_audio((d / "low.wav").string(), 16000).samples.size(0), 4000);
}

TEST(RawAudioFile, ErrorsNameTheFile) {
  TUBELET_REQUIRE_FFMPEG();
  test::TempDir dir;
  const fs::path corrupt = dir.write("corrupt.wav", std::string(3000, '\x7f'));
  std::string err = test::error_of([&] { audio::load_audio(corrupt.string(), 16000); });
  EXPECT_NE(err.find("audio '" + corrupt.string() + "'"), std::string::npos) << err;
  const fs::path video = dir.path() / "silent.mp4";
  test::encode_test_video(video, 5, 32, 32, 5);
  err = test::error_of([&] { audio::load_audio(video.string(), 16000); });
  EXPECT_NE(err.find("audio '" + video.string() + "': no audio stream"), std::string::npos) << err;
  // Through the pipeline: an existing file that cannot be read is an error, not padding.
  Sample s;
  s.info.set("audio_path", Value(video.string()));
  err = test::error_of([&] { run("dict(type='AudioDecodeInit')", s); });
  EXPECT_NE(err.find("AudioDecodeInit"), std::string::npos) << err;
  EXPECT_NE(err.find("no audio stream"), std::string::npos) << err;
  err = test::error_of([&] { audio::load_audio((dir.path() / "none.wav").string(), 16000); });
  EXPECT_NE(err.find("none.wav': no such file"), std::string::npos) << err;
}

// ---- AudioDataset ---------------------------------------------------------------------------

std::shared_ptr<AudioDataset> dataset(const std::string& ann, const std::string& extra,
                                      const std::string& steps = "") {
  Value cfg = load_config_text("d = dict(type='AudioDataset', ann_file='" + ann + "', pipeline=[" +
                                   steps + "]" + extra + ")\n",
                               "/tmp/raw_audio_dataset.py")
                  .at("d");
  return std::dynamic_pointer_cast<AudioDataset>(DATASETS().build(cfg, {"data.train"}));
}

TEST(RawAudioDataset, ReadsLinesAsMMAction2) {
  test::TempDir dir;
  const std::string ann = dir.write("ann.txt", "a/x 100 3\nb/y.wav 50 1\nc/z.m4a 7 0\n").string();
  auto plain = dataset(ann, "");
  ASSERT_EQ(plain->size(), 3);
  EXPECT_EQ(plain->info(0).at("audio_path").as_str(), "a/x");  // no prefix: as it is
  EXPECT_EQ(plain->info(0).at("total_frames").as_int(), 100);
  EXPECT_EQ(plain->info(0).at("label").as_int(), 3);
  auto prefixed = dataset(ann, ", data_prefix='/audio'");
  EXPECT_EQ(prefixed->info(0).at("audio_path").as_str(), "/audio/a/x.wav");
  EXPECT_EQ(prefixed->info(1).at("audio_path").as_str(), "/audio/b/y.wav");
  EXPECT_EQ(prefixed->info(2).at("audio_path").as_str(), "/audio/c/z.m4a.wav");
  auto m4a = dataset(ann, ", data_prefix='/audio', suffix='.m4a'");
  EXPECT_EQ(m4a->info(2).at("audio_path").as_str(), "/audio/c/z.m4a");
  Sample s = plain->get(0, 0);
  EXPECT_EQ(s.info.at("modality").as_str(), "Audio");
  EXPECT_EQ(s.info.at("start_index").as_int(), 1);
  auto multi =
      dataset(dir.write("multi.txt", "a 10 0 2\n").string(), ", multi_class=True, num_classes=4");
  EXPECT_EQ(multi->get(0, 0).tensor("label")->sum().item<double>(), 2.0);
  // JSON: as BaseDataset.load_json_annotations, 'filename' (or 'frame_dir') is joined to the
  // prefix and must be there; audio_path is taken as it is.
  const std::string json = dir.write("ann.json", R"([{"filename": "q.wav", "audio_path": "q.wav",
                                                       "total_frames": 9, "label": [2]}])")
                               .string();
  auto from_json_ann = dataset(json, ", data_prefix='/audio'");
  EXPECT_EQ(from_json_ann->info(0).at("filename").as_str(), "/audio/q.wav");
  EXPECT_EQ(from_json_ann->info(0).at("audio_path").as_str(), "q.wav");
  EXPECT_EQ(from_json_ann->info(0).at("label").as_int(), 2);
  const std::string no_filename =
      dir.write("bad.json", R"([{"audio_path": "q.wav", "total_frames": 9, "label": 2}])").string();
  std::string err = test::error_of([&] { dataset(no_filename, ""); });
  EXPECT_NE(err.find("has no string 'filename'"), std::string::npos) << err;
}

TEST(RawAudioDataset, BadLinesNameFileAndLine) {
  test::TempDir dir;
  const std::string ann = dir.write("ann.txt", "a 100 3\nb 50\n").string();
  std::string err = test::error_of([&] { dataset(ann, ""); });
  EXPECT_NE(err.find(ann + ":2"), std::string::npos) << err;
  EXPECT_NE(err.find("missing label"), std::string::npos) << err;
  err = test::error_of([&] { dataset(ann, ", modality='RGB'"); });
  EXPECT_NE(err.find("modality"), std::string::npos) << err;
}

// The whole raw path through a dataset: AudioDataset -> AudioDecodeInit -> SampleFrames ->
// AudioDecode -> AudioAmplify -> MelSpectrogram -> FormatAudioShape -> Collect -> ToTensor.
TEST(RawAudioDataset, RunsThePipeline) {
  test::TempDir dir;
  const std::string ann = dir.write("ann.txt", "tone16k 45 1\nmissing 45 0\n").string();
  auto ds = dataset(ann, ", data_prefix='" + fixtures().string() + "'",
                    "dict(type='AudioDecodeInit'), "
                    "dict(type='SampleFrames', clip_len=16, frame_interval=1, num_clips=2, "
                    "test_mode=True), "
                    "dict(type='AudioDecode', fixed_length=8000), "
                    "dict(type='AudioAmplify', ratio=1.5), "
                    "dict(type='MelSpectrogram', n_mels=16, fixed_length=32), "
                    "dict(type='FormatAudioShape', input_format='NCTF'), "
                    "dict(type='Collect', keys=['audios', 'label'], meta_keys=[]), "
                    "dict(type='ToTensor', keys=['audios'])");
  Sample s = ds->get(0, 0);
  const torch::Tensor* audios = s.tensor("audios");
  ASSERT_TRUE(audios);
  EXPECT_EQ(audios->sizes(), (std::vector<int64_t>{2, 1, 16, 32}));
  const torch::Tensor ref = fixture("pipeline_frames_equal.mel.npy").unsqueeze(1);
  EXPECT_LT(((*audios - ref).abs() / (ref.abs() + 1e-6 * ref.abs().max())).max().item<double>(),
            1e-5);
  EXPECT_EQ(ds->get(1, 0).tensor("audios")->abs().sum().item<double>(), 0.0);  // zero pad
}

}  // namespace
}  // namespace tubelet::raw_audio_test
