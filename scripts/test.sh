#!/usr/bin/env bash
# test.sh - the test command: build FastSmb and run every test project
#
# Usage: scripts/test.sh [DOTNET_TEST_ARG...]
#   e.g. scripts/test.sh --filter 'FullyQualifiedName~Smbclient'
#
# 1. As root, runs scripts/install-test-deps.sh (smbclient, smbtorture,
#    impacket, ...; idempotent); otherwise only reports what is missing.
# 2. dotnet build FastSmb.sln, then dotnet test for each tests/*/*.csproj in
#    turn (extra arguments are passed to each dotnet test).
# 3. Ends with the line "N passed, M failed" (skipped tests are counted on the
#    line before), summed over the test assemblies from dotnet test's "Passed!/Failed! - Failed: X, Passed: Y,
#    Skipped: Z, Total: T" lines.
# Exit status: the first non-zero exit of dotnet build/test; else 1 when a
# test failed, when no test ran at all, or when the dependencies could not be
# installed; else 0.
#
# Writes to artifacts/ (ARTIFACTS): build.log, test-results/PROJECT.trx,
# PROJECT.log (the console output of dotnet test), summary.txt.
# Environment:
#   CONFIGURATION       build configuration (default Release)
#   TEST_HANG_TIMEOUT   a test running longer is killed with its test host,
#                       failing that project (default 10m)
#   TEST_TIMEOUT        seconds for one project's dotnet test (default 1500)
#   SKIP_TEST_DEPS=1    do not run install-test-deps.sh
#   FASTSMB_TEST_TARGET host:port:user:password: interop tests against that
#                       running server instead of starting `fastsmb serve`
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
me="test"
note() { echo "$me: $*" >&2; }

CONFIGURATION=${CONFIGURATION:-Release}
ARTIFACTS=${ARTIFACTS:-artifacts}
HANG=${TEST_HANG_TIMEOUT:-10m}
TIMEOUT=${TEST_TIMEOUT:-1500}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# --- 1. dependencies ---------------------------------------------------------
deps_ok=1
if [ "${SKIP_TEST_DEPS:-0}" = 1 ]; then
    note "SKIP_TEST_DEPS=1: not checking the test dependencies"
elif [ "$(id -u)" = 0 ]; then
    bash scripts/install-test-deps.sh </dev/null || {
        deps_ok=0
        note "installing the test dependencies failed; running the tests anyway (interop tests will fail)"
    }
elif ! bash scripts/install-test-deps.sh --check </dev/null >/dev/null 2>&1 && command -v sudo >/dev/null \
        && sudo -n true 2>/dev/null; then
    # Not root, but sudo works without a password (a developer machine, a CI runner): install through it.
    sudo -n bash scripts/install-test-deps.sh </dev/null || {
        deps_ok=0
        note "installing the test dependencies with sudo failed; running the tests anyway (interop tests will fail)"
    }
else
    bash scripts/install-test-deps.sh --check </dev/null \
        || note "not root: not installing; the interop tests need what is missing (sudo scripts/install-test-deps.sh)"
fi
command -v dotnet >/dev/null || { note "dotnet not found: install the .NET 10 SDK"; echo "0 passed, 0 failed"; exit 1; }

# --- 2. build, then test each project -------------------------------------------
mkdir -p "$ARTIFACTS" || exit 2
ARTIFACTS=$(cd "$ARTIFACTS" && pwd -P)
rm -rf "$ARTIFACTS/test-results"
: >"$ARTIFACTS/summary.txt"

note "dotnet build FastSmb.sln -c $CONFIGURATION"
dotnet build FastSmb.sln -c "$CONFIGURATION" -tl:off </dev/null 2>&1 | tee "$ARTIFACTS/build.log"
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then
    note "build failed (exit $rc; log $ARTIFACTS/build.log)"
    echo "build failed (exit $rc)" >>"$ARTIFACTS/summary.txt"
    echo "0 passed, 0 failed"
    exit "$rc"
fi

passed=0 failed=0 skipped=0 first_rc=0
# Test projects only: helper programs under tests/ (e.g. the soft-RDMA peer process) have no test SDK.
mapfile -t projects < <(find tests -mindepth 2 -maxdepth 2 -name '*.csproj' -exec grep -l 'Microsoft.NET.Test.Sdk' {} + | sort)
[ "${#projects[@]}" -gt 0 ] || note "no test projects under tests/"
for proj in "${projects[@]}"; do
    name=$(basename "$proj" .csproj)
    log=$ARTIFACTS/$name.log
    note "dotnet test $proj"
    timeout --kill-after=30 "$TIMEOUT" \
        dotnet test "$proj" -c "$CONFIGURATION" --no-build \
        --results-directory "$ARTIFACTS/test-results" \
        --logger "trx;LogFileName=$name.trx" \
        --blame-hang-timeout "$HANG" --blame-hang-dump-type none \
        "$@" </dev/null 2>&1 | tee "$log"
    prc=${PIPESTATUS[0]}
    [ "$prc" -eq 124 ] && note "$name: dotnet test did not finish within ${TIMEOUT}s"
    # "Failed!  - Failed:     1, Passed:    32, Skipped:     0, Total:    33, Duration: 4 s - X.dll (net10.0)"
    counts=$(sed -nE 's/.*(Passed|Failed)! +- +Failed: +([0-9]+), +Passed: +([0-9]+), +Skipped: +([0-9]+), +Total: +([0-9]+).*/\2 \3 \4/p' "$log")
    pf=0 pp=0 ps=0
    while read -r f p s; do
        [ -n "$f" ] || continue
        pf=$((pf + f)) pp=$((pp + p)) ps=$((ps + s))
    done <<<"$counts"
    if [ -z "$counts" ]; then
        if grep -q 'No test is available in' "$log"; then
            note "$name: contains no tests yet"
        elif [ "$prc" -eq 0 ]; then
            note "$name: no test summary in the output ($log)"
        else
            note "$name: dotnet test exited $prc without a test summary (aborted? see $log)"
        fi
    fi
    line="$name: $pp passed, $pf failed, $ps skipped (dotnet test exit $prc)"
    echo "$line" >>"$ARTIFACTS/summary.txt"
    note "$line"
    passed=$((passed + pp)) failed=$((failed + pf)) skipped=$((skipped + ps))
    [ "$first_rc" -ne 0 ] || first_rc=$prc
done

# --- 3. result ------------------------------------------------------------------
rc=$first_rc
if [ "$rc" -eq 0 ]; then
    if [ "$failed" -gt 0 ]; then
        rc=1
    elif [ $((passed + failed + skipped)) -eq 0 ]; then
        note "no test ran"
        rc=1
    elif [ "$deps_ok" = 0 ]; then
        rc=1
    fi
fi
note "logs and TRX files in $ARTIFACTS/; $skipped skipped"
echo "$passed passed, $failed failed"
exit "$rc"
