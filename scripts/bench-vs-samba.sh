#!/usr/bin/env bash
# bench-vs-samba.sh - FastSmb and a reference Samba measured side by side, in one run, on one machine
#
# Usage: scripts/bench-vs-samba.sh [--out FILE] [--rounds N] [--time S] [--size SIZE] [--note TEXT]
#   --out FILE    the results file (default perf/results/YYYY-MM-DD.md, UTC date)
#   --rounds N    each measurement is taken N times per server, interleaved (default 3); the
#                 table shows the median, the file also lists every round
#   --time S      seconds per smbtorture measurement (torture:timelimit, default 5)
#   --size SIZE   file size for smbclient get/put, with K/M/G suffix (default 256M)
#   --note TEXT   a remark printed at the top of the results (e.g. "the machine was busy")
#
# Builds src/Cli (Release), starts `fastsmb serve` and a private reference Samba
# (scripts/reference-samba.sh) on free loopback ports, with the same account (bench/benchpass),
# share name (share) and file system (both data directories under BENCH_DIR), installs Samba
# 4.22's smbtorture privately if it is missing (scripts/smbtorture-new.sh; Debian 12's 4.17
# has no smb2.bench.*), then measures, alternating Samba and FastSmb round by round:
#   smb2.bench.read 4 KiB and 1 MiB (4 connections, queue depth 1; 1 MiB also encrypted),
#   smb2.bench.echo, smb2.bench.path-contention-shared (open+close), smb2.bench.session-setup,
#   fastsmb bench write (1 MiB blocks, 4 connections, depth 2), smbclient get and put of one SIZE file (from and to /dev/shm), and the loopback TCP
#   throughput (iperf3, 1 and 4 streams) as the ceiling, after an unrecorded warm-up. With each
#   measurement it records the CPU time the server used. It writes a markdown file with the
#   medians, the FastSmb/Samba ratios next to the targets of issue 6, every round, the machine
#   (cores, load before and after) and the versions. Both servers are stopped on exit.
# Needs root (the reference Samba switches users; the installers use apt). Packages: samba,
# smbclient, iperf3 (installed with apt-get when missing).
# Environment: BENCH_DIR (default /tmp/fastsmb-bench, emptied first), FASTSMB_DLL (a built
# fastsmb.dll instead of building), SMBTORTURE (a smbtorture with smb2.bench.*),
# SAMBA_PORT / FASTSMB_PORT (first port to try; defaults 4591, 4592), CLIENT_GLIBC_TUNABLES
# (GLIBC_TUNABLES for smbtorture, the same for both servers; e.g.
# glibc.malloc.trim_threshold=268435456:glibc.malloc.mmap_threshold=268435456 stops its malloc
# from faulting in every page of each 1 MiB response with 4 connections in flight, which bounds
# the 1 MiB figures on a VM: perf/results/2026-11-23-wirespeed.md; default unset).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
ROOT=$(pwd -P)
# shellcheck source=lib/server-helpers.sh
. scripts/lib/server-helpers.sh
me=bench-vs-samba
note() { echo "$me: $*" >&2; }
die() { echo "$me: error: $*" >&2; exit 2; }
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2; exit 2; }

OUT="" ROUNDS=3 TIME=5 SIZE_ARG=256M NOTE=""
while [ $# -gt 0 ]; do
    case "$1" in
        --out) [ $# -ge 2 ] || usage; OUT=$2; shift 2 ;;
        --rounds) [ $# -ge 2 ] || usage; ROUNDS=$2; shift 2 ;;
        --time) [ $# -ge 2 ] || usage; TIME=$2; shift 2 ;;
        --size) [ $# -ge 2 ] || usage; SIZE_ARG=$2; shift 2 ;;
        --note) [ $# -ge 2 ] || usage; NOTE=$2; shift 2 ;;
        *) usage ;;
    esac
