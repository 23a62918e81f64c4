#!/usr/bin/env bash
# conformance.sh - the same smbtorture suites against FastSmb and a reference Samba
#
# Usage: scripts/conformance.sh [--out FILE] [--baseline FILE | --samba-baseline FILE] [SUITE...]
#   SUITE             smbtorture suites (default: the lines of scripts/conformance-suites.txt)
#   --out FILE        the report to write (default docs/conformance.md)
#   --baseline FILE   also store Samba's per-test results in FILE (the committed one is
#                     docs/conformance-samba-baseline.txt): one line per test
#                     "SUITE TEST RESULT" (RESULT passed, failed, skipped or error; TEST may
#                     hold blanks). Lines of suites not run this time are kept.
#   --samba-baseline FILE
#                     do not start Samba: take its results from FILE (written by --baseline),
#                     so that FastSmb's side runs alone, without root
#
# Builds src/Cli (Release), starts `fastsmb serve` and a private Samba
# (scripts/reference-samba.sh) on loopback ports 4491 and 4492 (the next free
# ones if taken) with the same account (bench/benchpass) and share (share),
# runs every suite with scripts/torture.sh against Samba and then FastSmb (SMB
# suites on //HOST/share, rpc.* suites on the binding ncacn_np:HOST:
# scripts/torture.sh picks the target by the suite's name), and writes a
# markdown report: per suite Samba passed/failed/skipped and FastSmb
# passed/failed/skipped ("failed" counts failures and errors), FastSmb's
# failures grouped by the first reason smbtorture gives, and the names of the
# tests whose result differs between the two servers with FastSmb's reason.
# Both servers are stopped on exit. Prints the table rows and ends with
# FastSmb's "N passed, M failed".
# Exit 0 when the report was written with both servers, 1 when a server could
# not be started (the report then says so), 2 on a usage/setup error.
# Needs root (the reference Samba does; not with --samba-baseline) and
# scripts/install-test-deps.sh.
# Environment:
#   CONFORMANCE_DIR   working directory, emptied first (default: a new /tmp/fastsmb-conformance.XXXXXX, so
#                     runs at the same time never share logs or data; the unix user bench must be able
#                     to traverse it)
#   SAMBA_PORT, FASTSMB_PORT   first port to try for each server (default 4491, 4492)
#   FASTSMB_DLL       a built fastsmb.dll to use instead of building src/Cli
#   TORTURE_TIMEOUT   seconds per suite and server (default 300)
#   SMBTORTURE, TORTURE_OPTS   passed to scripts/torture.sh
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
ROOT=$(pwd -P)
# shellcheck source=lib/server-helpers.sh
. scripts/lib/server-helpers.sh
me=conformance
note() { echo "$me: $*" >&2; }
die() { echo "$me: error: $*" >&2; exit 2; }
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2; exit 2; }

OUT=docs/conformance.md
BASELINE_OUT="" BASELINE_IN=""
suites=()
while [ $# -gt 0 ]; do
    case "$1" in
        --out) [ $# -ge 2 ] || usage; OUT=$2; shift 2 ;;
        --baseline) [ $# -ge 2 ] || usage; BASELINE_OUT=$2; shift 2 ;;
        --samba-baseline) [ $# -ge 2 ] || usage; BASELINE_IN=$2; shift 2 ;;
        -h | --help) usage ;;
        -*) usage ;;
        *) suites+=("$1"); shift ;;
    esac
done
[ -z "$BASELINE_OUT" ] || [ -z "$BASELINE_IN" ] || die "--baseline runs Samba, --samba-baseline does not: give one of them"
if [ -n "$BASELINE_IN" ]; then
    [ -r "$BASELINE_IN" ] || die "cannot read $BASELINE_IN"
    BASELINE_IN=$(realpath "$BASELINE_IN")
fi
# scripts/conformance-suites.txt: "SUITE [smbtorture options for that suite]" per line; the options also apply
# when the suite is named on the command line
declare -A suite_opts=()
listed=()
while read -r name opts; do
    [ -n "$name" ] || continue
    listed+=("$name")
    [ -z "$opts" ] || suite_opts[$name]=$opts
done < <(sed -e 's/#.*//' scripts/conformance-suites.txt)
if [ "${#suites[@]}" -eq 0 ]; then
    suites=("${listed[@]}")
