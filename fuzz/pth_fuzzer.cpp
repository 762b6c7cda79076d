// libFuzzer harness of the .pth reader: any bytes (zip or legacy format) must give a
// Pickle or a CheckpointError; never a crash, a hang, a leak or an unbounded allocation.
// Built and run by scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tubelet/checkpoint/pth.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tubelet::checkpoint;
  try {
    Pickle p =
        read_pth_bytes(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.pth");
    // What was read must also be writable (or refused cleanly: cycles, bare storages).
    write_pth_bytes(*p.root);
  } catch (const CheckpointError&) {
  }
  return 0;
}
