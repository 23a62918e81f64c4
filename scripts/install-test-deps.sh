#!/usr/bin/env bash
# install-test-deps.sh - install what FastSmb's build and test suite need (Debian 12)
#
# Usage: install-test-deps.sh [--tshark] [--check] [-h]
#   --tshark   accepted for compatibility: tshark is always installed now
#   --check    install nothing; list what is missing (exit 1 if anything is)
#
# Packages: samba and samba-vfs-modules (reference server), smbclient (smbclient, rpcclient),
# samba-testsuite (smbtorture), python3-impacket, and for native/:
# build-essential, cmake, pkg-config, liburing-dev, libibverbs-dev, librdmacm-dev. Env TEST_DEPS_EXTRA="pkg ..."
# adds more. Idempotent: does nothing when everything is installed. Runs
# "apt-get update" only when the package lists are missing or a package has no
# install candidate, and once more if an install fails on stale lists. Waits
# for a dpkg/apt lock held by another process instead of failing.
# Afterwards checks that smbclient, rpcclient and smbtorture are on PATH, that
# /usr/bin/python3 imports impacket.smbconnection, and that `dotnet --version`
# is 10.x (the .NET SDK itself is not installed by this script).
# Needs root to install; exit 0 ok, 1 missing/failed, 2 usage.
set -euo pipefail

me=install-test-deps
note() { echo "$me: $*" >&2; }
die() { echo "$me: error: $*" >&2; exit 1; }
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

check_only=0
for a in "$@"; do
    case "$a" in
        --tshark) ;;  # tshark is always installed now
        --check) check_only=1 ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done

# tshark (with text2pcap) is a test dependency: the SMB Direct codec tests check their bytes with its dissector.
# iptables: smb2.replay's dhv2-pending3* tests block a channel's TCP port with it (torture:use_iptables).
pkgs=(samba samba-vfs-modules smbclient samba-testsuite python3-impacket build-essential cmake pkg-config liburing-dev libibverbs-dev librdmacm-dev tshark iptables)
read -r -a extra <<<"${TEST_DEPS_EXTRA:-}"
pkgs+=("${extra[@]}")

installed() {
    [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | cut -c1-2)" = ii ]
}

# Tools the tests run, and the SDK. Prints one problem per line; empty when fine.
tool_problems() {
    local t v
    for t in smbclient rpcclient smbtorture; do
        command -v "$t" >/dev/null || echo "$t is not on PATH"
    done
    [ -x /usr/bin/python3 ] || echo "/usr/bin/python3 is missing"
    [ -x /usr/bin/python3 ] && ! /usr/bin/python3 -c 'import impacket.smbconnection' 2>/dev/null \
        && echo "/usr/bin/python3 cannot import impacket.smbconnection"
    if ! command -v dotnet >/dev/null; then
        echo "dotnet is not on PATH: install the .NET 10 SDK (https://learn.microsoft.com/dotnet/core/install/linux-debian)"
    elif ! v=$(dotnet --version 2>&1); then
        echo "'dotnet --version' failed (FastSmb needs the .NET 10 SDK, not only a runtime): $(head -n 2 <<<"$v" | tr '\n' ' ')"
    elif v=$(grep -v '^[[:space:]]*$' <<<"$v" | tail -n 1) && [[ "$v" != 10.* ]]; then
        echo "dotnet --version is $v; FastSmb needs the .NET 10 SDK (10.x)"
    fi
    return 0
}

missing=()
for p in "${pkgs[@]}"; do installed "$p" || missing+=("$p"); done

if [ "$check_only" = 1 ]; then
    problems=$(tool_problems)
    [ "${#missing[@]}" -eq 0 ] || note "missing packages: ${missing[*]} (install as root: scripts/install-test-deps.sh)"
    [ -z "$problems" ] || while IFS= read -r l; do note "$l"; done <<<"$problems"
    if [ "${#missing[@]}" -eq 0 ] && [ -z "$problems" ]; then
        note "all present: ${pkgs[*]}; dotnet $(dotnet --version)"
        exit 0
    fi
    exit 1
fi

if [ "${#missing[@]}" -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "must run as root to install: ${missing[*]}"
    command -v apt-get >/dev/null || die "apt-get not found (Debian/Ubuntu only); install by hand: ${missing[*]}"

    export DEBIAN_FRONTEND=noninteractive
    apt_opts=(-q -y -o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    log=$(mktemp "${TMPDIR:-/tmp}/$me.XXXXXX.log")

    # apt-get that waits while another apt/dpkg holds a lock (up to 10 min).
    # DPkg::Lock::Timeout covers the dpkg lock; the lists lock of "update"
    # is not covered by it everywhere, hence the loop.
    apt_retry() {
        local i
        for i in $(seq 1 120); do
            if apt-get "${apt_opts[@]}" "$@" </dev/null >>"$log" 2>&1; then return 0; fi
            tail -n 5 "$log" | grep -qE 'Could not get lock|Unable to (acquire|lock)|is held by process' || return 1
            [ "$i" = 1 ] && note "waiting for an apt/dpkg lock held by another process"
            sleep 5
        done
        return 1
    }

    has_candidate() {
        local c
        c=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2; exit }')
        [ -n "$c" ] && [ "$c" != "(none)" ]
    }

    need_update=0
    if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
        need_update=1
    else
        for p in "${missing[@]}"; do has_candidate "$p" || { need_update=1; break; }; done
    fi
    if [ "$need_update" = 1 ]; then
        note "apt-get update"
        apt_retry update || { tail -n 20 "$log" >&2; die "apt-get update failed (log: $log)"; }
    fi

    note "installing ${missing[*]}"
    if ! apt_retry install --no-install-recommends "${missing[@]}"; then
        # stale lists (404 on a superseded .deb): refresh once and retry
        note "install failed; apt-get update and one retry"
        apt_retry update || true
        apt_retry install --no-install-recommends "${missing[@]}" \
            || { tail -n 20 "$log" >&2; die "apt-get install ${missing[*]} failed (log: $log)"; }
    fi
    still=()
    for p in "${pkgs[@]}"; do installed "$p" || still+=("$p"); done
    [ "${#still[@]}" -eq 0 ] || die "still not installed after apt-get: ${still[*]} (log: $log)"
    rm -f "$log"
fi

problems=$(tool_problems)
if [ -n "$problems" ]; then
    while IFS= read -r l; do note "$l"; done <<<"$problems"
    die "the test tools are not usable (see above)"
fi
note "ok: ${pkgs[*]}; $(smbclient --version 2>/dev/null | head -n 1); dotnet $(dotnet --version)"
