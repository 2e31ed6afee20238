#ifndef FERRY_CLIBUV_SHIM_H
#define FERRY_CLIBUV_SHIM_H
// The system libuv (Debian: libuv1-dev). FerryRuntime is the only module that imports it.
#include <uv.h>

#endif
