#!/usr/bin/env bash
# torture.sh - run smbtorture suites against an SMB server and count the results
#
# Usage: torture.sh HOST PORT SUITE...
#   e.g. torture.sh 127.0.0.1 4464 smb2.connect smb2.read rpc.srvsvc
#   SMB suites get the target //HOST/SHARE; DCERPC suites (rpc.*) the binding
#   ncacn_np:HOST (RPC over the named pipes of IPC$, on the SMB port PORT).
#
# Prints one line per suite:  SUITE passed N failed M skipped S errors E
# then the total:             N passed, M failed     (M counts failures + errors)
# and writes, next to each suite's log, SUITE.results: one line per test,
# "RESULT<TAB>TEST<TAB>REASON" with RESULT passed, failed, skipped or error and
# REASON the first line of smbtorture's explanation (empty for a pass). A suite
# cut short or without results gets a line for the test "(suite)"; the lines
# add up to the counts printed.
# Exit 0 when nothing failed, 1 when something did, 2 on a usage/setup error.
#
# Environment:
#   TORTURE_USER     user%password (default bench%benchpass, the reference Samba's)
#   TORTURE_SHARE    share name (default share)
#   TORTURE_TIMEOUT  seconds per suite (default 300); a suite cut short counts an error
#   TORTURE_LOG      directory for SUITE.log (full smbtorture output),
#                    SUITE.results and summary.txt (default artifacts/torture)
#   TORTURE_OPTS     more smbtorture arguments, split on blanks
#   SMBTORTURE       the smbtorture binary (default: smbtorture on PATH)
# smbtorture gets a client smb.conf holding only [global], so /etc/samba/smb.conf
# never changes what it does, and --use-kerberos=off.
set -uo pipefail

me=torture
die() { echo "$me: error: $*" >&2; exit 2; }
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2; exit 2; }

