// Names the calling thread (at most 15 characters), so that top -H, perf and
// gdb tell the pipeline's stages apart.
#pragma once

#include <pthread.h>

namespace ms {

inline void name_thread(const char* name) { pthread_setname_np(pthread_self(), name); }

}  // namespace ms
