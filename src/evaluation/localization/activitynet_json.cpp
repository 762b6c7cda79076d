#include "tubelet/evaluation/localization/activitynet_json.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tubelet/config/dump.h"

namespace tubelet {

namespace {

std::string name_of(const Value& key) {
  return key.is_str() ? key.as_str() : repr(key);
}

[[noreturn]] void fail(const std::string& where, const std::string& video,
                       const std::string& what) {
  throw std::invalid_argument(where + ": video '" + video + "' " + what);
}

TemporalSegment segment_of(const Value* v, const std::string& where, const std::string& video,
                           const std::string& item) {
  if (!v) fail(where, video, item + " has no 'segment'");
  if (!v->is_sequence() || v->as_list().size() != 2 || !v->as_list()[0].is_number() ||
      !v->as_list()[1].is_number())
    fail(where, video, item + " has segment " + repr(*v) + ", not [t_start, t_end]");
  return {v->as_list()[0].as_float(), v->as_list()[1].as_float()};
}

std::optional<std::string> label_of(const Dict& item, const std::string& where,
                                    const std::string& video, const std::string& what) {
  const Value* label = item.find("label");
  if (!label) return std::nullopt;
  if (!label->is_str()) fail(where, video, what + " has label " + repr(*label) + ", not a string");
  return label->as_str();
}

VideoGroundTruth ground_truth_of(const std::string& name, const Value& entry,
                                 const std::string& where) {
  if (!entry.is_dict()) fail(where, name, "is not an object");
  const Value* annotations = entry.as_dict().find("annotations");
  if (!annotations) fail(where, name, "has no 'annotations'");
  if (!annotations->is_sequence()) fail(where, name, "has 'annotations' that is not a list");
  VideoGroundTruth video{activitynet_video_id(name), {}};
  for (const Value& a : annotations->as_list()) {
    const std::string item = "annotation " + std::to_string(video.instances.size());
    if (!a.is_dict()) fail(where, name, "has " + item + " that is not an object");
    GroundTruthInstance instance;
    instance.segment = segment_of(a.as_dict().find("segment"), where, name, item);
    instance.label = label_of(a.as_dict(), where, name, item);
    video.instances.push_back(std::move(instance));
  }
  return video;
}

std::vector<ProposalInstance> proposals_of(const Value& list, const std::string& where,
                                           const std::string& video) {
  if (!list.is_sequence()) fail(where, video, "has proposals that are not a list");
  std::vector<ProposalInstance> out;
  for (const Value& p : list.as_list()) {
    const std::string item = "proposal " + std::to_string(out.size());
    if (!p.is_dict()) fail(where, video, "has " + item + " that is not an object");
    ProposalInstance proposal;
    proposal.segment = segment_of(p.as_dict().find("segment"), where, video, item);
    const Value* score = p.as_dict().find("score");
    if (!score || !score->is_number())
      fail(where, video, "has " + item + " without a number 'score'");
    proposal.score = score->as_float();
    proposal.label = label_of(p.as_dict(), where, video, item);
    out.push_back(std::move(proposal));
  }
  return out;
}

const Dict& record_of(const Value& record, const std::string& where, size_t index,
                      std::string& video_name) {
  const std::string at = where + ": record " + std::to_string(index);
  if (!record.is_dict()) throw std::invalid_argument(at + " is not a dict");
  const Value* name = record.as_dict().find("video_name");
  if (!name || !name->is_str()) throw std::invalid_argument(at + " has no string 'video_name'");
  video_name = name->as_str();
  if (!record.as_dict().contains("proposal_list"))
    throw std::invalid_argument(at + " (video '" + video_name + "') has no 'proposal_list'");
  return record.as_dict();
}

}  // namespace

std::vector<VideoGroundTruth> import_activitynet_ground_truth(const Value& database,
                                                              const std::string& where) {
  if (!database.is_dict())
    throw std::invalid_argument(where + ": expected a JSON object of videos by name");
  if (const Value* d = database.as_dict().find("database"); d && d->is_dict())
    throw std::invalid_argument(
        where +
        ": this is the official ActivityNet layout ({\"database\": ...}); "
        "MMAction2 reads the per-video one (anet_anno_*.json, names 'v_ID')");
  std::vector<VideoGroundTruth> out;
  for (const auto& [name, entry] : database.as_dict())
    out.push_back(ground_truth_of(name_of(name), entry, where));
  return out;
}

std::vector<VideoGroundTruth> import_activitynet_ground_truth(const std::vector<Dict>& infos,
                                                              const std::string& where) {
  std::vector<VideoGroundTruth> out;
  for (const Dict& info : infos) {
    const Value* name = info.find("video_name");
    out.push_back(
        ground_truth_of(name && name->is_str() ? name->as_str() : "?", Value(info), where));
  }
  return out;
}

std::vector<VideoProposals> import_activitynet_results(const Value& file,
                                                       const std::string& where) {
  const Value* results = file.is_dict() ? file.as_dict().find("results") : nullptr;
  if (!results || !results->is_dict())
    throw std::invalid_argument(where + ": expected {\"results\": {video id: [proposals]}}");
  std::vector<VideoProposals> out;
  for (const auto& [id, list] : results->as_dict())
    out.push_back({name_of(id), proposals_of(list, where, name_of(id))});
  return out;
}

std::vector<VideoProposals> import_proposal_records(const List& records, const std::string& where) {
  std::vector<VideoProposals> out;
  for (const Value& record : records) {
    std::string name;
    const Dict& r = record_of(record, where, out.size(), name);
    out.push_back({activitynet_video_id(name), proposals_of(r.at("proposal_list"), where, name)});
  }
  return out;
}

Dict proposals_to_json(const List& records, const std::string& where) {
  Dict out;
  size_t index = 0;
  for (const Value& record : records) {
    std::string name;
    const Dict& r = record_of(record, where, index++, name);
    out.set(activitynet_video_id(name), r.at("proposal_list"));
  }
  return out;
}

Value load_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  return from_json(text.str(), path);
}

}  // namespace tubelet
