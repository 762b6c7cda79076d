// tubelet make-synthetic-features OUT_DIR [--videos N] [--feat-dim D] [--temporal-scale T]
// [--classes C] [--seed S]: writes the synthetic localization set (feature CSVs in MMAction2's
// ActivityNet layout and anet_anno_*.json) the BMN/BSN synthetic configs train on.
#include <iostream>

#include "commands.h"
#include "tubelet/synthetic/localization_features.h"

namespace tubelet::cli {

namespace {

struct MakeSyntheticFeaturesOptions {
  std::string out;
  int64_t videos = 40, feat_dim = 16, temporal_scale = 32, classes = 4;
  uint64_t seed = 0;
  double noise = 0.5, val_ratio = 0.2, test_ratio = 0.2;
};

void make_synthetic_features(const MakeSyntheticFeaturesOptions& o) {
  synthetic::LocalizationFeaturesOptions options;
  options.videos(o.videos).feat_dim(o.feat_dim).temporal_scale(o.temporal_scale);
  options.classes(o.classes).seed(o.seed).noise(o.noise).val_ratio(o.val_ratio);
  options.test_ratio(o.test_ratio);
  synthetic::LocalizationFeaturesSummary s = synthetic::make_localization_features(o.out, options);
  std::cout << "wrote " << o.videos << " videos (" << s.train << " train, " << s.val << " val, "
            << s.test << " test; " << s.segments << " action segments of " << o.classes
            << " classes; " << o.temporal_scale << " x " << o.feat_dim << " features) to " << o.out
            << "\n";
}

}  // namespace

void add_make_synthetic_features(CLI::App& app) {
  auto o = std::make_shared<MakeSyntheticFeaturesOptions>();
  CLI::App* cmd = app.add_subcommand(
      "make-synthetic-features",
      "Write a synthetic localization set: ActivityNet-style feature CSVs and anet_anno_*.json");
  cmd->add_option("out_dir", o->out, "Output directory")->required();
  cmd->add_option("--videos", o->videos, "Number of videos")->capture_default_str();
  cmd->add_option("--feat-dim", o->feat_dim, "Feature channels (columns of each CSV)")
      ->capture_default_str();
  cmd->add_option("--temporal-scale", o->temporal_scale, "Temporal positions (rows of each CSV)")
      ->capture_default_str();
  cmd->add_option("--classes", o->classes, "Action classes")->capture_default_str();
  cmd->add_option("--seed", o->seed, "Random seed: the same seed writes the same set")
      ->capture_default_str();
  cmd->add_option("--noise", o->noise, "Noise standard deviation (patterns are +-1)")
      ->capture_default_str();
  cmd->add_option("--val-ratio", o->val_ratio, "Fraction of videos in anet_anno_val.json")
      ->capture_default_str();
  cmd->add_option("--test-ratio", o->test_ratio, "Fraction of videos in anet_anno_test.json")
      ->capture_default_str();
  cmd->callback([o] { make_synthetic_features(*o); });
}

}  // namespace tubelet::cli
