#!/usr/bin/env bash
# reference-samba.sh - a private Samba smbd to compare FastSmb against
#
# Usage: reference-samba.sh start PORT DIR
#        reference-samba.sh stop PORT DIR
#
# start: writes DIR/smb.conf and starts smbd on 127.0.0.1:PORT with share
#        "share" (DIR/share, read-write) and user bench / password benchpass
#        in its own passdb (DIR/private). /etc/samba and the system smbd are
#        not touched; the only thing made outside DIR is the no-login unix
#        account "bench" (smbd switches to it). Prints the smbd pid. Already
#        running from DIR on PORT: prints its pid and succeeds.
# stop:  stops the smbd started from DIR, its children and the RPC helpers
#        (samba-dcerpcd, rpcd_*) Samba starts on the first share listing;
#        only processes whose command line names DIR/smb.conf are signalled
#        (DIR alone identifies the instance; PORT is only checked for form).
#        DIR is kept (logs in DIR/log).
#
# Needs root and the samba package (scripts/install-test-deps.sh). DIR must be
# traversable by the bench user (use a directory under /tmp).
# Env REF_SAMBA_ADDR (default 127.0.0.1; must be an address of this host).
set -euo pipefail

me=reference-samba
die() { echo "$me: error: $*" >&2; exit 1; }
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2; exit 2; }

[ $# -eq 3 ] || usage
ACTION=$1 PORT=$2 DIR=$3
case "$ACTION" in start | stop) ;; *) usage ;; esac
if ! [[ "$PORT" =~ ^[0-9]+$ ]] || [ "$PORT" -lt 1 ] || [ "$PORT" -gt 65535 ]; then die "bad PORT '$PORT'"; fi
ADDR=${REF_SAMBA_ADDR:-127.0.0.1}
USER_NAME=bench
USER_PASS=benchpass

