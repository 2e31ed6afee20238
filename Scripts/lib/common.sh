# Shared by the cluster scripts. Paths are relative to the repository root.
FERRY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FERRY_CLUSTER_DIR="${FERRY_CLUSTER_DIR:-$FERRY_ROOT/.cluster}"
# FERRY_BIN set by the caller: use those binaries as they are (cluster-up builds only the default release).
FERRY_BIN_GIVEN="${FERRY_BIN:+1}"
FERRY_BIN="${FERRY_BIN:-$FERRY_ROOT/.build/release}"
FERRY_NODES=(1 2 3)
# Shifts every port (SQS 9324-9326, peers 7101-7103) by this much, so a second local cluster (a test) never
# collides with the developer's; the shifted configs are written to $FERRY_CLUSTER_DIR.
FERRY_PORT_OFFSET="${FERRY_PORT_OFFSET:-0}"

ferry_client_port() { echo $((9323 + $1 + FERRY_PORT_OFFSET)); }
ferry_peer_port() { echo $((7100 + $1 + FERRY_PORT_OFFSET)); }

# The config file node N runs with: cluster/local/nodeN.toml, with its ports shifted by FERRY_PORT_OFFSET.
node_config() {
    local n=$1
    if [ "$FERRY_PORT_OFFSET" = "0" ]; then echo "$FERRY_ROOT/cluster/local/node$n.toml"; return; fi
    local out="$FERRY_CLUSTER_DIR/node$n.toml" args=() m
    # Two passes through placeholders, so a shifted port is never shifted again.
    for m in "${FERRY_NODES[@]}"; do
        args+=(-e "s/127\.0\.0\.1:$((9323 + m))\b/127.0.0.1:@client$m@/g")
        args+=(-e "s/127\.0\.0\.1:$((7100 + m))\b/127.0.0.1:@peer$m@/g")
    done
    for m in "${FERRY_NODES[@]}"; do
        args+=(-e "s/@client$m@/$(ferry_client_port "$m")/g" -e "s/@peer$m@/$(ferry_peer_port "$m")/g")
    done
    sed "${args[@]}" "$FERRY_ROOT/cluster/local/node$n.toml" > "$out"
    echo "$out"
}

ensure_system_packages() {
    local missing=()
    command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
    [ -f /usr/include/uv.h ] || missing+=(libuv1-dev)
    if [ ${#missing[@]} -gt 0 ]; then
        echo "==> installing ${missing[*]}"
        local sudo_cmd=()
        [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
        DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get update -qq
        DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
    fi
}

# Prints node N's pid if it is running (a killed process not yet reaped is a zombie: not running).
node_pid() {
    local pidfile="$FERRY_CLUSTER_DIR/node$1.pid"
    [ -f "$pidfile" ] || return 1
    local pid state
    pid=$(cat "$pidfile")
    state=$(ps -o stat= -p "$pid" 2>/dev/null) || return 1
    case "$state" in Z*|"") return 1 ;; esac
    echo "$pid"
}

start_node() {
    local n=$1
    if node_pid "$n" >/dev/null; then echo "node $n already running (pid $(node_pid "$n"))"; return; fi
    mkdir -p "$FERRY_CLUSTER_DIR"
    (
        cd "$FERRY_ROOT"
        # Backgrounded alone, so that $! is ferryd's own pid (kill-node sends it SIGKILL).
        # FERRYD_EXTRA_ARGS: more ferryd flags for every node, e.g. "--metrics false".
        # shellcheck disable=SC2086
        nohup "$FERRY_BIN/ferryd" --config "$(node_config "$n")" \
            --data-dir "$FERRY_CLUSTER_DIR/node$n" ${FERRYD_EXTRA_ARGS:-} >> "$FERRY_CLUSTER_DIR/node$n.log" 2>&1 &
        echo $! > "$FERRY_CLUSTER_DIR/node$n.pid"
    )
    echo "node $n started (pid $(cat "$FERRY_CLUSTER_DIR/node$n.pid"), log $FERRY_CLUSTER_DIR/node$n.log)"
}

# Waits until some node reports a leader; prints its id.
wait_for_leader() {
    local deadline=$((SECONDS + ${1:-30}))
    while [ $SECONDS -lt $deadline ]; do
        for n in "${FERRY_NODES[@]}"; do
            local leader
            leader=$(curl -s --max-time 1 "http://127.0.0.1:$(ferry_client_port "$n")/_ferry/status" \
                | sed -n 's/.*"leader": *\([0-9][0-9]*\).*/\1/p')
            if [ -n "$leader" ] && [ "$leader" != "0" ]; then echo "$leader"; return 0; fi
        done
        sleep 0.2
    done
    return 1
}
