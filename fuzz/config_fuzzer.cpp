// libFuzzer harness of the config loader: any input must give a value or a ConfigError —
// never a crash, a hang, a sanitizer report or an unbounded allocation. A loaded config must
// also survive the round trip through `print-config --format py`.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"

namespace {

// The directory does not exist, so `_base_` lookups fail cleanly instead of reading files.
const std::string kFile = "/nonexistent-tubelet-fuzz/fuzz.py";

void check_round_trip(const tubelet::Dict& cfg) {
  std::string json = tubelet::to_json(tubelet::Value(cfg));
  std::string text = tubelet::to_python_config(cfg);
  tubelet::Dict again = tubelet::load_config_text(text, kFile);
  if (tubelet::to_json(tubelet::Value(again)) != json) {
    std::fprintf(stderr, "round trip changed the config:\n%s\n", text.c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  try {
    check_round_trip(tubelet::load_config_text(input, kFile));
  } catch (const tubelet::ConfigError&) {
  }
  try {
    tubelet::from_json(input, "fuzz.json");
  } catch (const tubelet::ConfigError&) {
  }
  try {
    tubelet::parse_cfg_option(input.substr(0, input.find('\n')));
  } catch (const tubelet::ConfigError&) {
  }
  return 0;
}
