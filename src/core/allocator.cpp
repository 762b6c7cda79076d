#include "tubelet/allocator.h"

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>

#if defined(__GLIBC__)
#include <gnu/libc-version.h>
#include <malloc.h>
#endif

namespace tubelet {

namespace {

// jemalloc exports mallctl and tcmalloc tc_malloc wherever they serve malloc; their symbols
// are found whether they are linked or preloaded.
bool has_symbol(const char* name) {
  return dlsym(RTLD_DEFAULT, name) != nullptr;
}

bool opted_out() {
  const char* env = std::getenv("TUBELET_MALLOC");
  return env && std::strcmp(env, "default") == 0;
}

bool is_glibc_malloc() {
#if defined(__GLIBC__)
  return !has_symbol("mallctl") && !has_symbol("tc_malloc");
#else
  return false;
#endif
}

}  // namespace

std::string malloc_implementation() {
  if (has_symbol("mallctl")) return "jemalloc";
  if (has_symbol("tc_malloc")) return "tcmalloc";
#if defined(__GLIBC__)
  return std::string("glibc ") + gnu_get_libc_version();
#else
  return "unknown";
#endif
}

std::string keep_freed_memory_policy() {
  if (!is_glibc_malloc()) return malloc_implementation() + ": left as is (it keeps freed memory)";
  if (opted_out()) return malloc_implementation() + ": left as is (TUBELET_MALLOC=default)";
  return malloc_implementation() + ": M_MMAP_MAX=0, M_TRIM_THRESHOLD=max (freed blocks are reused)";
}

std::string keep_freed_memory() {
  const std::string policy = keep_freed_memory_policy();
#if defined(__GLIBC__)
  if (is_glibc_malloc() && !opted_out()) {
    // Every block from the heap (brk, or a thread's arena), none mmapped on its own: a freed
    // block goes back to the heap and the next allocation of that size reuses its pages.
    // (M_MMAP_THRESHOLD alone cannot do it: glibc caps it at 32 MiB, below a chunk's maps.)
    if (mallopt(M_MMAP_MAX, 0) != 1) return malloc_implementation() + ": mallopt failed";
    // And the heap's free top is never returned to the kernel between passes.
    mallopt(M_TRIM_THRESHOLD, 0x7fffffff);
  }
#endif
  return policy;
}

}  // namespace tubelet
