#include "tubelet/analysis/json_log.h"

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include "tubelet/config/dump.h"

namespace tubelet::analysis {

std::vector<std::string> JsonLog::keys() const {
  std::vector<std::string> out;
  for (const EpochLog& epoch : epochs)
    for (const Dict& entry : epoch.entries)
      for (const auto& [key, value] : entry.items()) {
        if (!key.is_str() || !value.is_number() || value.is_bool()) continue;
        const std::string& name = key.as_str();
        if (name == "iter" || std::find(out.begin(), out.end(), name) != out.end()) continue;
        out.push_back(name);
      }
  return out;
}

JsonLog load_json_log(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open the log " + path.string());
  JsonLog log;
  log.path = path;
  std::string line;
  for (int64_t number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Value parsed;
    try {
      parsed = from_json(line, path.string() + " line " + std::to_string(number));
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string("not a JSON log: ") + e.what());
    }
    if (!parsed.is_dict())
      throw std::runtime_error(path.string() + " line " + std::to_string(number) +
                               ": expected a JSON object");
    Dict entry = parsed.as_dict();
    const Value* epoch_value = entry.find("epoch");
    if (!epoch_value) continue;
    const int64_t epoch = epoch_value->as_int();
    entry.erase("epoch");
    auto it = std::find_if(log.epochs.begin(), log.epochs.end(),
                           [&](const EpochLog& e) { return e.epoch == epoch; });
    if (it == log.epochs.end()) it = log.epochs.insert(log.epochs.end(), EpochLog{epoch, {}});
    it->entries.push_back(std::move(entry));
  }
  return log;
}

std::string entry_mode(const Dict& entry) {
  const Value* mode = entry.find("mode");
  return mode && mode->is_str() ? mode->as_str() : "";
}

}  // namespace tubelet::analysis
