#!/usr/bin/env bash
# smbtorture-new.sh - a private Samba 4.22 smbtorture (for smb2.bench.*) next to the system's
#
# Usage: scripts/smbtorture-new.sh        prints the path of a working wrapper as its last line
#
# Debian 12's smbtorture (Samba 4.17) has no smb2.bench.* tests. This script takes
# samba-testsuite and the Samba libraries it links from CODENAME-backports without
# installing them: it adds that suite (pinned to priority 100, so nothing on the system is
# ever upgraded from it) under the archive URI the machine already uses, refreshes only that
# list, "apt-get download"s the packages (all from one Samba source version) and unpacks them
# with dpkg -x under PREFIX/root. PREFIX/smbtorture is a wrapper that sets LD_LIBRARY_PATH
# and, as root, runs smbtorture in a private mount namespace in which Samba's compiled-in
# plug-in directory (/usr/lib/TRIPLET/samba, the system Samba's modules) shows the unpacked
# one. Does nothing when the wrapper already works. Needs root to install.
# Env: SMBTORTURE_NEW_PREFIX (default /opt/smbtorture-new), SMBTORTURE_NEW_FORCE=1 reinstalls.
set -euo pipefail

me=smbtorture-new
note() { echo "$me: $*" >&2; }
die() { echo "$me: error: $*" >&2; exit 1; }

PREFIX=${SMBTORTURE_NEW_PREFIX:-/opt/smbtorture-new}
case "$PREFIX" in /?*) ;; *) die "SMBTORTURE_NEW_PREFIX must be an absolute path, not /" ;; esac
WRAPPER=$PREFIX/smbtorture

if [ "${SMBTORTURE_NEW_FORCE:-0}" != 1 ] && [ -x "$WRAPPER" ] && v=$("$WRAPPER" --version 2>/dev/null) && [ -n "$v" ]; then
    note "present: $v"
    echo "$WRAPPER"
    exit 0
fi
[ "$(id -u)" = 0 ] || die "must run as root (adds an apt source and runs apt-get)"

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$codename" ] || die "no VERSION_CODENAME in /etc/os-release"
SUITE=$codename-backports

# Whole packages, and packages of which only the shared libraries are needed.
FULL=(samba-testsuite samba-libs libsmbclient libwbclient0 libldb2 libtalloc2 libtevent0 libtdb1)
LIBS=(python3-samba python3-ldb python3-talloc winbind)

# The URI and keyring of the enabled source that carries the base suite (deb822 or one-line).
archive() {
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        awk -v want="$codename" '
            function end() { if (uri != "" && types ~ /deb/ && en !~ /^(no|false)$/ && (" " suites " ") ~ (" " want " ")) { print uri " " key; done = 1; exit }
                             uri = types = suites = key = en = "" }
            /^[ \t]*#/ { next }
            /^[ \t]*$/ { end(); next }
            /^Types:/ { types = $0 } /^Suites:/ { suites = substr($0, 8) } /^Enabled:/ { en = tolower($2) }
            /^URIs:/ { uri = $2 } /^Signed-By:/ { key = $2 }
            END { if (!done) end() }' "$f" | head -n 1 | grep . && return 0
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -r "$f" ] || continue
        awk -v want="$codename" '$1 == "deb" { i = 2; while ($i ~ /^\[/ || ($i ~ /=/ && $(i-1) !~ /\]$/)) i++
                                               if ($(i + 1) == want) { print $i; exit } }' "$f" | grep . && return 0
    done
    return 1
}

SRC=/etc/apt/sources.list.d/$SUITE.sources
PREF=/etc/apt/preferences.d/$SUITE.pref
log=$(mktemp /tmp/$me.XXXXXX.log)
aptq() {   # apt-get, waiting for another process's lock (10 minutes at most)
    local i
    for i in $(seq 120); do
        apt-get -q -o Dpkg::Use-Pty=0 "$@" >>"$log" 2>&1 && return 0
        grep -qE 'Could not get lock|Unable to (acquire|lock)' "$log" || return 1
        : >"$log"; sleep 5
    done
    return 1
}

