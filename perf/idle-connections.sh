#!/usr/bin/env bash
# idle-connections.sh - the server memory an idle authenticated connection costs.
#
# Starts `fastsmb serve` (each --io given, one after the other), opens --count connections with
# NEGOTIATE + SESSION_SETUP (perf/FastSmb.Perf idle-connections), holds them idle and prints the
# server's VmRSS before and after, and the KiB per connection. Issue 6's target: 10,000 idle
# authenticated connections in < 1 GiB RSS (about 100 KiB per connection plus the baseline).
#
#   bash perf/idle-connections.sh [--count 10000] [--io uring] [--io sockets]
#
# Raises the open-file limit of the shell (and so of the server and the client) to 65536;
# as root when the hard limit is lower.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT" || exit 2
HOST=127.0.0.1
me=idle-connections
note() { echo "$me: $*" >&2; }
die() { note "$*"; exit 1; }
. scripts/lib/server-helpers.sh

COUNT=10000 IOS=()
while [ $# -gt 0 ]; do
    case $1 in
        --count) COUNT=$2; shift 2 ;;
        --io) IOS+=("$2"); shift 2 ;;
        *) die "unknown argument $1" ;;
    esac
done
[ ${#IOS[@]} -gt 0 ] || IOS=(uring sockets)
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true
[ "$(ulimit -n)" -gt $((COUNT + 100)) ] || die "open-file limit $(ulimit -n) is too low for $COUNT connections"

DLL=$(fastsmb_dll idle-connections) || exit 1
note "dotnet build perf/FastSmb.Perf -c Release"
dotnet build perf/FastSmb.Perf -c Release -tl:off </dev/null >artifacts/idle-connections-perf-build.log 2>&1 \
    || die "building perf/FastSmb.Perf failed (artifacts/idle-connections-perf-build.log)"
PERF=$ROOT/perf/FastSmb.Perf/bin/Release/net10.0/FastSmb.Perf.dll

for io in "${IOS[@]}"; do
    work=$(mktemp -d /tmp/fastsmb-idle.XXXXXX)
    port=$(free_port 4700)
    mkdir -p "$work/data"
    # The limit on connections without a logon must not refuse the ones being set up in parallel.
    printf '[global]\n   fastsmb io = %s\n   fastsmb max unauthenticated connections = 1024\n[share]\n   path = %s/share\n' \
        "$io" "$work" >"$work/smb.conf"
    mkdir -p "$work/share"
    FASTSMB_USER=bench FASTSMB_PASSWORD=benchpass setsid dotnet "$DLL" serve --listen "$HOST" --port "$port" \
        --data-dir "$work/data" --config "$work/smb.conf" </dev/null >"$work/serve.log" 2>&1 &
    pid=$!
    for _ in $(seq 60); do port_open "$HOST" "$port" && break; sleep 0.5; done
    port_open "$HOST" "$port" || { cat "$work/serve.log" >&2; kill -- -"$pid" 2>/dev/null; die "fastsmb ($io) did not start"; }
    note "io = $io: $COUNT connections to port $port (server pid $pid)"
    dotnet "$PERF" idle-connections --port "$port" --pid "$pid" --count "$COUNT" --user bench --password benchpass \
        | sed "s/^/$io\t/"
    kill -- -"$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rm -rf "$work"
done