port_open() { timeout 1 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

# true when pid $1's argv names our smb.conf
uses_conf() {
    local a
    [ -r "/proc/$1/cmdline" ] || return 1
    while IFS= read -r -d '' a; do
        [ "$a" = "$CONF" ] || [ "$a" = "--configfile=$CONF" ] && return 0
    done <"/proc/$1/cmdline" 2>/dev/null
    return 1
}

main_pid() {
    local p
    [ -f "$DIR/pid/smbd.pid" ] || return 1
    p=$(tr -dc '0-9' <"$DIR/pid/smbd.pid")
    [ -n "$p" ] && uses_conf "$p" && echo "$p"
}

do_stop() {
    [ -d "$DIR" ] || { echo "$me: nothing to stop ($DIR does not exist)" >&2; return 0; }
    DIR=$(cd "$DIR" && pwd -P)
    CONF=$DIR/smb.conf
    local pids=() p main="" f
    # every process of this instance names DIR/smb.conf on its command line:
    # smbd and its forks, smbd-notifyd, cleanupd, samba-dcerpcd, rpcd_* (the
    # last two are not smbd's children)
    for f in /proc/[0-9]*; do
        p=${f#/proc/}
        uses_conf "$p" && pids+=("$p")
    done
    main=$(main_pid) || main=""
    if [ "${#pids[@]}" -eq 0 ]; then
        echo "$me: nothing running from $DIR" >&2
        rm -f "$DIR"/pid/*.pid
        return 0
    fi
    alive() { local q; for q in "${pids[@]}"; do kill -0 "$q" 2>/dev/null && return 0; done; return 1; }
    # the main smbd first: it takes its children down with it
    [ -n "$main" ] && kill -TERM "$main" 2>/dev/null
    for _ in $(seq 1 25); do alive || break; sleep 0.2; done
    if alive; then
        for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
        for _ in $(seq 1 25); do alive || break; sleep 0.2; done
    fi
    if alive; then
        for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
        sleep 0.5
        alive && die "still running: ${pids[*]}"
    fi
    rm -f "$DIR"/pid/*.pid
    echo "$me: stopped ${pids[*]}" >&2
}

do_start() {
    [ "$(id -u)" = 0 ] || die "must run as root (smbd switches to the unix user $USER_NAME)"
    local b
    for b in smbd smbpasswd testparm; do
        command -v "$b" >/dev/null || die "$b not found; run scripts/install-test-deps.sh"
    done
    mkdir -p "$DIR"
    DIR=$(cd "$DIR" && pwd -P)
    CONF=$DIR/smb.conf

    local pid
    if pid=$(main_pid); then
        grep -qx "   smb ports = $PORT" "$CONF" || die "smbd $pid from $DIR runs on another port; stop it first"
        echo "$me: already running from $DIR on $ADDR:$PORT" >&2
        echo "$pid"
        return 0
    fi
    port_open "$ADDR" "$PORT" && die "$ADDR:$PORT already accepts connections (another server?)"

    if ! getent passwd "$USER_NAME" >/dev/null; then
        useradd --system --no-create-home --user-group --shell /usr/sbin/nologin "$USER_NAME" \
            || die "useradd $USER_NAME failed"
    fi
    mkdir -p "$DIR"/{private,lock,state,cache,pid,log,ncalrpc,binddns,winbindd,usershares,share,kernel}
    chmod 0700 "$DIR/private"
    chown "$USER_NAME:" "$DIR/share" "$DIR/kernel"
    chmod 0775 "$DIR/share" "$DIR/kernel"
    runuser -u "$USER_NAME" -- test -w "$DIR/share" -a -x "$DIR/share" 2>/dev/null \
        || die "unix user $USER_NAME cannot write $DIR/share (a parent directory not traversable?)"

    cat >"$CONF" <<EOF
# written by scripts/reference-samba.sh: a private test instance
[global]
   server role = standalone server
   workgroup = WORKGROUP
   netbios name = REFSMB$PORT
   security = user
   passdb backend = tdbsam:$DIR/private/passdb.tdb
   map to guest = never
   private dir = $DIR/private
   lock directory = $DIR/lock
   state directory = $DIR/state
   cache directory = $DIR/cache
   pid directory = $DIR/pid
   ncalrpc dir = $DIR/ncalrpc
   binddns dir = $DIR/binddns
   winbindd socket directory = $DIR/winbindd
   usershare path = $DIR/usershares
   usershare max shares = 0
   log file = $DIR/log/smbd.log
   max log size = 0
   logging = file
   log level = 1
   smb ports = $PORT
   interfaces = $ADDR
   bind interfaces only = yes
   disable netbios = yes
   server min protocol = SMB2_02
   server max protocol = SMB3_11
   server multi channel support = yes
   smb2 leases = yes
   kernel change notify = no
   disable spoolss = yes
   load printers = no
   printing = bsd
   printcap name = /dev/null
   obey pam restrictions = no
   unix password sync = no

[share]
   path = $DIR/share
   read only = no
   browseable = yes
   guest ok = no
   valid users = $USER_NAME
   # ACLs and streams stored like on a production share
   vfs objects = acl_xattr streams_xattr
   map acl inherit = yes
   ea support = yes
   store dos attributes = yes
   # Samba grants durable handles only with these three off
   durable handles = yes
   kernel oplocks = no
   kernel share modes = no
   posix locking = no
   oplocks = yes
   level2 oplocks = yes

# smb2.kernel-oplocks runs here (scripts/conformance-suites.txt: share=kernel)
[kernel]
   path = $DIR/kernel
   read only = no
   valid users = $USER_NAME
   vfs objects = acl_xattr streams_xattr
   ea support = yes
   store dos attributes = yes
   kernel oplocks = yes
   oplocks = yes
   level2 oplocks = yes
EOF
    testparm -s "$CONF" >"$DIR/log/testparm.out" 2>&1 \
        || { cat "$DIR/log/testparm.out" >&2; die "testparm rejected $CONF"; }
    printf '%s\n%s\n' "$USER_PASS" "$USER_PASS" \
        | smbpasswd -c "$CONF" -a -s "$USER_NAME" >"$DIR/log/smbpasswd.out" 2>&1 \
        || { cat "$DIR/log/smbpasswd.out" >&2; die "smbpasswd -a $USER_NAME failed"; }

    rm -f "$DIR"/pid/*.pid
    smbd -D -s "$CONF" </dev/null >>"$DIR/log/smbd.stdout" 2>&1 \
        || { tail -n 20 "$DIR/log/smbd.log" >&2 2>/dev/null; die "smbd failed to start"; }
    local deadline=$(($(date +%s) + 20))
    until port_open "$ADDR" "$PORT"; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
            tail -n 30 "$DIR/log/smbd.log" >&2 2>/dev/null || true
            die "smbd does not accept connections on $ADDR:$PORT after 20 s (log: $DIR/log/smbd.log)"
        fi
        sleep 0.2
    done
    for _ in $(seq 1 25); do pid=$(main_pid) && break; sleep 0.2; done
    [ -n "${pid:-}" ] || die "$ADDR:$PORT accepts connections but $DIR/pid/smbd.pid names no smbd of ours"
    echo "$me: smbd on $ADDR:$PORT: //$ADDR/share, user $USER_NAME%$USER_PASS (log $DIR/log/smbd.log)" >&2
    echo "$pid"
}

case "$ACTION" in
    start) do_start ;;
    stop) do_stop ;;
esac
