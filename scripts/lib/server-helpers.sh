# server-helpers.sh - sourced by the scripts that start FastSmb next to a reference Samba
# (conformance.sh, bench-vs-samba.sh). Expects HOST and ROOT (the repository) set, and the
# functions note and die defined, by the script that sources it.

# port_open HOST PORT: something accepts TCP connections there.
port_open() { timeout 1 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

# free_port FIRST [NOT]: the first port from FIRST on that nothing listens on (and is not NOT).
free_port() {
    local p=$1
    while port_open "$HOST" "$p" || [ "$p" = "${2:-}" ]; do p=$((p + 1)); done
    echo "$p"
}

# fastsmb_dll LOGNAME: prints the fastsmb.dll to run: $FASTSMB_DLL when set, else src/Cli built in
# Release (output in artifacts/LOGNAME-build.log; dies when the build fails).
fastsmb_dll() {
    local dll log=artifacts/$1-build.log
    if [ -n "${FASTSMB_DLL:-}" ]; then
        dll=$(realpath "$FASTSMB_DLL")
    else
        note "dotnet build src/Cli -c Release"
        mkdir -p artifacts
        dotnet build "$ROOT/src/Cli/FastSmb.Cli.csproj" -c Release -tl:off </dev/null >"$log" 2>&1 \
            || { tail -n 30 "$log" >&2; die "building src/Cli failed ($log)"; }
        dll=$ROOT/src/Cli/bin/Release/net10.0/fastsmb.dll
    fi
    [ -f "$dll" ] || die "$dll does not exist"
    echo "$dll"
}
