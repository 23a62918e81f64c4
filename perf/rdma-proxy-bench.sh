#!/usr/bin/env bash
# rdma-proxy-bench.sh - SMB Direct over soft RDMA through `fastsmb rdma-proxy` vs FastSmb over TCP, one host.
#
# Usage: perf/rdma-proxy-bench.sh [ROUNDS] [SECONDS]   (defaults 2 rounds, 5 s per run)
#
# Starts one `fastsmb serve` (TCP on a free port, `fastsmb rdma provider = proxy`) and one `fastsmb rdma-proxy
# --provider soft`, then runs `fastsmb bench` interleaved (each round: for 1, 2, 4 channels: TCP then RDMA, 1 MiB READ
# at depth 4, then 4 KiB READ at depth 1), with --cpu-pid on the server (and the proxy for RDMA). JSON results go to
# WORK/results/*.json; the last lines printed are one row per run. Both processes are stopped on exit.
# Environment: FASTSMB_DLL (default src/Cli/bin/Release/net10.0/fastsmb.dll), WORK (default a new /tmp directory).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
ROUNDS=${1:-2} SECONDS_PER_RUN=${2:-5}
DLL=${FASTSMB_DLL:-src/Cli/bin/Release/net10.0/fastsmb.dll}
WORK=${WORK:-$(mktemp -d /tmp/fastsmb-rdmabench.XXXXXX)}
USER_NAME=bench USER_PASS=benchpass
. scripts/lib/server-helpers.sh
HOST=127.0.0.1
PORT=$(free_port 4593)
mkdir -p "$WORK/data/share" "$WORK/results"
chmod 0755 "$WORK" "$WORK/data"
if [ "$(id -u)" = 0 ] && id "$USER_NAME" >/dev/null 2>&1; then chown "$USER_NAME:" "$WORK/data/share"; fi
HANDOFF=$WORK/handoff.sock SMBD=$WORK/smbd.sock

serve_pid="" proxy_pid=""
cleanup() {
    [ -z "$proxy_pid" ] || kill -TERM "$proxy_pid" 2>/dev/null
    [ -z "$serve_pid" ] || kill -TERM "$serve_pid" 2>/dev/null
    wait 2>/dev/null
}
trap cleanup EXIT

start_serve() {
    FASTSMB_USER=$USER_NAME FASTSMB_PASSWORD=$USER_PASS dotnet "$DLL" serve --listen 127.0.0.1 --port "$PORT" \
        --data-dir "$WORK/data" </dev/null >>"$WORK/serve.log" 2>&1 &
    serve_pid=$!
    for _ in $(seq 1 150); do
        grep -q "listening\|Listening" "$WORK/serve.log" 2>/dev/null && return 0
        sleep 0.2
    done
    echo "fastsmb serve did not start: $(tail -n 3 "$WORK/serve.log")" >&2
    exit 1
}

# first start writes DATA_DIR/smb.conf and the account; then SMB Direct through the proxy is switched on
start_serve
kill -TERM "$serve_pid"; wait "$serve_pid" 2>/dev/null; serve_pid=""
sed -i "s|^\[global\]|[global]\n   fastsmb rdma provider = proxy\n   fastsmb rdma listen = $HANDOFF|" "$WORK/data/smb.conf"
: >"$WORK/serve.log"
start_serve
dotnet "$DLL" rdma-proxy --provider soft --listen "$SMBD" --server "$HANDOFF" </dev/null >"$WORK/proxy.log" 2>&1 &
proxy_pid=$!
for _ in $(seq 1 100); do [ -S "$SMBD" ] && break; sleep 0.2; done
[ -S "$SMBD" ] || { echo "rdma-proxy did not listen: $(tail -n 3 "$WORK/proxy.log")" >&2; exit 1; }

run() { # NAME TRANSPORT CHANNELS BLOCK DEPTH
    local name=$1 transport=$2 channels=$3 block=$4 depth=$5 extra=()
    if [ "$transport" = rdma ]; then
        extra=(--transport rdma --rdma-provider soft --rdma-address "$SMBD" --cpu-pid "$serve_pid" --cpu-pid "$proxy_pid")
    else
        extra=(--cpu-pid "$serve_pid")
    fi
    dotnet "$DLL" bench "//127.0.0.1:$PORT/share" -U "$USER_NAME%$USER_PASS" -w read --block "$block" --size 64M \
        -c 1 -d "$depth" --channels "$channels" -t "$SECONDS_PER_RUN" "${extra[@]}" \
        --json --json-out "$WORK/results/$name.json" >/dev/null 2>>"$WORK/bench.err" || echo "bench $name failed" >&2
}

for round in $(seq 1 "$ROUNDS"); do
    for ch in 1 2 4; do
        run "r$round-1M-tcp-$ch" tcp "$ch" 1M 4
        run "r$round-1M-rdma-$ch" rdma "$ch" 1M 4
        run "r$round-4K-tcp-$ch" tcp "$ch" 4K 1
        run "r$round-4K-rdma-$ch" rdma "$ch" 4K 1
    done
done

python3 - "$WORK/results" <<'EOF'
import json, os, sys
d = sys.argv[1]
print("run\tMB/s\tp50_us\tclient_cpu_s_per_GB\tserver_cpu_s_per_GB\terrors")
for f in sorted(os.listdir(d)):
    r = json.load(open(os.path.join(d, f)))
    print(f"{f[:-5]}\t{r['megabytesPerSecond']:.0f}\t{r['latencyP50Microseconds']:.0f}\t{r['clientCpuSecondsPerGB']:.2f}\t"
          f"{(r['serverCpuSecondsPerGB'] or 0):.2f}\t{r['errors']}")
EOF
echo "results in $WORK/results"