[ $# -ge 3 ] || usage
HOST=$1 PORT=$2
shift 2
[[ "$PORT" =~ ^[0-9]+$ ]] || die "bad PORT '$PORT'"
SMBTORTURE=${SMBTORTURE:-smbtorture}
command -v "$SMBTORTURE" >/dev/null || die "$SMBTORTURE not found (scripts/install-test-deps.sh installs samba-testsuite)"
TIMEOUT=${TORTURE_TIMEOUT:-300}
[[ "$TIMEOUT" =~ ^[1-9][0-9]*$ ]] || die "bad TORTURE_TIMEOUT '$TIMEOUT'"
CREDS=${TORTURE_USER:-bench%benchpass}
SHARE=${TORTURE_SHARE:-share}
LOGDIR=${TORTURE_LOG:-artifacts/torture}
read -r -a extra <<<"${TORTURE_OPTS:-}"

mkdir -p "$LOGDIR/tmp" || die "cannot create $LOGDIR"
LOGDIR=$(cd "$LOGDIR" && pwd -P)
CONF=$LOGDIR/client.conf
printf '[global]\n' >"$CONF"

timeout 3 bash -c "exec 3<>/dev/tcp/$HOST/$PORT" 2>/dev/null \
    || die "nothing accepts TCP connections on $HOST:$PORT"

# Reads the subunit v1 output of one smbtorture run ($1) and writes one line per
# test to $2 ("RESULT<TAB>TEST<TAB>REASON"); prints the counts "passed failed
# skipped errors [unfinished-test]".
# A result counts once per test (the first one); the first non-blank line of a
# "[ ... ]" detail block is the reason; a test announced ("test: X") but never
# given a result (crash, time limit) is an error.
count_results() {
    awk -v out="$2" '
    function trim(x) { gsub(/^[ \t]+|[ \t]+$/, "", x); gsub(/\t/, " ", x); return x }
    function record(name, result, reason) {
        # smbtorture names its source files ../../source4/torture/...; keep the part that says where
        if (result == "passed") reason = ""
        sub(/^(\.\.\/)+source4\/torture\//, "", reason)
        printf "%s\t%s\t%s\n", result, name, trim(reason) > out
    }
    BEGIN { printf "" > out }
    { sub(/\r$/, "") }
    inblock {
        if ($0 == "]") { inblock = 0; if (bname != "") record(bname, bresult, breason) }
        else if (breason == "" && $0 ~ /[^ \t]/) breason = $0
        next
    }
    /^(test|testing): / { name = $0; sub(/^[a-z]+: /, "", name); open_test = name; done[name] = 0; next }
    /^(success|successful|failure|fail|error|skip|xfail|uxsuccess): / {
        kind = $0; sub(/:.*/, "", kind)
        name = $0; sub(/^[a-z]+: /, "", name)
        block = 0
        if (name ~ / \[$/) { sub(/ \[$/, "", name); block = 1 }
        else if (name ~ / \[.*\]$/) { reason = name; sub(/^.* \[/, "", reason); sub(/\]$/, "", reason); sub(/ \[.*\]$/, "", name) }
        else reason = ""
        if (name in done && done[name]) { if (block) { inblock = 1; bname = "" }; next }
        done[name] = 1
        if (name == open_test) open_test = ""
        if (kind ~ /^success/) { p++; result = "passed" }
        else if (kind ~ /^fail/ || kind == "uxsuccess") { f++; result = "failed" }
        else if (kind == "skip" || kind == "xfail") { s++; result = "skipped" }
        else { e++; result = "error" }
        if (block) { inblock = 1; bname = name; bresult = result; breason = "" }
        else record(name, result, result == "passed" ? "" : reason)
        next
    }
    END {
        if (inblock && bname != "") record(bname, bresult, breason)
        if (open_test != "") { e++; record(open_test, "error", "no result (smbtorture crashed or was stopped)") }
        printf "%d %d %d %d %s\n", p, f, s, e, open_test
    }' "$1"
}

total_pass=0 total_fail=0
summary=$LOGDIR/summary.txt
: >"$summary"
for suite in "$@"; do
    log=$LOGDIR/$(printf '%s' "$suite" | tr -c 'A-Za-z0-9._-' '_').log
    start=$SECONDS
    case "$suite" in
        rpc.*) target="ncacn_np:$HOST" ;;
        *) target="//$HOST/$SHARE" ;;
    esac
    timeout --kill-after=15 "$((TIMEOUT + 15))" \
        "$SMBTORTURE" "$target" -p "$PORT" -U "$CREDS" -s "$CONF" --use-kerberos=off \
        --format=subunit --option=torture:progress=no --maximum-runtime="$TIMEOUT" \
        --basedir="$LOGDIR/tmp" "${extra[@]}" "$suite" </dev/null >"$log" 2>&1
    rc=$?
    results=${log%.log}.results
    read -r p f s e unfinished < <(count_results "$log" "$results")
    why=${unfinished:+"no result for $unfinished"}
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] || grep -q 'maximum runtime exceeded' "$log"; then
        why="stopped after ${TIMEOUT}s"
        if [ $((f + e)) -eq 0 ]; then e=$((e + 1)); printf 'error\t(suite)\t%s\n' "$why" >>"$results"; fi
    elif [ -n "$why" ]; then
        :
    elif [ "$rc" -ne 0 ] && [ $((f + e)) -eq 0 ]; then
        why="smbtorture exited $rc with no failed test"
        e=$((e + 1))
        printf 'error\t(suite)\t%s: %s\n' "$why" "$(grep -v '^[[:space:]]*$' "$log" | tail -n 1 | tr '\t' ' ')" >>"$results"
    elif [ $((p + f + s + e)) -eq 0 ]; then
        why="no test results (unknown suite?)"
        e=1
        printf 'error\t(suite)\t%s: %s\n' "$why" "$(grep -v '^[[:space:]]*$' "$log" | tail -n 1 | tr '\t' ' ')" >>"$results"
    fi
    line="$suite passed $p failed $f skipped $s errors $e"
    echo "$line"
    echo "$line rc=$rc time=$((SECONDS - start))s${why:+ ($why)}" >>"$summary"
    [ -z "$why" ] || echo "$me: $suite: $why (log $log)" >&2
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f + e))
done

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
