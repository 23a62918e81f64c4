#!/usr/bin/env bash
# serve.sh - build FastSmb and start `fastsmb serve` on the embedded default.
#
# Usage: scripts/serve.sh [serve options...]   e.g. --port 4445 --data-dir /srv/fastsmb
#
# Needs the .NET 10 SDK (dotnet on PATH). The server itself needs no other package; the build restores its
# NuGet packages. Everything after the script name goes to `fastsmb serve`.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v dotnet >/dev/null || { echo "serve.sh: the .NET 10 SDK is needed (dotnet not on PATH)" >&2; exit 1; }
case "$(dotnet --version 2>/dev/null)" in
    10.*) ;;
    *) echo "serve.sh: the .NET 10 SDK is needed (found $(dotnet --version 2>/dev/null || echo none))" >&2; exit 1 ;;
esac

echo "serve.sh: building (Release)..." >&2
dotnet build src/Cli/FastSmb.Cli.csproj -c Release -nologo -v quiet -clp:ErrorsOnly >&2
exec dotnet src/Cli/bin/Release/net10.0/fastsmb.dll serve "$@"
