#!/usr/bin/env bash
# Executes every notebook in notebooks/ headless, in demo mode (the bundled data/samples and tests/golden files; no
# download of data or weights), and fails if any cell fails:
#   1. installs what is missing: Debian's jupyter-nbconvert (apt), the .NET Interactive tool (version 1.0.712001) and
#      its .net-csharp Jupyter kernel;
#   2. packs the libraries (every packable src/*/*.csproj except the .NET tool, all of them in AnomalyClip.sln) into
#      artifacts/feed, the local feed that notebooks/nuget.config adds to the package sources, as an app's
#      nuget.config would;
#   3. runs `jupyter nbconvert --execute` on each notebook (no --allow-errors: a failing cell fails it) with a packages
#      folder of its own, artifacts/notebook-packages, cleared of AnomalyClip packages first, so that the notebooks
#      load exactly what step 2 packed (NuGet never replaces a version it has cached) and the user's NuGet cache is
#      left alone.
# Executed copies (with their outputs) and one log per notebook go to results/notebooks/executed/ (git ignores results/;
# override with NOTEBOOKS_OUT=<folder>); the committed notebooks are checked to be output-free and are not modified.
# Prints one line per notebook with its time, then the total; exits non-zero on any failure.
# Needs the .NET 10 SDK and the NuGet sources (TorchSharp, libtorch, ScottPlot), plus root or sudo if the apt
# packages are missing.
#   .ci/notebooks.sh [--no-pack] [NOTEBOOK ...]
# --no-pack reuses artifacts/feed as it is; NOTEBOOK (a path or a name such as 00-offline-few-shot) runs only those.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 1
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export PATH="$PATH:$HOME/.dotnet/tools"
interactive_version=1.0.712001
feed="$repo/artifacts/feed"
packages="$repo/artifacts/notebook-packages"
out="${NOTEBOOKS_OUT:-$repo/results/notebooks/executed}"
# Debian's tools, not a pyenv/venv python3 that may come first on the PATH and lack Debian's nbformat.
python=/usr/bin/python3
jupyter=/usr/bin/jupyter
pack=1
selected=()
for arg in "$@"; do
  case "$arg" in
    --no-pack) pack=0 ;;
    -*) echo "usage: $0 [--no-pack] [NOTEBOOK ...]" >&2; exit 2 ;;
    *) selected+=("$(basename "$arg" .ipynb)") ;;
  esac
done

fail() { echo "notebooks: $*" >&2; exit 1; }
started=$(date +%s)

# ---- 1. tooling ------------------------------------------------------------------------------------------------------
command -v dotnet >/dev/null || fail "the .NET SDK (dotnet) is not on the PATH"

if ! { [ -x "$jupyter" ] && "$python" -c 'import nbconvert, jupyter_client, ipykernel' 2>/dev/null; }; then
  echo "== installing jupyter-nbconvert (apt)"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then command -v sudo >/dev/null && sudo="sudo" || fail "jupyter-nbconvert is missing and apt-get needs root (or sudo)"; fi
  $sudo apt-get update -qq >/dev/null || fail "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq jupyter-nbconvert python3-nbconvert python3-jupyter-client python3-ipykernel >/dev/null \
    || fail "apt-get install jupyter-nbconvert python3-nbconvert python3-jupyter-client python3-ipykernel failed"
  [ -x "$jupyter" ] || fail "$jupyter not found after installing jupyter-nbconvert"
fi

installed=$(dotnet tool list -g 2>/dev/null | awk 'tolower($1) == "microsoft.dotnet-interactive" { print $2 }')
if [ -z "$installed" ]; then
  echo "== installing Microsoft.dotnet-interactive $interactive_version (dotnet tool, global)"
  dotnet tool install -g Microsoft.dotnet-interactive --version "$interactive_version" >/dev/null || fail "dotnet tool install Microsoft.dotnet-interactive failed"
  installed=$interactive_version
elif [ "$installed" != "$interactive_version" ]; then
  echo "notebooks: note: using the installed .NET Interactive $installed (tested with $interactive_version)"
fi

if ! "$python" -c 'from jupyter_client.kernelspec import KernelSpecManager as K; K().get_kernel_spec(".net-csharp")' 2>/dev/null; then
  echo "== installing the .net-csharp Jupyter kernel"
  mkdir -p "$HOME/.local/share/jupyter/kernels"   # 'dotnet interactive jupyter install' fails without it
  dotnet interactive jupyter install >/dev/null 2>&1 || true   # its PowerShell kernel may fail to install; only C# matters
  "$python" -c 'from jupyter_client.kernelspec import KernelSpecManager as K; K().get_kernel_spec(".net-csharp")' 2>/dev/null \
    || fail "the .net-csharp kernel is not installed ('dotnet interactive jupyter install')"
fi

