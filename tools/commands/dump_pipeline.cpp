// tubelet dump-pipeline CONFIG --split train|val|test --index I --out FILE.pth [--seed S]
// [--source K]: builds data.<split> as training and testing do (val and test in test mode; a
// list of datasets, as OmniSource's data.train, gives its K-th entry), runs its
// pipeline on sample I and writes what comes out as a .pth dict (see sample_pth.h) that
// Python's torch.load reads, to compare a pipeline with MMAction2's sample by sample.
#include <iostream>

#include "commands.h"
#include "tubelet/apis/train.h"
#include "tubelet/data/sample_pth.h"
#include "tubelet/plugin.h"

namespace tubelet::cli {

namespace {

struct DumpPipelineOptions {
  std::string config;
  std::string split;
  int64_t index = 0;
  std::string out;
  uint64_t seed = 0;
  int64_t source = 0;
  std::vector<std::string> cfg_options;
};

// The data block with data.<split> narrowed to entry `source` when it is a list.
Dict one_source(Dict data, const std::string& split, int64_t source) {
  const Value* entry = data.find(split);
  if (!entry || !entry->is_list()) {
    if (source != 0)
      throw std::invalid_argument("--source " + std::to_string(source) + ": data." + split +
                                  " is one dataset, not a list");
    return data;
  }
  const List& sources = entry->as_list();
  if (source < 0 || source >= static_cast<int64_t>(sources.size()))
    throw std::out_of_range("--source " + std::to_string(source) + " is out of range: data." +
                            split + " lists " + std::to_string(sources.size()) + " datasets");
  data.set(split, sources[static_cast<size_t>(source)]);
  return data;
}

void dump_pipeline(const DumpPipelineOptions& o) {
  const Dict cfg = load_config_for_command(o.config, o.cfg_options);
  auto dataset = build_dataset(one_source(data_block(cfg), o.split, o.source), o.split.c_str(),
                               o.split != "train");
  if (o.index < 0 || o.index >= dataset->size())
    throw std::out_of_range("--index " + std::to_string(o.index) + " is out of range: data." +
                            o.split + " of " + o.config + " has " +
                            std::to_string(dataset->size()) + " samples");
  // The sample's random transforms draw from a generator seeded with --seed.
  write_sample_pth(o.out, dataset->get(o.index, o.seed));
}

}  // namespace

void add_dump_pipeline(CLI::App& app) {
  auto o = std::make_shared<DumpPipelineOptions>();
  CLI::App* cmd = app.add_subcommand(
      "dump-pipeline", "Run a dataset's pipeline on one sample and write the result as a .pth");
  cmd->add_option("config", o->config, "Config file")->required();
  cmd->add_option("--split", o->split, "Which dataset: data.train, data.val or data.test")
      ->required()
      ->check(CLI::IsMember({"train", "val", "test"}));
  cmd->add_option("--index", o->index, "The sample's index in the dataset")->required();
  cmd->add_option("--out", o->out, "The .pth file to write")->required();
  cmd->add_option("--seed", o->seed, "Seed of the sample's random transforms (default 0)");
  cmd->add_option("--source", o->source,
                  "Which dataset when data.<split> is a list (OmniSource): 0 is the main one");
  cmd->add_option("--cfg-options", o->cfg_options, "Override settings, e.g. a.b=1")
      ->expected(0, -1);
  cmd->callback([o] { dump_pipeline(*o); });
}

}  // namespace tubelet::cli