fi
[ "${#suites[@]}" -gt 0 ] || die "no suites (scripts/conformance-suites.txt is empty)"
if [ -z "$BASELINE_IN" ]; then
    [ "$(id -u)" = 0 ] || die "must run as root (the reference Samba switches users; --samba-baseline FILE does without)"
fi
bash scripts/install-test-deps.sh --check </dev/null || die "missing test dependencies: run scripts/install-test-deps.sh"

WORK=${CONFORMANCE_DIR:-$(mktemp -d /tmp/fastsmb-conformance.XXXXXX)} || die "cannot make a working directory"
case "$WORK" in /*/*) ;; *) die "CONFORMANCE_DIR must be an absolute path below a directory, got '$WORK'" ;; esac
USER_NAME=bench USER_PASS=benchpass
HOST=127.0.0.1

# --- FastSmb binary ---------------------------------------------------------------
DLL=$(fastsmb_dll conformance) || exit 2

# --- servers ------------------------------------------------------------------------
if [ -d "$WORK/samba" ]; then bash scripts/reference-samba.sh stop 1 "$WORK/samba" 2>/dev/null || true; fi
rm -rf "$WORK"
mkdir -p "$WORK/fastsmb/data" "$WORK/logs" || die "cannot create $WORK"
chmod 0755 "$WORK"
# FastSmb run as root does the file operations as the logged-on user's unix account (setfsuid),
# so the share it creates must belong to bench, as Samba's does (scripts/reference-samba.sh)
mkdir -p "$WORK/fastsmb/data/share" "$WORK/fastsmb/data/kernel"
if [ "$(id -u)" = 0 ] && id "$USER_NAME" >/dev/null 2>&1; then
    chmod 0755 "$WORK/fastsmb" "$WORK/fastsmb/data"
    chown "$USER_NAME:" "$WORK/fastsmb/data/share" "$WORK/fastsmb/data/kernel" \
        || die "cannot give $WORK/fastsmb/data/share to $USER_NAME"
fi
# the shares of scripts/reference-samba.sh: "share", and "kernel" with kernel oplocks (smb2.kernel-oplocks)
cat >"$WORK/fastsmb/data/smb.conf" <<EOF
[global]
   workgroup = WORKGROUP
[share]
   path = $WORK/fastsmb/data/share
   read only = no
[kernel]
   path = $WORK/fastsmb/data/kernel
   read only = no
   kernel oplocks = yes
EOF

fastsmb_pid="" samba_started=0
cleanup() {
    if [ -n "$fastsmb_pid" ]; then
        kill -TERM -- "-$fastsmb_pid" 2>/dev/null
        for _ in $(seq 1 25); do kill -0 "$fastsmb_pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL -- "-$fastsmb_pid" 2>/dev/null
    fi
    [ "$samba_started" = 0 ] || bash scripts/reference-samba.sh stop "${SAMBA_PORT:-1}" "$WORK/samba" >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT TERM

samba_ok=1 samba_why=""
if [ -n "$BASELINE_IN" ]; then
    SAMBA_PORT=""
    grep -q . <(grep -v '^#' "$BASELINE_IN") || die "$BASELINE_IN holds no results"
else
    SAMBA_PORT=$(free_port "${SAMBA_PORT:-4491}")
    samba_started=1
    if ! bash scripts/reference-samba.sh start "$SAMBA_PORT" "$WORK/samba" >"$WORK/logs/samba-start.log" 2>&1; then
        samba_ok=0 samba_why="did not start: $(tail -n 3 "$WORK/logs/samba-start.log" | tr '\n' ' ')"
        note "Samba $samba_why"
    fi
fi

FASTSMB_PORT=$(free_port "${FASTSMB_PORT:-4492}" "$SAMBA_PORT")
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
# Per-test results, one file per server and suite: "RESULT<TAB>TEST<TAB>REASON"
# (scripts/torture.sh's SUITE.results).
suite_file() { printf '%s' "$1" | tr -c 'A-Za-z0-9._-' '_'; }

# run_suite NAME PORT OK SUITE: runs the suite, leaves $WORK/logs/NAME/SUITE.results. In the suite's options,
# "share=NAME" runs it on that share instead of "share", and "{sharedir}" is that share's directory on the server
# (what smbtorture's torture:localdir wants)
run_suite() {
    local name=$1 port=$2 ok=$3 suite=$4 opts share=share dir
    [ "$ok" = 1 ] || return 0
    opts=${suite_opts[$suite]:-}
    if [[ " $opts " =~ \ share=([^ ]+)\  ]]; then
        share=${BASH_REMATCH[1]}
        opts=${opts/share=$share/}
    fi
    case $name in
        samba) dir=$WORK/samba/$share ;;
        *) dir=$WORK/fastsmb/data/$share ;;
    esac
    opts=${opts//\{sharedir\}/$dir}
    TORTURE_LOG=$WORK/logs/$name TORTURE_USER=$USER_NAME%$USER_PASS TORTURE_SHARE=$share \
        TORTURE_OPTS="${TORTURE_OPTS:-}${opts:+ $opts}" \
        bash scripts/torture.sh "$HOST" "$port" "$suite" 2>>"$WORK/logs/$name.stderr" | head -n 1 | sed "s/^/$me: $name: /" >&2
}

# from_baseline SUITE: Samba's results of SUITE from $BASELINE_IN into $WORK/logs/samba/SUITE.results
# (nothing when the baseline does not have the suite)
from_baseline() {
    local suite=$1 out
    out=$WORK/logs/samba/$(suite_file "$suite").results
    mkdir -p "$WORK/logs/samba"
    awk -v suite="$suite" '
        /^#/ || NF < 3 || $1 != suite { next }
        { result = $NF; name = $0; sub(/^[^ ]+ /, "", name); sub(/ [^ ]+$/, "", name); printf "%s\t%s\t\n", result, name; n++ }
        END { exit n == 0 }' "$BASELINE_IN" >"$out" || rm -f "$out"
}

# counts FILE -> "passed failed skipped" (failed counts errors) or "- - -" without FILE
counts() {
    [ -f "$1" ] || { echo "- - -"; return; }
    awk -F'\t' '$1 == "passed" { p++ } $1 == "failed" || $1 == "error" { f++ } $1 == "skipped" { s++ }
        END { printf "%d %d %d\n", p, f, s }' "$1"
}

# md TEXT: TEXT fit for a markdown table cell
md() { sed -e 's/|/\\|/g' -e 's/`/'"'"'/g' <<<"$1"; }

# reasons FILE: FastSmb's failing tests grouped by the first reason smbtorture gives for each: the
# status or error code the test got (NT_STATUS_*, WERR_*, ...) with up to three of the checks'
# messages ("create failed"), or the message alone; most frequent first, at most 4 groups, then
# "N other": "12× NT_STATUS_NOT_SUPPORTED (create failed, ...)".
reasons() {
    [ -f "$1" ] || return 0
    awk -F'\t' '
        $1 != "failed" && $1 != "error" { next }
        {
            r = $3
            code = ""
            if (match(r, /(NT_STATUS|WERR|HRES|DOS)_[A-Z0-9_]+/)) code = substr(r, RSTART, RLENGTH)
            # the message: smbtorture writes "FILE:LINE: CHECK: MESSAGE"
            what = r; sub(/^[^ ]+\.c:[0-9]+: /, "", what)
            if (code != "") { sub(/^.*: /, "", what) }
            sub(/[ .]+$/, "", what)
            if (length(what) > 60) what = substr(what, 1, 57) "..."
            if (r == "") { key = "no reason given"; what = "" }
            else if (code != "") key = code
            else { key = what; what = "" }
            n[key]++
            if (what != "" && !((key, what) in seen)) {
                seen[key, what] = 1
                if (nw[key] < 3) ex[key] = ex[key] (nw[key] ? ", " : "") what
                else if (nw[key] == 3) ex[key] = ex[key] ", ..."
                nw[key]++
            }
        }
        END { for (k in n) printf "%d\t%s\n", n[k], k (ex[k] != "" ? " (" ex[k] ")" : "") }' "$1" |
        sort -t$'\t' -k1,1nr -k2,2 |
        awk -F'\t' '
            NR <= 4 { out = out (out == "" ? "" : "; ") $1 "× " $2; next }
            { other += $1 }
            END { if (other) out = out "; " other " other"; print out }'
}

# differ SAMBA FASTSMB: "TEST<TAB>SAMBA-RESULT<TAB>FASTSMB-RESULT<TAB>FASTSMB-REASON" for each test
# whose result is not the same on both (errors count as failures; "-" = not run there), in the
# order FastSmb ran them, then Samba's order for those FastSmb never ran
differ() {
    awk -F'\t' '
        function norm(r) { return r == "error" ? "failed" : r }
        FNR == NR { sr[$2] = norm($1); sorder[++sn] = $2; next }
        { fr[$2] = norm($1); fwhy[$2] = $3; forder[++fn] = $2 }
        END {
            for (i = 1; i <= fn; i++) {
                t = forder[i]; s = (t in sr) ? sr[t] : "-"
                if (s != fr[t]) printf "%s\t%s\t%s\t%s\n", t, s, fr[t], (fr[t] == "passed" ? "" : fwhy[t])
            }
            for (i = 1; i <= sn; i++) {
                t = sorder[i]
                if (!(t in fr)) printf "%s\t%s\t-\t\n", t, sr[t]
            }
        }' "${1:-/dev/null}" "${2:-/dev/null}"
}

rows=() sections=()
fp_total=0 ff_total=0
for suite in "${suites[@]}"; do
    f=$(suite_file "$suite").results
    if [ -n "$BASELINE_IN" ]; then
        from_baseline "$suite"
    else
        run_suite samba "$SAMBA_PORT" "$samba_ok" "$suite"
    fi
    run_suite fastsmb "$FASTSMB_PORT" "$fastsmb_ok" "$suite"
    sres=$WORK/logs/samba/$f fres=$WORK/logs/fastsmb/$f
    read -r sp sf ss < <(counts "$sres")
    read -r fp ff fs < <(counts "$fres")
    ndiff=0 diffs=""
    if [ -f "$sres" ] && [ -f "$fres" ]; then
        diffs=$(differ "$sres" "$fres")
        ndiff=$(grep -c . <<<"$diffs")
    fi
    why=$(reasons "$fres")
    if [ -n "$BASELINE_IN" ] && [ ! -f "$sres" ]; then why="Samba: not in the baseline${why:+; }$why"; fi
    row="| $suite | $sp | $sf | $ss | $fp | $ff | $fs | $ndiff | $(md "$why") |"
    rows+=("$row")
    echo "| $suite | $sp | $sf | $ss | $fp | $ff | $fs |"
    if [[ "$fp" =~ ^[0-9]+$ ]]; then fp_total=$((fp_total + fp)) ff_total=$((ff_total + ff)); fi

    section="### $suite"$'\n\n'
    if [ "$ndiff" -eq 0 ]; then
        if [ -f "$sres" ] && [ -f "$fres" ]; then
            section+="Every test has the same result on both servers."$'\n'
        else
            section+="Not compared: a server has no results for this suite."$'\n'
        fi
    else
        if [ "$ndiff" -eq 1 ]; then section+="1 test has"; else section+="$ndiff tests have"; fi
        section+=" a different result (\"-\": not run on that server)."$'\n\n'
        section+="| test | Samba | FastSmb | FastSmb's reason (first failure, or why skipped) |"$'\n'
        section+="|---|---|---|---|"$'\n'
        while IFS=$'\t' read -r t sr fr fw; do
            section+="| $(md "$t") | $sr | $fr | $(md "$fw") |"$'\n'
        done <<<"$diffs"
    fi
    if [ -f "$sres" ] && [ -f "$fres" ]; then
        both=$(awk -F'\t' 'FNR == NR { if ($1 == "failed" || $1 == "error") bad[$2] = 1; next }
                           ($1 == "failed" || $1 == "error") && ($2 in bad) { n++ } END { print n + 0 }' "$sres" "$fres")
        if [ "$both" -eq 1 ]; then section+=$'\n'"1 test fails on both servers (not listed; see the logs)."$'\n'
        elif [ "$both" -gt 1 ]; then section+=$'\n'"$both tests fail on both servers (not listed; see the logs)."$'\n'; fi
    fi
    sections+=("$section")
done

# --- baseline ---------------------------------------------------------------------------
torture_bin=${SMBTORTURE:-smbtorture}
torture_ver=$("$torture_bin" --version 2>/dev/null | head -n 1)
samba_ver=$(smbd --version 2>/dev/null | head -n 1)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
now=$(date -u '+%Y-%m-%d %H:%M UTC')
if [ -n "$BASELINE_OUT" ] && [ "$samba_ok" = 1 ]; then
    mkdir -p "$(dirname "$BASELINE_OUT")"
    {
        echo "# Samba's per-test smbtorture results: SUITE TEST RESULT (RESULT passed, failed, skipped or error)."
        echo "# Written by scripts/conformance.sh --baseline; read by scripts/conformance.sh --samba-baseline."
        echo "# Reference: Samba $samba_ver (scripts/reference-samba.sh), $torture_ver, $now."
        if [ -f "$BASELINE_OUT" ]; then
            # keep the suites not run this time
            awk -v run=" ${suites[*]} " '/^#/ { next } index(run, " " $1 " ") == 0' "$BASELINE_OUT"
        fi
        for suite in "${suites[@]}"; do
            f=$WORK/logs/samba/$(suite_file "$suite").results
            [ -f "$f" ] && awk -F'\t' -v suite="$suite" '{ printf "%s %s %s\n", suite, $2, $1 }' "$f"
        done
    } >"$BASELINE_OUT.tmp" && mv "$BASELINE_OUT.tmp" "$BASELINE_OUT"
    note "wrote $BASELINE_OUT"
fi

# --- report -----------------------------------------------------------------------------
mkdir -p "$(dirname "$OUT")"
{
    echo "# Conformance: smbtorture against FastSmb and Samba"
    echo
    echo "Generated by \`scripts/conformance.sh\` on $now at commit $commit; do not edit by hand."
    if [ -n "$BASELINE_IN" ]; then
        bl=$(realpath --relative-base="$ROOT" "$BASELINE_IN")
        echo "Samba's columns come from the baseline \`$bl\`"
        echo "($(grep -m1 '^# Reference:' "$BASELINE_IN" | sed 's/^# Reference: //; s/\.$//')); FastSmb's were measured now with"
        echo "$torture_ver (\`fastsmb serve\`), with account $USER_NAME and share \`share\`."
    else
        echo "The same $torture_ver with the same options and client configuration ran each suite against the"
        echo "reference Samba ($samba_ver, \`scripts/reference-samba.sh\`) and then against FastSmb"
        echo "(\`fastsmb serve\`), one after the other on one machine, with account $USER_NAME and share \`share\`."
    fi
    echo "\"failed\" counts failures and errors (a test that never reported a result counts as an error)."
    echo "Without \`--target=…\` smbtorture expects Windows behaviour, so Samba does not pass everything either:"
    echo "the comparison is what matters."
    if [ "$samba_ok" != 1 ]; then printf '\n**Samba %s**\n' "$samba_why"; fi
    if [ "$fastsmb_ok" != 1 ]; then printf '\n**FastSmb %s** (its columns are empty)\n' "$fastsmb_why"; fi
    echo
    echo "| suite | Samba passed | Samba failed | Samba skipped | FastSmb passed | FastSmb failed | FastSmb skipped | tests that differ | why FastSmb fails (first reason of each failing test) |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "The last column groups FastSmb's failing tests by the first failure smbtorture reports for each: the"
    echo "status the test got, then the messages of the checks (\`NT_STATUS_NOT_SUPPORTED (smb2_create failed)\`: a"
    echo "CREATE answered STATUS_NOT_SUPPORTED). The tables below give each differing test's full reason."
    echo
    echo "## Tests whose result differs"
    echo
    printf '%s\n' "${sections[@]}"
    echo "Regenerate with \`sudo scripts/conformance.sh --baseline docs/conformance-samba-baseline.txt\`, or"
    echo "FastSmb's side alone with \`scripts/conformance.sh --samba-baseline docs/conformance-samba-baseline.txt\`;"
    echo "the suites are listed in \`scripts/conformance-suites.txt\`. Logs: \`$WORK/logs\`."
} >"$OUT.tmp" && mv "$OUT.tmp" "$OUT"
note "wrote $OUT (logs in $WORK/logs)"

echo "$fp_total passed, $ff_total failed"
[ "$samba_ok" = 1 ] && [ "$fastsmb_ok" = 1 ] || exit 1
