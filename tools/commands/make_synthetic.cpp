// tubelet make-synthetic OUT_DIR [--videos N] [--seed S] [--size 64] [--frames 32] [--rawframes]:
// writes the synthetic motion dataset (mp4 videos, MMAction2 annotation lists, label map and,
// if asked, rawframes) that the README's main job trains TSN and TSM on. With --pose it writes
// the synthetic skeleton dataset instead (PoseDataset pickles of moving stick figures); with
// --ava the synthetic spatio-temporal detection dataset (AVA's rawframes, CSVs and proposals).
#include <chrono>
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "tubelet/synthetic/ava_dataset.h"
#include "tubelet/synthetic/motion_dataset.h"
#include "tubelet/synthetic/pose_dataset.h"

namespace tubelet::cli {

namespace {

struct MakeSyntheticOptions {
  std::string out;
  int64_t videos = 300;
  uint64_t seed = 0;
  int size = 64;
  int frames = 32;
  int fps = 25;
  double val_ratio = 0.2;
  int jobs = 0;
  bool rawframes = false;
  bool pose = false;
  bool ava = false;
};

// One line on stderr, redrawn in place: [#########...........] 120/300
void draw_progress(int64_t done, int64_t total) {
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(kWidth * done / total);
  std::fprintf(stderr, "\r[%s%s] %lld/%lld videos", std::string(filled, '#').c_str(),
               std::string(kWidth - filled, '.').c_str(), static_cast<long long>(done),
               static_cast<long long>(total));
  if (done == total) std::fprintf(stderr, "\n");
  std::fflush(stderr);
}

// The skeleton dataset: no videos, so the video-only options are refused rather than ignored.
void make_synthetic_pose(const MakeSyntheticOptions& o, const CLI::App& cmd) {
  for (const char* name : {"--fps", "--jobs", "--rawframes"})
    if (cmd.count(name))
      throw CLI::ValidationError(name, "writes videos; it has no meaning with --pose");
  auto start = std::chrono::steady_clock::now();
  synthetic::PoseDatasetOptions options;
  options.videos(o.videos).seed(o.seed).frames(o.frames).val_ratio(o.val_ratio);
  options.size(cmd.count("--size") ? o.size : 480);
  synthetic::PoseDatasetSummary summary = synthetic::make_pose_dataset(o.out, options);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "wrote " << o.videos << " skeleton clips (" << summary.train_videos << " train, "
            << summary.val_videos << " val; " << synthetic::pose_class_names().size()
            << " classes; COCO 17 keypoints in " << options.size() << "x" << options.size()
            << " images, " << o.frames << " frames) to " << o.out << " in " << seconds << " s\n";
}

// The detection dataset: 8-second rawframe videos at AVA's 30 fps, so the options of the
// recognition videos are refused rather than ignored.
void make_synthetic_ava(const MakeSyntheticOptions& o, const CLI::App& cmd) {
  for (const char* name : {"--frames", "--fps", "--jobs", "--rawframes"})
    if (cmd.count(name))
      throw CLI::ValidationError(
          name, "has no meaning with --ava (it writes 8-second rawframe videos at 30 fps)");
  if (o.pose) throw CLI::ValidationError("--ava", "and --pose write different datasets");
  auto start = std::chrono::steady_clock::now();
  synthetic::AvaDatasetOptions options;
  options.videos(cmd.count("--videos") ? o.videos : 24).seed(o.seed).val_ratio(o.val_ratio);
  options.size(cmd.count("--size") ? o.size : 96).progress(draw_progress);
  synthetic::AvaDatasetSummary summary = synthetic::make_ava_dataset(o.out, options);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "wrote " << options.videos() << " AVA-format videos (" << summary.train_videos
            << " train, " << summary.val_videos << " val; " << summary.train_boxes << " + "
            << summary.val_boxes << " person boxes at " << options.timestamps().size()
            << " timestamps each; " << synthetic::ava_action_names().size() << " actions; "
            << options.size() * 4 / 3 / 2 * 2 << "x" << options.size() << ", " << options.seconds()
            << " s at 30 fps) to " << o.out << " in " << seconds << " s\n";
}

void make_synthetic(const MakeSyntheticOptions& o) {
  auto start = std::chrono::steady_clock::now();
  synthetic::MotionDatasetOptions options;
  options.videos(o.videos).seed(o.seed).size(o.size).frames(o.frames).fps(o.fps);
  options.val_ratio(o.val_ratio).jobs(o.jobs).rawframes(o.rawframes).progress(draw_progress);
  synthetic::MotionDatasetSummary summary = synthetic::make_motion_dataset(o.out, options);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "wrote " << o.videos << " videos (" << summary.train_videos << " train, "
            << summary.val_videos << " val; " << synthetic::motion_class_names().size()
            << " classes; " << o.size << "x" << o.size << ", " << o.frames << " frames, "
            << summary.encoder << (o.rawframes ? ", with rawframes" : "") << ") to " << o.out
            << " in " << seconds << " s\n";
}

}  // namespace

void add_make_synthetic(CLI::App& app) {
  auto o = std::make_shared<MakeSyntheticOptions>();
  CLI::App* cmd = app.add_subcommand(
      "make-synthetic",
      "Write the synthetic motion dataset: mp4 videos, train/val lists and a label map");
  cmd->add_option("out_dir", o->out, "Output directory")->required();
  cmd->add_option("--videos", o->videos, "Number of videos (classes take turns)")
      ->capture_default_str();
  cmd->add_option("--seed", o->seed, "Random seed: the same seed writes the same dataset")
      ->capture_default_str();
  cmd->add_option("--size", o->size, "Frame width and height (even)")->capture_default_str();
  cmd->add_option("--frames", o->frames, "Frames per video")->capture_default_str();
  cmd->add_option("--fps", o->fps, "Frame rate of the videos")->capture_default_str();
  cmd->add_option("--val-ratio", o->val_ratio, "Fraction of each class's videos for validation")
      ->capture_default_str();
  cmd->add_option("--jobs", o->jobs, "Parallel encodes (0: one per core)")->capture_default_str();
  cmd->add_flag("--rawframes", o->rawframes,
                "Also write rawframes (img_00001.jpg, ...) and their lists");
  cmd->add_flag("--pose", o->pose,
                "Write the skeleton dataset instead: train.pkl/val.pkl for PoseDataset (COCO "
                "keypoints of moving stick figures; --size defaults to 480 there)");
  cmd->add_flag("--ava", o->ava,
                "Write the spatio-temporal detection dataset instead: rawframes, AVA CSVs, label "
                "map and proposal pickles for AVADataset (--videos defaults to 24, --size, the "
                "frame height, to 96 there)");
  cmd->callback([o, cmd] {
    if (o->ava)
      make_synthetic_ava(*o, *cmd);
    else if (o->pose)
      make_synthetic_pose(*o, *cmd);
    else
      make_synthetic(*o);
  });
}

}  // namespace tubelet::cli
