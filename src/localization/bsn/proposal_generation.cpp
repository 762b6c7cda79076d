#include "tubelet/localization/bsn/proposal_generation.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <ostream>
#include <stdexcept>
#include <thread>

#include "tubelet/args.h"
#include "tubelet/data/localization/feature_file_writers.h"
#include "tubelet/data/localization/feature_files.h"
#include "tubelet/localization/bsn/video_infos.h"
#include "tubelet/progress_bar.h"

namespace tubelet::bsn {

namespace {

std::string join_proposal_generation(const std::string& dir, const std::string& file) {
  return (std::filesystem::path(dir) / file).string();
}

// Runs work(i) for i in [0, n) on `threads` workers (MMAction2 splits the videos over
// processes); the first error stops the others from taking new videos and is rethrown.
template <class Work>
void for_each_video(int64_t n, int64_t threads, std::ostream* progress, Work work) {
  std::unique_ptr<ProgressBar> bar;
  if (progress) bar = std::make_unique<ProgressBar>(n, *progress);
  std::atomic<int64_t> next{0};
  std::exception_ptr error;
  std::mutex mutex;
  auto worker = [&] {
    for (int64_t i; (i = next++) < n;) {
      try {
        work(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!error) error = std::current_exception();
        next = n;
        return;
      }
      std::lock_guard<std::mutex> lock(mutex);
      if (bar) bar->update();
    }
  };
  const int64_t count = std::max<int64_t>(1, std::min(threads, n));
  std::vector<std::thread> pool;
  for (int64_t t = 1; t < count; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  if (bar) bar->finish();
  if (error) std::rethrow_exception(error);
}

torch::Tensor read_tem_results(const ProposalGenerationPaths& paths, const std::string& name) {
  return load_csv_table(join_proposal_generation(paths.tem_results_dir, name + ".csv"),
                        "TEM results of video " + name);
}

}  // namespace

int64_t generate_proposals(const std::vector<Dict>& infos, const ProposalGenerationPaths& paths,
                           const CandidateProposalsOptions& options, int64_t threads,
                           std::ostream* progress) {
  std::filesystem::create_directories(paths.pgm_proposals_dir);
  std::atomic<int64_t> written{0};
  for_each_video(static_cast<int64_t>(infos.size()), threads, progress, [&](int64_t i) {
    const std::string& name = infos[i].at("video_name").as_str();
    const auto gt = feature_time_segments(infos[i], paths.ann_file);
    torch::Tensor proposals;
    try {
      proposals = generate_candidate_proposals(read_tem_results(paths, name), gt, options);
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(join_proposal_generation(paths.tem_results_dir, name + ".csv") +
                               " (video " + name + "): " + e.what());
    }
    save_csv_table(join_proposal_generation(paths.pgm_proposals_dir, name + ".csv"),
                   kProposalHeader, proposals);
    written += proposals.size(0);
  });
  return written;
}

void generate_features(const std::vector<Dict>& infos, const ProposalGenerationPaths& paths,
                       const BspFeatureOptions& options, int64_t threads, std::ostream* progress) {
  std::filesystem::create_directories(paths.pgm_features_dir);
  for_each_video(static_cast<int64_t>(infos.size()), threads, progress, [&](int64_t i) {
    const std::string& name = infos[i].at("video_name").as_str();
    const std::string proposal_path =
        join_proposal_generation(paths.pgm_proposals_dir, name + ".csv");
    torch::Tensor proposals = load_csv_table(proposal_path, "proposals of video " + name);
    torch::Tensor feature;
    try {
      feature = generate_bsp_feature(read_tem_results(paths, name), proposals, options);
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(proposal_path + " (video " + name + "): " + e.what());
    }
    save_npy(join_proposal_generation(paths.pgm_features_dir, name + ".npy"), feature);
  });
}

namespace {

void require_csv(Args& args, const char* key) {
  const std::string ext = args.get(key, ".csv");
  if (ext != ".csv")
    throw args.error(key, std::string(key) + " '" + ext + "': only '.csv' is supported");
}

CandidateProposalsOptions proposal_options(const Dict& cfg, int64_t* threads) {
  Args args(cfg.at("pgm_proposals_cfg"), "pgm_proposals_cfg", "pgm_proposals_cfg");
  *threads = args.required<int64_t>("pgm_proposals_thread");
  CandidateProposalsOptions o;
  o.temporal_scale(args.required<int64_t>("temporal_scale"));
  o.peak_threshold(args.required<double>("peak_threshold"));
  require_csv(args, "tem_results_ext");
  args.finish();
  return o;
}

BspFeatureOptions feature_options(const Dict& cfg, const std::string& key, int64_t* threads) {
  Args args(cfg.at(key), key, key);
  *threads = args.required<int64_t>("pgm_features_thread");
  BspFeatureOptions o;
  o.top_k(args.get<int64_t>("top_k", o.top_k()));
  o.bsp_boundary_ratio(args.get<double>("bsp_boundary_ratio", o.bsp_boundary_ratio()));
  o.num_sample_start(args.get<int64_t>("num_sample_start", o.num_sample_start()));
  o.num_sample_end(args.get<int64_t>("num_sample_end", o.num_sample_end()));
  o.num_sample_action(args.get<int64_t>("num_sample_action", o.num_sample_action()));
  o.num_sample_interp(args.get<int64_t>("num_sample_interp", o.num_sample_interp()));
  require_csv(args, "tem_results_ext");
  require_csv(args, "pgm_proposal_ext");
  args.finish();
  return o;
}

std::string string_field(const Dict& cfg, const char* key) {
  const Value& v = cfg.at(key);
  if (!v.is_str())
    throw ConfigError(std::string("config '") + key + "' must be a str, got " + v.type_name());
  return v.as_str();
}

}  // namespace

ProposalGenerationSummary run_proposal_generation(const Dict& cfg, const std::string& mode,
                                                  std::ostream* log) {
  if (mode != "train" && mode != "test")
    throw std::invalid_argument("mode must be 'train' or 'test', got '" + mode + "'");
  ProposalGenerationPaths paths;
  paths.ann_file = string_field(cfg, mode == "train" ? "ann_file_train" : "ann_file_val");
  paths.tem_results_dir = string_field(cfg, "tem_results_dir");
  paths.pgm_proposals_dir = string_field(cfg, "pgm_proposals_dir");
  paths.pgm_features_dir = string_field(cfg, "pgm_features_dir");
  int64_t proposal_threads = 1, feature_threads = 1;
  const CandidateProposalsOptions proposal_cfg = proposal_options(cfg, &proposal_threads);
  const BspFeatureOptions feature_cfg = feature_options(
      cfg, mode == "train" ? "pgm_features_train_cfg" : "pgm_features_test_cfg", &feature_threads);
  const std::vector<Dict> infos = load_video_infos(paths.ann_file);
  ProposalGenerationSummary summary;
  summary.videos = static_cast<int64_t>(infos.size());
  summary.proposals = generate_proposals(infos, paths, proposal_cfg, proposal_threads, log);
  if (log) *log << "\nFinish proposal generation\n";
  generate_features(infos, paths, feature_cfg, feature_threads, log);
  if (log) *log << "\nFinish feature generation\n";
  return summary;
}

}  // namespace tubelet::bsn
