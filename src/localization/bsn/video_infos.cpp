#include "tubelet/localization/bsn/video_infos.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tubelet/config/dump.h"

namespace tubelet::bsn {

std::vector<Dict> load_video_infos(const std::string& ann_file) {
  std::ifstream in(ann_file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open annotation file '" + ann_file + "'");
  std::stringstream text;
  text << in.rdbuf();
  Value database = from_json(text.str(), ann_file);
  if (!database.is_dict())
    throw std::runtime_error(ann_file + ": expected a JSON object of videos by name");
  std::vector<Dict> infos;
  for (const auto& [name, entry] : database.as_dict()) {
    if (!name.is_str() || !entry.is_dict())
      throw std::runtime_error(ann_file + ": video " + repr(name) + " is not an object");
    Dict info = entry.as_dict();
    info.set("video_name", name);
    infos.push_back(std::move(info));
  }
  return infos;
}

namespace {

double number_field(const Dict& info, const char* key, const std::string& where) {
  const Value* v = info.find(key);
  if (!v || !v->is_number())
    throw std::runtime_error(where + ": video '" + info.at("video_name").as_str() +
                             "' has no numeric '" + key + "'");
  return v->as_float();
}

}  // namespace

std::vector<std::pair<double, double>> feature_time_segments(const Dict& info,
                                                             const std::string& where) {
  const std::string& name = info.at("video_name").as_str();
  const double video_frame = number_field(info, "duration_frame", where);
  const double video_second = number_field(info, "duration_second", where);
  const double feature_frame = number_field(info, "feature_frame", where);
  const double corrected_second = feature_frame / video_frame * video_second;
  const Value* annotations = info.find("annotations");
  if (!annotations || !annotations->is_sequence() || annotations->as_list().empty())
    throw std::runtime_error(where + ": video '" + name +
                             "' has no annotated segments to match proposals against");
  std::vector<std::pair<double, double>> segments;
  for (const Value& annotation : annotations->as_list()) {
    const Value* segment = annotation.is_dict() ? annotation.as_dict().find("segment") : nullptr;
    if (!segment || !segment->is_sequence() || segment->as_list().size() != 2 ||
        !segment->as_list()[0].is_number() || !segment->as_list()[1].is_number())
      throw std::runtime_error(where + ": an annotation of video '" + name +
                               "' has no [start, end] segment");
    segments.emplace_back(segment->as_list()[0].as_float() / corrected_second,
                          segment->as_list()[1].as_float() / corrected_second);
  }
  return segments;
}

}  // namespace tubelet::bsn
