// tubelet build-audio-features AUDIO_HOME_PATH SPECTROGRAM_SAVE_PATH [--level 1] [--ext m4a]
//                              [--num-workers 4] [--part 1/1]
// MMAction2's tools/data/build_audio_features.py: every file matching
// AUDIO_HOME_PATH + '/*' * level + '.' + ext (sorted; with --part i/n the i-th of n slices, the
// last taking the remainder) becomes SPECTROGRAM_SAVE_PATH/<name>.npy, the [frames, 80] float32
// spectrogram of AudioTools(fft_size=512, hop_size=256) (audio_tools_feature.h) from the audio
// read at 16 kHz, which LoadAudioFeature reads. Outputs that exist are skipped. A file that
// fails is reported by path ("Read audio [path] failed: why") and the rest go on; the command
// then exits non-zero, listing the failures.
#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "commands.h"
#include "sorted_glob.h"
#include "tubelet/data/audio/audio_file.h"
#include "tubelet/data/audio/audio_tools_feature.h"
#include "tubelet/data/localization/feature_file_writers.h"
#include "tubelet/progress_bar.h"

namespace tubelet::cli {

namespace {

namespace fs = std::filesystem;

struct BuildAudioFeaturesOptions {
  std::string audio_home_path, spectrogram_save_path, ext = "m4a", part = "1/1";
  int64_t level = 1, num_workers = 4;
};

// The script's part split: part_len = len // num_parts files each, the last part to the end.
std::vector<std::string> part_of(const std::vector<std::string>& files, const std::string& part) {
  int64_t index = 0, parts = 0;
  char slash = 0, extra = 0;
  std::istringstream in(part);
  if (!(in >> index >> slash >> parts) || slash != '/' || (in >> extra) || parts < 1 || index < 1 ||
      index > parts)
    throw std::invalid_argument("--part must be I/N with 1 <= I <= N, got '" + part + "'");
  const auto part_len = static_cast<int64_t>(files.size()) / parts;
  const int64_t begin = part_len * (index - 1);
  const int64_t end = index == parts ? static_cast<int64_t>(files.size()) : part_len * index;
  return {files.begin() + begin, files.begin() + end};
}

// mmcv.mkdir_or_exist, then a probe file: an unusable output folder fails before any work.
void prepare_output(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir))
    throw std::runtime_error(
        "spectrogram_save_path '" + dir.string() +
        "' cannot be made a folder: " + (ec ? ec.message() : "a file is in the way"));
  const fs::path probe = dir / ".tubelet-write-probe";
  std::ofstream(probe).put('x');
  if (!fs::exists(probe, ec))
    throw std::runtime_error("spectrogram_save_path '" + dir.string() + "' is not writable");
  fs::remove(probe, ec);
}

struct Job {
  std::string input;
  fs::path output;
};

// One file: extract_audio_feature's steps; the .npy written atomically (no half-written file
// is ever skipped as existing on a later run).
void extract(const Job& job) {
  audio::DecodedAudio decoded =
      audio::load_audio(job.input, audio::AudioToolsOptions{}.sample_rate);
  save_npy(job.output.string(), audio::audio_tools_feature(decoded.samples));
}

// The jobs for `files`; those whose output exists are counted and left out, and a second input
// with the same output name (same basename at another level) is reported and left out.
std::vector<Job> plan(const std::vector<std::string>& files, const fs::path& out_dir,
                      int64_t& existing) {
  std::vector<Job> jobs;
  std::map<fs::path, std::string> taken;
  for (const std::string& file : files) {
    Job job{file, out_dir / (fs::path(file).stem().string() + ".npy")};
    auto [it, fresh] = taken.emplace(job.output, file);
    if (!fresh) {
      std::cerr << "warning: '" << file << "' has the output name of '" << it->second << "' ("
                << job.output.string() << "): skipped\n";
      continue;
    }
    std::error_code ec;
    if (fs::exists(job.output, ec))
      ++existing;
    else
      jobs.push_back(std::move(job));
  }
  return jobs;
}

