#!/usr/bin/env bash
# ab-bench.sh - two FastSmb builds side by side, interleaved, with `fastsmb bench` (loopback)
#
# Usage: perf/ab-bench.sh BEFORE_DIR AFTER_DIR [ROUNDS] [SECONDS]
#   BEFORE_DIR, AFTER_DIR  build outputs holding fastsmb.dll (e.g. a copy of src/Cli/bin/Release/net10.0)
# Starts both servers on free loopback ports (account bench/benchpass, share `share`), then per round runs
# read and write with 4 KiB and 1 MiB blocks against each server, alternating which goes first, and prints
# one line per run (workload, block, server, round, IOPS, MB/s) and the after/before ratio per round. The
# machine may be shared and noisy: compare ratios of runs next to each other, not absolute figures.
# Needs root (the share belongs to the unix user bench, as in scripts/conformance.sh).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
HOST=127.0.0.1
. scripts/lib/server-helpers.sh
BEFORE=${1:?before dir} AFTER=${2:?after dir} ROUNDS=${3:-2} SECS=${4:-5}
WORK=$(mktemp -d /tmp/fastsmb-ab.XXXXXX); chmod 0755 "$WORK"
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null; done; }
trap cleanup EXIT
start() { # NAME DIR PORT
    mkdir -p "$WORK/$1/data/share"; chmod 0755 "$WORK/$1" "$WORK/$1/data"; chown bench: "$WORK/$1/data/share"
    FASTSMB_USER=bench FASTSMB_PASSWORD=benchpass setsid dotnet "$2/fastsmb.dll" serve --listen 127.0.0.1 --port "$3" \
        --data-dir "$WORK/$1/data" </dev/null >"$WORK/$1.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 150); do port_open 127.0.0.1 "$3" && return 0; sleep 0.2; done
    echo "server $1 did not start: $(tail -3 "$WORK/$1.log")" >&2; exit 1
}
PA=$(free_port 4611); start before "$BEFORE" "$PA"
PB=$(free_port $((PA + 1)) "$PA"); start after "$AFTER" "$PB"
run() { # PORT WORKLOAD BLOCK -> "iops mbps"
    FASTSMB_PASSWORD=benchpass dotnet "$AFTER/fastsmb.dll" bench "//127.0.0.1:$1/share" -U bench -w "$2" --block "$3" \
        --size 16M -c 4 -d 4 -t "$SECS" --json 2>/dev/null |
        python3 -c 'import json,sys; r=json.load(sys.stdin); print(round(r["opsPerSecond"]), round(r["megabytesPerSecond"],1), r["errors"])'
}
for round in $(seq 1 "$ROUNDS"); do
    for wl in read write; do
        for block in 4K 1M; do
            if [ $((round % 2)) = 1 ]; then order="before after"; else order="after before"; fi
            declare -A res=()
            for s in $order; do
                port=$PA; [ "$s" = after ] && port=$PB
                res[$s]=$(run "$port" "$wl" "$block")
                echo "$wl $block $s round=$round ${res[$s]}"
            done
            python3 -c "import sys; b=float(sys.argv[1].split()[0] or 0); a=float(sys.argv[2].split()[0] or 0); print('RATIO $wl $block round=$round after/before', round(a/b,2) if b else 'n/a')" "${res[before]}" "${res[after]}"
            unset res
        done
    done
done
