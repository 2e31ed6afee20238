#ifndef FERRY_CLIBUV_SHIM_H
#define FERRY_CLIBUV_SHIM_H
// The system libuv (Debian: libuv1-dev), and glibc's malloc.h for `malloc_trim` (ProcessMemory). FerryRuntime
// is the only module that imports it.
#include <uv.h>
#if defined(__linux__)
#include <malloc.h>
#endif

#endif