# ---- 2. the committed notebooks are output-free ------------------------------------------------------------------------
notebooks=("$repo"/notebooks/*.ipynb)
[ -f "${notebooks[0]}" ] || fail "no notebooks in $repo/notebooks"
if [ "${#selected[@]}" -gt 0 ]; then
  notebooks=()
  for name in "${selected[@]}"; do
    [ -f "$repo/notebooks/$name.ipynb" ] || fail "no notebook notebooks/$name.ipynb"
    notebooks+=("$repo/notebooks/$name.ipynb")
  done
fi
"$python" - "${notebooks[@]}" <<'EOF' || fail "committed notebooks must be output-free: jupyter nbconvert --clear-output --inplace notebooks/*.ipynb"
import json, sys
bad = [f"{p}: cell {i}" for p in sys.argv[1:] for i, c in enumerate(json.load(open(p, encoding="utf-8"))["cells"])
       if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count") is not None)]
if bad:
    print("notebooks with outputs:\n  " + "\n  ".join(bad), file=sys.stderr)
    sys.exit(1)
EOF

# ---- 3. pack ------------------------------------------------------------------------------------------------------------
mkdir -p "$out" || fail "cannot create $out"
if [ "$pack" -eq 1 ]; then
  pack_started=$(date +%s)
  mkdir -p "$feed"
  rm -f "$feed"/AnomalyClip.*.nupkg "$feed"/AnomalyClip.*.snupkg
  # One `dotnet pack` over a solution filter of the library projects: one restore and build graph (about half the
  # time of packing them one by one).
  projects=()
  for project in "$repo"/src/*/*.csproj; do
    grep -q '<PackAsTool>true</PackAsTool>' "$project" && continue
    grep -q '<IsPackable>false</IsPackable>' "$project" && continue
    projects+=("${project#"$repo"/}")
  done
  [ "${#projects[@]}" -gt 0 ] || fail "no packable library project under src/"
  filter=$(mktemp --suffix=.slnf "${TMPDIR:-/tmp}/anomalyclip-libraries.XXXXXX") || fail "mktemp failed"
  "$python" - "$repo/AnomalyClip.sln" "$filter" "${projects[@]}" <<'PY'
import json, sys
solution, target, projects = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(target, "w", encoding="utf-8") as f:
    json.dump({"solution": {"path": solution, "projects": projects}}, f, indent=2)
PY
  dotnet pack "$filter" -c Release -o "$feed" -nologo -v quiet >"$out/pack.log" 2>&1
  status=$?
  rm -f "$filter"
  [ "$status" -eq 0 ] || { tail -n 40 "$out/pack.log" >&2; fail "dotnet pack of ${projects[*]} failed (log: $out/pack.log)"; }
  [ "$(ls "$feed"/AnomalyClip.*.nupkg 2>/dev/null | wc -l)" -eq "${#projects[@]}" ] \
    || fail "expected ${#projects[@]} packages in $feed, found $(ls "$feed"/AnomalyClip.*.nupkg 2>/dev/null | wc -l)"
  echo "packed $(ls "$feed"/AnomalyClip.*.nupkg | wc -l) packages into $feed in $(( $(date +%s) - pack_started )) s"
fi
ls "$feed"/AnomalyClip.*.nupkg >/dev/null 2>&1 || fail "no AnomalyClip package in $feed (run without --no-pack)"

# ---- 4. execute -------------------------------------------------------------------------------------------------------
# The notebooks restore into a packages folder of their own; AnomalyClip packages there are always the fresh ones.
export NUGET_PACKAGES="$packages"
mkdir -p "$NUGET_PACKAGES"
rm -rf "$NUGET_PACKAGES"/anomalyclip.*
# .NET Interactive also remembers what each set of #r lines resolved to (~/.packagemanagement/nuget/Cache) and reuses
# those paths while the files exist, whatever NUGET_PACKAGES says (so another clone's or the global cache's AnomalyClip
# 0.1.0 could be loaded): forget the entries that name AnomalyClip packages, so that the notebooks restore afresh.
resolution_cache="$HOME/.packagemanagement/nuget/Cache"
if [ -d "$resolution_cache" ]; then
  grep -l -i 'anomalyclip\.' "$resolution_cache"/*.resolvedReferences.paths 2>/dev/null | while read -r entry; do
    rm -f "$entry" "${entry%.resolvedReferences.paths}.csx"
  done
fi

failed=0
run_started=$(date +%s)
for nb in "${notebooks[@]}"; do
  name=$(basename "$nb" .ipynb)
  t0=$(date +%s)
  if "$jupyter" nbconvert --to notebook --execute --ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=.net-csharp \
       --output-dir "$out" --output "$name" "$nb" >"$out/$name.log" 2>&1; then
    if [ -d "$NUGET_PACKAGES/anomalyclip.training" ]; then
      echo "notebook $name: OK in $(( $(date +%s) - t0 )) s"
    else
      echo "notebook $name: ran in $(( $(date +%s) - t0 )) s, but NOT on the packages just packed ($NUGET_PACKAGES/anomalyclip.training is missing)"
      failed=$((failed + 1))
    fi
  else
    echo "notebook $name: FAILED after $(( $(date +%s) - t0 )) s (log: $out/$name.log)"
    grep -v -E '^(info: |      )' "$out/$name.log" | tail -n 40 | sed 's/^/    /'
    failed=$((failed + 1))
  fi
done
echo "notebooks: ${#notebooks[@]} run, $failed failed; executing took $(( $(date +%s) - run_started )) s, $(( $(date +%s) - started )) s in all; executed copies in $out"
[ "$failed" -eq 0 ]
