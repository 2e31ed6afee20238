#ifndef FERRY_CLIBUV_SHIM_H
#define FERRY_CLIBUV_SHIM_H
// The system libuv (Debian: libuv1-dev). FerryRuntime is the only module that imports it.
#include <uv.h>

// uv_loop_configure is variadic, which Swift cannot call: have the loop account its idle time
// (uv_metrics_idle_time), for the event loop's utilisation in /metrics.
static inline int ferry_uv_loop_measure_idle_time(uv_loop_t *loop) {
    return uv_loop_configure(loop, UV_METRICS_IDLE_TIME);
}
#endif
