#include "tubelet/data/datasets/rawvideo_dataset.h"

#include <algorithm>
#include <cctype>
#include <random>
#include <stdexcept>

#include "tubelet/config/dump.h"
#include "tubelet/config/format.h"

namespace tubelet {
namespace {

bool ends_with_json(const std::string& file) {
  return file.size() >= 5 && file.compare(file.size() - 5, 5, ".json") == 0;
}

// clipname_tmpl.format(ind), with Python's format rules.
std::string clip_name(const std::string& tmpl, int64_t ind) {
  return python_format(tmpl, {Value(ind)});
}

// str.isalpha() of the first character; a non-ASCII first character is taken as a letter.
bool starts_with_letter(const std::string& text) {
  const auto c = static_cast<unsigned char>(text.front());
  return c >= 0x80 || std::isalpha(c);
}

}  // namespace

RawVideoDataset::RawVideoDataset(BaseDatasetOptions options, std::string clipname_tmpl,
                                 std::string sampling_strategy)
    : BaseDataset(std::move(options)),
      clipname_tmpl_(std::move(clipname_tmpl)),
      sampling_strategy_(std::move(sampling_strategy)) {
  if (options_.multi_class)
    throw std::invalid_argument(where() + ": RawVideoDataset does not support multi_class");
  load();
  // As MMAction2, videos without positive clips are dropped after BaseDataset's __init__, so
  // class_prob (sample_by_class) still counts them.
  if (sampling_strategy_ != "positive") return;
  for (size_t i = 0; i < video_infos_.size(); ++i)
    if (!video_infos_[i].contains("positive_clip_inds"))
      throw std::runtime_error(where() + ": entry " + std::to_string(i) +
                               " has no 'positive_clip_inds' (sampling_strategy='positive')");
  video_infos_.erase(std::remove_if(video_infos_.begin(), video_infos_.end(),
                                    [](const Dict& info) {
                                      const Value& inds = info.at("positive_clip_inds");
                                      return inds.is_sequence() && inds.as_list().empty();
                                    }),
                     video_infos_.end());
}

Dict RawVideoDataset::parse_line(const std::vector<std::string>& f, int64_t line) const {
  if (f.size() < 3)
    throw std::runtime_error(where(line) +
                             ": expected 'video_dir label num_clips [positive_clip_ind ...]', "
                             "got " +
                             std::to_string(f.size()) + " fields");
  List positive;
  for (size_t i = 3; i < f.size(); ++i)
    positive.emplace_back(field_int(f, i, "positive clip index", line));
  Dict info;
  info.set("video_dir", Value(with_prefix(f[0])));
  info.set("label", Value(field_int(f, 1, "label", line)));
  info.set("num_clips", Value(field_int(f, 2, "num_clips", line)));
  info.set("positive_clip_inds", Value::list(std::move(positive)));
  return info;
}

std::vector<Dict> RawVideoDataset::load_annotations() const {
  if (ends_with_json(options_.ann_file)) return load_rawvideo_json();
  return parse_text_lines([this](const auto& f, int64_t line) { return parse_line(f, line); });
}

// Unlike BaseDataset's, the infos are kept as they are (labels too); only video_dir gets
// data_prefix.
std::vector<Dict> RawVideoDataset::load_rawvideo_json() const {
  std::string text;
  for (const std::string& line : read_lines(options_.ann_file)) text += line + "\n";
  Value all = from_json(text, options_.ann_file);
  if (!all.is_list()) throw std::runtime_error(where() + ": expected a list of video infos");
  std::vector<Dict> infos;
  for (const Value& item : all.as_list()) {
    const std::string at = where() + ": entry " + std::to_string(infos.size());
    if (!item.is_dict()) throw std::runtime_error(at + " is not a dict");
    Dict info = item.as_dict();
    const Value* dir = info.find("video_dir");
    if (!dir || !dir->is_str()) throw std::runtime_error(at + " has no string 'video_dir'");
    info.set("video_dir", Value(with_prefix(dir->as_str())));
    infos.push_back(std::move(info));
  }
  return infos;
}

void RawVideoDataset::sample_clip(Sample& sample) const {
  const std::string who = type_name() + ".sample_clip";
  int64_t ind = 0;
  if (sampling_strategy_ == "positive") {
    const Value& inds = sample.need("positive_clip_inds", who);
    if (!inds.is_sequence() || inds.as_list().empty())
      throw std::invalid_argument(who + ": positive_clip_inds must be a non-empty list, got " +
                                  repr(inds));
    const List& list = inds.as_list();
    std::uniform_int_distribution<size_t> pick(0, list.size() - 1);
    ind = list[pick(sample.rng)].as_int();
  } else {
    const int64_t n = sample.need("num_clips", who).as_int();
    if (n <= 0)
      throw std::invalid_argument(who + ": num_clips is " + std::to_string(n) +
                                  " (random.randint(0, num_clips - 1) has an empty range)");
    ind = std::uniform_int_distribution<int64_t>(0, n - 1)(sample.rng);
  }
  const std::string name = clip_name(clipname_tmpl_, ind);
  const std::string dir = sample.need("video_dir", who).as_str();
  // A template starting with a letter names a file inside video_dir; otherwise it is a suffix
  // ('_part{}.mp4' gives video_dir + '_part3.mp4').
  sample.info.set("filename",
                  Value(starts_with_letter(clipname_tmpl_) ? path_join(dir, name) : dir + name));
}

Sample RawVideoDataset::get(int64_t index, uint64_t seed) const {
  Sample sample = prepare(index);
  sample.rng.seed(seed);
  sample_clip(sample);
  try {
    pipeline_.apply(sample);
  } catch (const std::exception& e) {
    throw std::runtime_error(type_name() + " (" + where() + ") index " + std::to_string(index) +
                             " (" + sample.info.at("filename").as_str() + "): " + e.what());
  }
  return sample;
}

std::shared_ptr<Dataset> RawVideoDataset::from_config(Args& args) {
  // RawVideoDataset hands start_index=0 to BaseDataset itself: a second one is Python's
  // TypeError.
  if (args.has("start_index"))
    throw args.error("start_index",
                     "RawVideoDataset got multiple values for keyword argument 'start_index'");
  std::string tmpl = args.get("clipname_tmpl", "part_{}.mp4");
  std::string strategy = args.get("sampling_strategy", "positive");
  BaseDatasetOptions options = BaseDatasetOptions::from_args(args, 0);
  args.finish();  // an unknown argument is reported before any file is read
  // MMAction2 asserts these only when a clip is sampled; here a config that could never give
  // a sample is refused at once.
  if (strategy != "positive" && strategy != "random")
    throw args.error("sampling_strategy",
                     "sampling_strategy must be 'positive' or 'random', got '" + strategy + "'");
  if (tmpl.empty()) throw args.error("clipname_tmpl", "clipname_tmpl must not be empty");
  return std::make_shared<RawVideoDataset>(std::move(options), tmpl, strategy);
}

TUBELET_REGISTER(DATASETS, RawVideoDataset, RawVideoDataset::from_config);

}  // namespace tubelet
