// The C allocator's policy for a process that allocates and frees the same large blocks over
// and over (inference: each backbone pass makes and drops activations of tens of MB). glibc's
// malloc serves blocks above M_MMAP_THRESHOLD (at most 32 MiB) with a fresh mmap and unmaps
// them on free, so every pass faults in, and the kernel zero-fills, all of its pages again:
// `tubelet infer` on TSN-R50 spent more system than user time doing that. Keeping freed
// blocks in the heap lets the next pass reuse pages already mapped.
#pragma once

#include <string>

namespace tubelet {

// Which malloc serves this process, found at run time: "jemalloc" or "tcmalloc" (linked or
// LD_PRELOADed), "glibc <version>", or "unknown".
std::string malloc_implementation();

// Makes glibc's malloc keep what is freed: no block gets its own mmap (M_MMAP_MAX=0) and
// the heap's top is never given back (M_TRIM_THRESHOLD), so peak RSS is the peak of what is
// live (plus fragmentation) and pages are faulted in once. Call it once, early, in processes
// whose working set stays up until they exit. Leaves other mallocs (jemalloc, tcmalloc, which
// keep freed memory themselves) as they are, and does nothing when $TUBELET_MALLOC is
// "default". Returns what it did, for logs and collect-env: see keep_freed_memory_policy().
std::string keep_freed_memory();

// What keep_freed_memory() does (or would do) in this process, without doing it.
std::string keep_freed_memory_policy();

}  // namespace tubelet