done
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive number"
[[ "$TIME" =~ ^[1-9][0-9]*$ ]] || die "--time must be a positive number of seconds"
[[ "$SIZE_ARG" =~ ^([0-9]+)([kKmMgG]?)$ ]] || die "bad --size '$SIZE_ARG'"
case "${BASH_REMATCH[2]}" in
    k | K) SIZE=$((10#${BASH_REMATCH[1]} * 1024)) ;;
    m | M) SIZE=$((10#${BASH_REMATCH[1]} * 1024 * 1024)) ;;
    g | G) SIZE=$((10#${BASH_REMATCH[1]} * 1024 * 1024 * 1024)) ;;
    *) SIZE=$((10#${BASH_REMATCH[1]})) ;;
esac
[ "$SIZE" -gt 0 ] || die "--size must be > 0"
[ -n "$OUT" ] || OUT=perf/results/$(date -u +%F).md
[ "$(id -u)" = 0 ] || die "must run as root (the reference Samba switches users)"

# --- tools ----------------------------------------------------------------------------
for t in smbd smbclient iperf3; do
    if ! command -v "$t" >/dev/null; then
        pkg=$t; [ "$t" = smbd ] && pkg=samba
        note "installing $pkg"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >/dev/null 2>&1 || die "apt-get install $pkg failed"
    fi
done
TORTURE=${SMBTORTURE:-}
if [ -z "$TORTURE" ]; then
    TORTURE=$(bash scripts/smbtorture-new.sh | tail -n 1) || die "could not install Samba 4.22's smbtorture"
fi
"$TORTURE" --list smb2.bench 2>/dev/null | grep -q '^smb2\.bench\.read' || die "$TORTURE has no smb2.bench.read"

WORK=${BENCH_DIR:-/tmp/fastsmb-bench}
case "$WORK" in /*/*) ;; *) die "BENCH_DIR must be an absolute path below a directory" ;; esac
USER_NAME=bench USER_PASS=benchpass HOST=127.0.0.1

DLL=$(fastsmb_dll bench) || exit 2

# --- servers --------------------------------------------------------------------------
if [ -d "$WORK/samba" ]; then bash scripts/reference-samba.sh stop 1 "$WORK/samba" >/dev/null 2>&1 || true; fi
rm -rf "$WORK"
mkdir -p "$WORK/fastsmb/data/share" "$WORK/logs" || die "cannot create $WORK"
chmod 0755 "$WORK" "$WORK/fastsmb" "$WORK/fastsmb/data"

fastsmb_pid="" samba_started=0 iperf_pid=""
cleanup() {
    if [ -n "$fastsmb_pid" ]; then
        kill -TERM -- "-$fastsmb_pid" 2>/dev/null
        for _ in $(seq 1 25); do kill -0 "$fastsmb_pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL -- "-$fastsmb_pid" 2>/dev/null
    fi
    [ -z "$iperf_pid" ] || kill "$iperf_pid" 2>/dev/null
    [ "$samba_started" = 0 ] || bash scripts/reference-samba.sh stop 1 "$WORK/samba" >/dev/null 2>&1
    rm -f /dev/shm/fastsmb-bench-$$.dat
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SAMBA_PORT=$(free_port "${SAMBA_PORT:-4591}")
samba_started=1
bash scripts/reference-samba.sh start "$SAMBA_PORT" "$WORK/samba" >"$WORK/logs/samba-start.log" 2>&1 \
    || { cat "$WORK/logs/samba-start.log" >&2; die "the reference Samba did not start"; }
# the unix account exists now (reference-samba.sh makes it); FastSmb does file operations as it
chown "$USER_NAME:" "$WORK/fastsmb/data/share"

FASTSMB_PORT=$(free_port "${FASTSMB_PORT:-4592}" "$SAMBA_PORT")
FASTSMB_USER=$USER_NAME FASTSMB_PASSWORD=$USER_PASS setsid \
    dotnet "$DLL" serve --listen "$HOST" --port "$FASTSMB_PORT" --data-dir "$WORK/fastsmb/data" \
    </dev/null >"$WORK/logs/fastsmb-serve.log" 2>&1 &
fastsmb_pid=$!
deadline=$((SECONDS + 30))
until port_open "$HOST" "$FASTSMB_PORT"; do
    kill -0 "$fastsmb_pid" 2>/dev/null || { cat "$WORK/logs/fastsmb-serve.log" >&2; die "fastsmb serve exited"; }
    [ "$SECONDS" -lt "$deadline" ] || die "fastsmb serve does not listen after 30 s"
    sleep 0.2
done
note "Samba on $SAMBA_PORT, FastSmb on $FASTSMB_PORT (pid $fastsmb_pid), smbtorture $TORTURE"

CONF=$WORK/client.conf   # the client's built-in defaults, not /etc/samba/smb.conf
printf '[global]\n' >"$CONF"

load() { cut -d' ' -f1-3 /proc/loadavg; }
HZ=$(getconf CLK_TCK)
samba_main=$(tr -dc '0-9' <"$WORK/samba/pid/smbd.pid")
# server_cpu NAME: CPU ticks the server used so far: FastSmb's process; Samba's main smbd with its reaped
# children (one process per connection)
server_cpu() {
    if [ "$1" = fastsmb ]; then awk '{ print $14 + $15 }' "/proc/$fastsmb_pid/stat"
    else awk '{ print $14 + $15 + $16 + $17 }' "/proc/$samba_main/stat"; fi
}
load_before=$(load)

# --- measurements -----------------------------------------------------------------------
# Each measurement NAME has one function that prints one number (higher is better) or fails.
declare -A UNIT LABEL TARGET
results=$WORK/results.tsv   # NAME<TAB>SERVER<TAB>ROUND<TAB>VALUE
: >"$results"

# torture PORT LOG TEST OPTION...: prints the last summary line "TEST[num/s=...,bytes/s=...]"
torture() {
    local port=$1 log=$2 test=$3; shift 3
    # one retry: smb2.bench.read's set-up now and then fails on a busy machine (NT_STATUS_OBJECT_PATH_NOT_FOUND)
    torture_once "$port" "$log" "$test" "$@" 2>/dev/null || torture_once "$port" "$log" "$test" "$@"
}
torture_once() {
    local port=$1 log=$2 test=$3; shift 3
    timeout $((TIME * 4 + 60)) env ${CLIENT_GLIBC_TUNABLES:+GLIBC_TUNABLES="$CLIENT_GLIBC_TUNABLES"} "$TORTURE" "//$HOST/share" -p "$port" -U "$USER_NAME%$USER_PASS" -s "$CONF" \
        --use-kerberos=off --option=torture:progress=no --option=torture:timelimit="$TIME" "$@" \
        "smb2.bench.$test" >"$log" 2>&1
    local rc=$?
    local sum
    sum=$(tr '\r' '\n' <"$log" | grep -E "[a-z_-]+\[num/s=" | tail -n 1)
    if [ $rc -ne 0 ] || [ -z "$sum" ]; then
        echo "$me: smb2.bench.$test on port $port failed (rc $rc): $(tail -n 3 "$log" | tr '\n' ' ')" >&2
        return 1
    fi
    echo "$sum"
}
field() { sed -nE "s|^[^[]*\\[([^]]*,)?$1=([0-9.]+).*|\\2|p" <<<"$2" | head -n 1; }

ops() { local n; n=$(field num/s "$1"); echo "$n $((n * TIME))"; }
mbs() { awk -v b="$(field bytes/s "$1")" -v t="$TIME" 'BEGIN { printf "%.1f %.1f\n", b / 1e6, b * t / 1e6 }'; }
m_read4k() { local s; s=$(torture "$1" "$2" read --option=torture:nprocs=4 --option=torture:qdepth=1 --option=torture:io_size=4096) && ops "$s"; }
m_read1m() { local s; s=$(torture "$1" "$2" read --option=torture:nprocs=4 --option=torture:qdepth=1 --option=torture:io_size=1048576) && mbs "$s"; }
m_read1m_enc() { local s; s=$(torture "$1" "$2" read --option=torture:nprocs=4 --option=torture:qdepth=1 --option=torture:io_size=1048576 --option='client smb encrypt=required') && mbs "$s"; }
m_echo() { local s; s=$(torture "$1" "$2" echo --option=torture:nprocs=4) && ops "$s"; }
m_open() { local s; s=$(torture "$1" "$2" path-contention-shared --option=torture:nprocs=4) && ops "$s"; }
m_session() { local s; s=$(torture "$1" "$2" session-setup --option=torture:nprocs=4) && ops "$s"; }

SRC=/dev/shm/fastsmb-bench-$$.dat
smbc() { smbclient "//$HOST/share" -p "$1" -U "$USER_NAME%$USER_PASS" -s "$CONF" --use-kerberos=off -c "$3" >"$2" 2>&1; }
# smbclient get/put: wall clock around the whole smbclient run (connect, logon, transfer), MB/s
timed_mbs() {   # PORT LOG COMMAND
    local t0 t1
    t0=$(date +%s.%N)
    smbc "$1" "$2" "$3" || { echo "$me: smbclient '$3' on port $1 failed: $(tail -n 2 "$2" | tr '\n' ' ')" >&2; return 1; }
    t1=$(date +%s.%N)
    awk -v b="$SIZE" -v s="$t0" -v e="$t1" 'BEGIN { printf "%.1f %.1f\n", b / (e - s) / 1e6, b / 1e6 }'
}
m_get() { timed_mbs "$1" "$2" "get bench.dat /dev/null"; }
m_put() { timed_mbs "$1" "$2" "put $SRC bench-put.dat"; }

# fastsmb bench (src/Client/Bench) as the load generator for what smb2.bench lacks: 1 MiB writes, 4 connections x 2
m_write1m() {
    local out
    out=$(timeout $((TIME * 4 + 120)) dotnet "$DLL" bench "//$HOST:$1/share" -U "$USER_NAME%$USER_PASS" -w write \
        --block 1M --size 64M -c 4 -d 2 -t "$TIME" --json 2>"$2") || { echo "$me: fastsmb bench write on port $1 failed: $(tail -n 2 "$2" | tr '\n' ' ')" >&2; return 1; }
    python3 -c 'import json,sys; r = json.load(sys.stdin); print("%.1f %.1f" % (r["megabytesPerSecond"], r["bytes"] / 1e6))' <<<"$out"
}

iperf() {   # STREAMS: loopback TCP MB/s
    local port out
    port=$(free_port 5301 "$FASTSMB_PORT")
    # (no probe connection: iperf3 would take it for a test)
    iperf3 -s -p "$port" -B "$HOST" >/dev/null 2>&1 &
    iperf_pid=$!
    sleep 1
    out=$(iperf3 -c "$HOST" -p "$port" -t "$TIME" -P "$1" -J 2>/dev/null)
    kill "$iperf_pid" 2>/dev/null; wait "$iperf_pid" 2>/dev/null; iperf_pid=""
    python3 -c 'import json,sys; print("%.1f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 8e6))' <<<"$out"
}

add() { UNIT[$1]=$2; LABEL[$1]=$3; TARGET[$1]=$4; order+=("$1"); }
order=()
add read4k "IOPS" "smb2.bench.read 4 KiB, 4 connections, depth 1" "≥ 2.0"
add read1m "MB/s" "smb2.bench.read 1 MiB, 4 connections, depth 1" "≥ 2.0"
add read1m_enc "MB/s" "smb2.bench.read 1 MiB, encrypted (client smb encrypt = required)" "≥ 1.5"
add echo "req/s" "smb2.bench.echo, 4 connections" "≥ 2.0"
add open "open+close/s" "smb2.bench.path-contention-shared, 4 connections" "≥ 2.0"
add session "setups/s" "smb2.bench.session-setup, 4 connections" "≥ 1.5"
add write1m "MB/s" "fastsmb bench write 1 MiB, 4 connections x depth 2" "-"
add get "MB/s" "smbclient get $SIZE_ARG → /dev/null (one connection, whole run)" "≥ 1.3"
add put "MB/s" "smbclient put $SIZE_ARG ← /dev/shm (one connection, whole run)" "≥ 1.3"

# the same file on both servers for get
head -c "$SIZE" /dev/urandom >"$SRC" || die "cannot write $SRC"
for s in samba fastsmb; do
    port=$SAMBA_PORT; [ "$s" = fastsmb ] && port=$FASTSMB_PORT
    smbc "$port" "$WORK/logs/$s-put0.log" "put $SRC bench.dat" || { cat "$WORK/logs/$s-put0.log" >&2; die "initial put to $s failed"; }
done

# warm-up, not recorded: FastSmb's JIT compiles its hot paths, both servers' caches fill
note "warm-up"
for name in read4k read1m echo open session; do
    for port in "$SAMBA_PORT" "$FASTSMB_PORT"; do
        TIME=2 "m_$name" "$port" "$WORK/logs/warmup-$name-$port.log" >/dev/null 2>&1 || true
    done
done

for r in $(seq 1 "$ROUNDS"); do
    for name in "${order[@]}"; do
        # alternate which server goes first, so neither always gets the warmer machine
        servers=(samba fastsmb); [ $((r % 2)) = 0 ] && servers=(fastsmb samba)
        for s in "${servers[@]}"; do
            port=$SAMBA_PORT; [ "$s" = fastsmb ] && port=$FASTSMB_PORT
            c0=$(server_cpu "$s")
            out=$("m_$name" "$port" "$WORK/logs/$s-$name-$r.log") || out=""
            sleep 0.5   # Samba's connection processes exit and are reaped into the parent's times
            c1=$(server_cpu "$s")
            read -r v work <<<"$out"
            # server CPU: microseconds per operation, or milliseconds per MB for the throughput measurements
            cpu=$(awk -v c=$((c1 - c0)) -v w="${work:-0}" -v hz="$HZ" -v u="${UNIT[$name]}" \
                'BEGIN { if (w <= 0) print "-"; else if (u == "MB/s") printf "%.1f\n", c * 1e3 / hz / w; else printf "%.0f\n", c * 1e6 / hz / w }')
            printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$s" "$r" "${v:--}" "$cpu" >>"$results"
            note "round $r $name $s: ${v:-failed} (server CPU $cpu)"
        done
    done
    for p in 1 4; do
        v=$(iperf "$p") || v=""
        printf '%s\t%s\t%s\t%s\t-\n' "iperf$p" tcp "$r" "${v:--}" >>"$results"
        note "round $r iperf3 -P $p: ${v:-failed} MB/s"
    done
done
load_after=$(load)

# --- report -----------------------------------------------------------------------------
median() {   # NAME SERVER [COLUMN]
    awk -F'\t' -v n="$1" -v s="$2" -v c="${3:-4}" '$1 == n && $2 == s && $c != "-" { print $c }' "$results" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
rounds_of() { awk -F'\t' -v n="$1" -v s="$2" '$1 == n && $2 == s { printf "%s%s", sep, $4; sep = ", " }' "$results"; }
ratio() { awk -v f="$1" -v s="$2" 'BEGIN { if (f == "-" || s == "-" || s + 0 == 0) print "-"; else printf "%.2f\n", f / s }'; }

iperf1=$(median iperf1 tcp) iperf4=$(median iperf4 tcp)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=""; [ -z "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] || dirty=" (with uncommitted changes)"
mkdir -p "$(dirname "$OUT")"
{
    echo "# FastSmb vs Samba, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Measured by \`scripts/bench-vs-samba.sh --rounds $ROUNDS --time $TIME --size $SIZE_ARG\` at commit $commit$dirty."
    [ -z "$NOTE" ] || { echo; echo "**$NOTE**"; }
    echo
    echo "Both servers ran on this machine over loopback with the same account, share name and file system;"
    echo "each measurement was taken $ROUNDS times per server, alternating the servers (the first server"
    echo "alternates by round). The table shows medians; the ratio is FastSmb / Samba (higher is better for"
    echo "FastSmb); the target is issue 6's."
    echo
    echo "| measurement | unit | Samba | FastSmb | FastSmb/Samba | target |"
    echo "|---|---|---:|---:|---:|---|"
    for name in "${order[@]}"; do
        sm=$(median "$name" samba) fm=$(median "$name" fastsmb)
        echo "| ${LABEL[$name]} | ${UNIT[$name]} | $sm | $fm | $(ratio "$fm" "$sm") | ${TARGET[$name]} |"
    done
    echo "| iperf3 loopback TCP, 1 stream | MB/s | $iperf1 | | | |"
    echo "| iperf3 loopback TCP, 4 streams | MB/s | $iperf4 | | | |"
    echo
    f1m=$(median read1m fastsmb)
    echo "FastSmb 1 MiB read (4 connections) is $(ratio "$f1m" "$iperf4" | awk '{ if ($1 == "-") print "-"; else printf "%.0f%%", $1 * 100 }')"
    echo "of the 4-stream iperf3 loopback throughput measured in the same run (target ≥ 80%)."
    echo
    echo "## Server CPU"
    echo
    echo "CPU time the server used during each measurement (FastSmb's process; Samba's smbd with its per-connection"
    echo "processes), per operation, or per MB moved for the throughput measurements: lower is better. On a busy"
    echo "machine this is steadier than the rates, because it does not count the time a server waits for a CPU."
    echo
    echo "| measurement | unit | Samba | FastSmb | FastSmb/Samba |"
    echo "|---|---|---:|---:|---:|"
    for name in "${order[@]}"; do
        u="µs per op"; [ "${UNIT[$name]}" = MB/s ] && u="ms per MB"
        sc=$(median "$name" samba 5) fc=$(median "$name" fastsmb 5)
        echo "| $name | $u | $sc | $fc | $(ratio "$fc" "$sc") |"
    done
    echo
    echo "## Every round"
    echo
    echo "| measurement | Samba | FastSmb |"
    echo "|---|---|---|"
    for name in "${order[@]}"; do echo "| $name | $(rounds_of "$name" samba) | $(rounds_of "$name" fastsmb) |"; done
    echo "| iperf3 -P 1 | $(rounds_of iperf1 tcp) | |"
    echo "| iperf3 -P 4 | $(rounds_of iperf4 tcp) | |"
    echo
    echo "## Setup"
    echo
    echo "- Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, kernel $(uname -r)."
    echo "- Load average (1, 5, 15 min) before: $load_before; after: $load_after."
    echo "- Samba: $(smbd --version | head -n 1) (\`scripts/reference-samba.sh\`: acl_xattr, streams_xattr, DOS attributes stored)."
    echo "- FastSmb: \`fastsmb serve\` with its default configuration, .NET $(dotnet --version 2>/dev/null)."
    echo "- Load generator: $("$TORTURE" --version 2>/dev/null | head -n 1) \`smb2.bench.*\` with \`torture:timelimit=$TIME\`;"
    echo "  $(smbclient --version | head -n 1) for get/put; $(iperf3 --version | head -n 1 | cut -d' ' -f1-2)."
    [ -z "${CLIENT_GLIBC_TUNABLES:-}" ] || echo "- smbtorture ran with \`GLIBC_TUNABLES=$CLIENT_GLIBC_TUNABLES\` (both servers)."
    echo "- Both data directories are under \`$WORK\` ($(df -PT "$WORK" | awk 'NR == 2 { print $2 }'))."
} >"$OUT.tmp" && mv "$OUT.tmp" "$OUT"
note "wrote $OUT (logs in $WORK/logs)"
cat "$OUT"
