#!/usr/bin/env bash
# conformance.sh - the same smbtorture suites against FastSmb and a reference Samba
#
# Usage: scripts/conformance.sh [--out FILE] [SUITE...]
#   SUITE  smbtorture suites (default: the lines of scripts/conformance-suites.txt)
#   --out  the report to write (default docs/conformance.md)
#
# Builds src/Cli (Release), starts `fastsmb serve` and a private Samba
# (scripts/reference-samba.sh) on two free loopback ports with the same account
# (bench/benchpass) and share (share), runs every suite with scripts/torture.sh
# against Samba and then FastSmb (SMB suites on //HOST/share, rpc.* suites on
# the binding ncacn_np:HOST: scripts/torture.sh picks the target by the suite's
# name), and writes a markdown table per suite:
# Samba passed/failed/skipped, FastSmb passed/failed/skipped ("failed" counts
# failures and errors). Both servers are stopped on exit. Prints the table rows
# and ends with FastSmb's "N passed, M failed".
# Exit 0 when the report was written with both servers, 1 when a server could
# not be started (the report then says so), 2 on a usage/setup error.
# Needs root (the reference Samba does) and scripts/install-test-deps.sh.
# Environment:
#   CONFORMANCE_DIR   working directory, emptied first (default /tmp/fastsmb-conformance;
#                     the unix user bench must be able to traverse it)
#   FASTSMB_DLL       a built fastsmb.dll to use instead of building src/Cli
#   TORTURE_TIMEOUT   seconds per suite and server (default 300)
#   SMBTORTURE, TORTURE_OPTS   passed to scripts/torture.sh
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
ROOT=$(pwd -P)
me=conformance
note() { echo "$me: $*" >&2; }
die() { echo "$me: error: $*" >&2; exit 2; }
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2; exit 2; }

OUT=docs/conformance.md
suites=()
while [ $# -gt 0 ]; do
    case "$1" in
        --out) [ $# -ge 2 ] || usage; OUT=$2; shift 2 ;;
        -h | --help) usage ;;
        -*) usage ;;
        *) suites+=("$1"); shift ;;
    esac
done
if [ "${#suites[@]}" -eq 0 ]; then
    mapfile -t suites < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' scripts/conformance-suites.txt | grep -v '^$')
fi
[ "${#suites[@]}" -gt 0 ] || die "no suites (scripts/conformance-suites.txt is empty)"
[ "$(id -u)" = 0 ] || die "must run as root (the reference Samba switches users)"
bash scripts/install-test-deps.sh --check </dev/null || die "missing test dependencies: run scripts/install-test-deps.sh"