// Runs the jobs on `workers` threads with a progress bar on stderr; returns the failed inputs.
std::vector<std::string> run_jobs(const std::vector<Job>& jobs, int64_t workers) {
  if (jobs.empty()) return {};
  std::mutex mutex;
  ProgressBar bar(static_cast<int64_t>(jobs.size()), std::cerr);
  std::vector<std::string> failed;
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next++) < jobs.size();) {
      std::string error;
      try {
        extract(jobs[i]);
      } catch (const std::exception& e) {
        error = e.what();
      }
      std::lock_guard<std::mutex> lock(mutex);
      if (!error.empty()) {
        // On a line of its own: the bar redraws its line in place.
        std::cerr << "\nRead audio [" << jobs[i].input << "] failed: " << error << "\n";
        failed.push_back(jobs[i].input);
      }
      bar.update();
    }
  };
  std::vector<std::thread> threads;
  const auto count = std::min<int64_t>(workers, static_cast<int64_t>(jobs.size()));
  for (int64_t t = 0; t < count; ++t) threads.emplace_back(work);
  for (std::thread& t : threads) t.join();
  bar.finish();
  std::cerr << "\n";
  std::sort(failed.begin(), failed.end());
  return failed;
}

void build_audio_features(const BuildAudioFeaturesOptions& o) {
  if (o.level < 0) throw std::invalid_argument("--level must not be negative");
  if (o.num_workers < 1) throw std::invalid_argument("--num-workers must be at least 1");
  std::string pattern = o.audio_home_path;
  for (int64_t i = 0; i < o.level; ++i) pattern += "/*";
  pattern += "." + o.ext;
  const std::vector<std::string> all = sorted_glob(pattern);
  std::cout << "found " << all.size() << " files." << std::endl;
  const std::vector<std::string> files = part_of(all, o.part);
  prepare_output(o.spectrogram_save_path);
  int64_t existing = 0;
  const std::vector<Job> jobs = plan(files, o.spectrogram_save_path, existing);
  // The workers are the parallelism: each file's small FFTs run on its worker's thread.
  if (o.num_workers > 1) at::set_num_threads(1);
  const std::vector<std::string> failed = run_jobs(jobs, o.num_workers);
  std::cout << "wrote " << jobs.size() - failed.size() << " spectrograms to "
            << o.spectrogram_save_path << " (" << existing << " existed, " << failed.size()
            << " failed)" << std::endl;
  if (failed.empty()) return;
  std::string list;
  for (const std::string& f : failed) list += "\n  " + f;
  throw std::runtime_error(std::to_string(failed.size()) + " of " + std::to_string(jobs.size()) +
                           " audio files failed:" + list);
}

}  // namespace

void add_build_audio_features(CLI::App& app) {
  auto o = std::make_shared<BuildAudioFeaturesOptions>();
  CLI::App* cmd = app.add_subcommand(
      "build-audio-features",
      "Spectrograms (.npy, [frames, 80]) of audio files for AudioFeatureDataset, as MMAction2's "
      "tools/data/build_audio_features.py");
  cmd->add_option("audio_home_path", o->audio_home_path, "Folder of the audio files")->required();
  cmd->add_option("spectrogram_save_path", o->spectrogram_save_path,
                  "Where <name>.npy goes (made if missing)")
      ->required();
  cmd->add_option("--level", o->level,
                  "Folder depth of the files: AUDIO_HOME_PATH + '/*' * level + '.' + ext")
      ->capture_default_str();
  cmd->add_option("--ext", o->ext, "Extension of the audio files")->capture_default_str();
  cmd->add_option("--num-workers", o->num_workers, "Files processed at once")
      ->capture_default_str();
  cmd->add_option("--part", o->part, "I/N: only the I-th of N equal slices of the sorted files")
      ->capture_default_str();
  cmd->callback([o] { build_audio_features(*o); });
}

}  // namespace tubelet::cli