if ! grep -rqsE "(Suites:.*|^deb .*)[[:space:]]$SUITE([[:space:]]|\$)" /etc/apt/sources.list /etc/apt/sources.list.d/ || [ -f "$SRC" ]; then
    read -r uri key < <(archive) || die "no enabled deb source for $codename to derive the $SUITE URI from"
    [ -n "${key:-}" ] || key=/usr/share/keyrings/debian-archive-keyring.gpg
    printf '# added by scripts/smbtorture-new.sh for apt-get download only\nTypes: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n' \
        "$uri" "$SUITE" "$key" >"$SRC"
    printf '# never upgrade anything from %s automatically (scripts/smbtorture-new.sh)\nPackage: *\nPin: release n=%s\nPin-Priority: 100\n' \
        "$SUITE" "$SUITE" >"$PREF"
    note "apt-get update of $SUITE only ($uri)"
    aptq -o Dir::Etc::SourceList="$SRC" -o Dir::Etc::SourceParts=- -o APT::Get::List-Cleanup=0 update \
        || { tail -n 20 "$log" >&2; rm -f "$SRC" "$PREF"; die "cannot fetch $SUITE"; }
fi

mkdir -p "$PREFIX"
dl=$PREFIX/debs.new stage=$PREFIX/root.new
rm -rf "$dl" "$stage"; mkdir -p "$dl" "$stage"
getent passwd _apt >/dev/null && chown _apt "$dl"
pkgs=(); for p in "${FULL[@]}" "${LIBS[@]}"; do pkgs+=("$p/$SUITE"); done
note "apt-get download ${pkgs[*]}"
(cd "$dl" && aptq download "${pkgs[@]}") || { tail -n 20 "$log" >&2; die "apt-get download failed"; }

srcver=""
for p in "${FULL[@]}" "${LIBS[@]}"; do
    f=$(compgen -G "$dl/${p}_*.deb" | head -n 1) || die "no ${p}_*.deb downloaded"
    s=$(dpkg-deb -f "$f" Source) v=$(dpkg-deb -f "$f" Version)
    [[ "$s" =~ \((.*)\) ]] && v=${BASH_REMATCH[1]}
    [ -z "$srcver" ] && srcver=$v
    [ "$v" = "$srcver" ] || die "$p is from Samba source $v, not $srcver (the suite is mid-update; retry later)"
    if [[ " ${FULL[*]} " == *" $p "* ]]; then
        dpkg -x "$f" "$stage"
    else
        x=$(mktemp -d); dpkg -x "$f" "$x"
        (cd "$x" && find usr/lib -maxdepth 3 -name 'lib*.so*' \( -type f -o -type l \) -exec cp -a --parents {} "$stage/" \;)
        rm -rf "$x"
    fi
done
libdir=$(cd "$stage" && compgen -G 'usr/lib/*/samba' | head -n 1) || die "no usr/lib/*/samba unpacked"
libdir=${libdir%/samba}
missing=$(LD_LIBRARY_PATH=$stage/$libdir/samba:$stage/$libdir ldd "$stage/usr/bin/smbtorture" | grep 'not found' || true)
[ -z "$missing" ] || die "unpacked smbtorture misses libraries: $missing"
rm -rf "$PREFIX/root" "$PREFIX/debs"
mv "$stage" "$PREFIX/root"; mv "$dl" "$PREFIX/debs"

lib=$PREFIX/root/$libdir
cat >"$WRAPPER" <<EOF
#!/bin/sh
# Samba $srcver smbtorture unpacked by scripts/smbtorture-new.sh; the system Samba is not used.
export LD_LIBRARY_PATH='$lib/samba:$lib' LDB_MODULES_PATH='$lib/samba/ldb'
if [ "\$(id -u)" = 0 ] && [ -z "\${SMBTORTURE_NEW_INNER:-}" ] && [ -d '/$libdir/samba' ] && unshare --mount true 2>/dev/null; then
    # a private mount namespace in which the compiled-in plug-in directory holds our modules
    export SMBTORTURE_NEW_INNER=1
    exec unshare --mount --propagation private sh -c 'mount --bind "\$1" "\$2" && shift 2 && exec "\$@"' \\
        sh '$lib/samba' '/$libdir/samba' '$WRAPPER' "\$@"
fi
exec '$PREFIX/root/usr/bin/smbtorture' "\$@"
EOF
chmod 0755 "$WRAPPER"
v=$("$WRAPPER" --version 2>&1) || die "$WRAPPER --version failed: $v"
rm -f "$log"
note "installed $v"
echo "$WRAPPER"