WORK=${CONFORMANCE_DIR:-/tmp/fastsmb-conformance}
case "$WORK" in /*/*) ;; *) die "CONFORMANCE_DIR must be an absolute path below a directory, got '$WORK'" ;; esac
USER_NAME=bench USER_PASS=benchpass
HOST=127.0.0.1

port_open() { timeout 1 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }
free_port() {   # first port from $1 on that nothing listens on
    local p=$1
    while port_open "$HOST" "$p"; do p=$((p + 1)); done
    echo "$p"
}

# --- FastSmb binary ---------------------------------------------------------------
if [ -n "${FASTSMB_DLL:-}" ]; then
    DLL=$(realpath "$FASTSMB_DLL")
else
    note "dotnet build src/Cli -c Release"
    mkdir -p artifacts
    dotnet build src/Cli/FastSmb.Cli.csproj -c Release -tl:off </dev/null >artifacts/conformance-build.log 2>&1 \
        || { tail -n 30 artifacts/conformance-build.log >&2; die "building src/Cli failed (artifacts/conformance-build.log)"; }
    DLL=$ROOT/src/Cli/bin/Release/net10.0/fastsmb.dll
fi
[ -f "$DLL" ] || die "$DLL does not exist"

# --- servers ------------------------------------------------------------------------
if [ -d "$WORK/samba" ]; then bash scripts/reference-samba.sh stop 1 "$WORK/samba" 2>/dev/null || true; fi
rm -rf "$WORK"
mkdir -p "$WORK/fastsmb/data" "$WORK/logs" || die "cannot create $WORK"
chmod 0755 "$WORK"

fastsmb_pid=""
cleanup() {
    if [ -n "$fastsmb_pid" ]; then
        kill -TERM -- "-$fastsmb_pid" 2>/dev/null
        for _ in $(seq 1 25); do kill -0 "$fastsmb_pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL -- "-$fastsmb_pid" 2>/dev/null
    fi
    bash scripts/reference-samba.sh stop "${SAMBA_PORT:-1}" "$WORK/samba" >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SAMBA_PORT=$(free_port 44500)
samba_ok=1 samba_why=""
if ! bash scripts/reference-samba.sh start "$SAMBA_PORT" "$WORK/samba" >"$WORK/logs/samba-start.log" 2>&1; then
    samba_ok=0 samba_why="did not start: $(tail -n 3 "$WORK/logs/samba-start.log" | tr '\n' ' ')"
    note "Samba $samba_why"
fi

FASTSMB_PORT=$(free_port $((SAMBA_PORT + 1)))
fastsmb_ok=1 fastsmb_why=""
serve_log=$WORK/fastsmb/serve.log
# own session and process group, so that cleanup takes down everything it starts
FASTSMB_USER=$USER_NAME FASTSMB_PASSWORD=$USER_PASS setsid \
    dotnet "$DLL" serve --listen "$HOST" --port "$FASTSMB_PORT" --data-dir "$WORK/fastsmb/data" \
    </dev/null >"$serve_log" 2>&1 &
fastsmb_pid=$!
deadline=$((SECONDS + 30))
until port_open "$HOST" "$FASTSMB_PORT"; do
    if ! kill -0 "$fastsmb_pid" 2>/dev/null; then
        wait "$fastsmb_pid"
        fastsmb_why="exited with code $? before listening"
        break
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
        fastsmb_why="did not accept TCP connections within 30 s"
        break
    fi
    sleep 0.2
done
if [ -n "$fastsmb_why" ]; then
    fastsmb_ok=0
    fastsmb_why="$fastsmb_why: $(grep -v '^[[:space:]]*$' "$serve_log" | head -n 3 | tr '\n' ' ' | sed 's/ *$//')"
    note "FastSmb $fastsmb_why (log $serve_log)"
fi

# --- suites ---------------------------------------------------------------------------
# run_suite NAME PORT OK SUITE -> "passed failed skipped" (failed includes errors) or "- - -"
run_suite() {
    local name=$1 port=$2 ok=$3 suite=$4 line
    if [ "$ok" != 1 ]; then echo "- - -"; return; fi
    line=$(TORTURE_LOG=$WORK/logs/$name TORTURE_USER=$USER_NAME%$USER_PASS \
        bash scripts/torture.sh "$HOST" "$port" "$suite" 2>>"$WORK/logs/$name.stderr" | head -n 1)
    # "SUITE passed N failed M skipped S errors E"
    awk '$2 == "passed" { print $3, $5 + $9, $7; ok = 1 } END { if (!ok) print "- - -" }' <<<"$line"
}

rows=()
fp_total=0 ff_total=0
for suite in "${suites[@]}"; do
    read -r sp sf ss < <(run_suite samba "$SAMBA_PORT" "$samba_ok" "$suite")
    read -r fp ff fs < <(run_suite fastsmb "$FASTSMB_PORT" "$fastsmb_ok" "$suite")
    row="| $suite | $sp | $sf | $ss | $fp | $ff | $fs |"
    rows+=("$row")
    echo "$row"
    if [[ "$fp" =~ ^[0-9]+$ ]]; then fp_total=$((fp_total + fp)) ff_total=$((ff_total + ff)); fi
done

# --- report -----------------------------------------------------------------------------
torture_bin=${SMBTORTURE:-smbtorture}
torture_ver=$("$torture_bin" --version 2>/dev/null | head -n 1)
samba_ver=$(smbd --version 2>/dev/null | head -n 1)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
mkdir -p "$(dirname "$OUT")"
{
    echo "# Conformance: smbtorture against FastSmb and Samba"
    echo
    echo "Generated by \`scripts/conformance.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') at commit $commit."
    echo "The same $torture_ver with the same options and client configuration ran each suite against the"
    echo "reference Samba ($samba_ver, \`scripts/reference-samba.sh\`) and then against FastSmb"
    echo "(\`fastsmb serve\`), one after the other on one machine, with account $USER_NAME and share \`share\`."
    echo "\"failed\" counts failures and errors (a test that never reported a result counts as an error)."
    if [ "$samba_ok" != 1 ]; then printf '\n**Samba %s**\n' "$samba_why"; fi
    if [ "$fastsmb_ok" != 1 ]; then printf '\n**FastSmb %s** (its columns are empty)\n' "$fastsmb_why"; fi
    echo
    echo "| suite | Samba passed | Samba failed | Samba skipped | FastSmb passed | FastSmb failed | FastSmb skipped |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "Regenerate with \`sudo scripts/conformance.sh\`; the suites are listed in \`scripts/conformance-suites.txt\`."
} >"$OUT.tmp" && mv "$OUT.tmp" "$OUT"
note "wrote $OUT (logs in $WORK/logs)"

echo "$fp_total passed, $ff_total failed"
[ "$samba_ok" = 1 ] && [ "$fastsmb_ok" = 1 ] || exit 1
