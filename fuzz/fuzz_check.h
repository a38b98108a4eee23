#pragma once
// An invariant a fuzz target checks: when it does not hold, the input is a finding, reported
// like a crash (libFuzzer keeps the input and stops).

#include <cstdio>
#include <cstdlib>

#define PONTE_FUZZ_CHECK(cond)                                                       \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)
