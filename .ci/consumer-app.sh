#!/usr/bin/env bash
# Uses the AnomalyClip packages the way README.md's "## Use it from your app" section tells a user to, in a brand-new
# console app outside this repository, so that nothing of the repository's own build (Directory.Build.*, global.json)
# helps it:
#   1. packs the libraries (every packable src/*/*.csproj except the .NET tool) into a temporary local feed;
#   2. takes from that README section its first ```bash block (the `dotnet add package` lines) and its first
#      ```csharp block (a complete Program.cs with top-level statements);
#   3. `dotnet new console` in a temporary folder, with a generated nuget.config that adds the local feed to the
#      user's usual sources and maps AnomalyClip.* to that feed only (so a published AnomalyClip package of the same
#      name or a higher version cannot be picked instead), and an empty private NuGet packages folder (so no stale
#      AnomalyClip package from an earlier run is reused);
#   4. runs the bash lines there, writes Program.cs, builds, and runs it with one argument: the absolute path of
#      data/samples/hazelnut_toy.
# Prints what the program printed; exits non-zero if any step fails. Removes its temporary folders.
# Needs the .NET 10 SDK and access to the NuGet sources for TorchSharp and libtorch (~150 MB, downloaded into the
# private packages folder; NuGet's HTTP cache makes later runs faster).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readme="$repo/README.md"
section='## Use it from your app'
sample="$repo/data/samples/hazelnut_toy"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"

fail() { echo "consumer-app: $*" >&2; exit 1; }

[ -f "$readme" ] || fail "README.md not found at $readme"
[ -d "$sample/test" ] || fail "sample class folder $sample/test not found"

# Prints the body of the first ```$2 block inside the README section titled exactly "$1" (up to the next "## ").
extract_block() {
  awk -v title="$1" -v lang="$2" '
    $0 == title { inside = 1; next }
    inside && /^## / { exit }
    inside && !inblock && $0 == "```" lang { inblock = 1; found = 1; next }
    inblock && /^```[[:space:]]*$/ { exit }
    inblock { print }
    END { if (!found) exit 3 }
  ' "$readme"
}

work=$(mktemp -d "${TMPDIR:-/tmp}/anomalyclip-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT
case "$work/" in "$repo"/*) fail "temporary folder $work is inside the repository; set TMPDIR elsewhere" ;; esac
feed="$work/feed"
app="$work/app"
export NUGET_PACKAGES="$work/packages"

extract_block "$section" bash > "$work/add-packages.sh" || fail "README.md has no \`\`\`bash block under '$section'"
extract_block "$section" csharp > "$work/Program.cs" || fail "README.md has no \`\`\`csharp block under '$section'"
[ -s "$work/add-packages.sh" ] || fail "the bash block under '$section' is empty"
[ -s "$work/Program.cs" ] || fail "the csharp block under '$section' is empty"

echo "== packing the libraries into $feed"
mkdir -p "$feed"
for project in "$repo"/src/*/*.csproj; do
  grep -q '<PackAsTool>true</PackAsTool>' "$project" && continue
  grep -q '<IsPackable>false</IsPackable>' "$project" && continue
  dotnet pack "$project" -c Release -o "$feed" -v quiet -nologo >"$work/pack.log" 2>&1 \
    || { cat "$work/pack.log" >&2; fail "dotnet pack $project failed"; }
done
ls "$feed"/*.nupkg >/dev/null 2>&1 || fail "no package was produced"
ls -1 "$feed"

echo "== new console app in $app"
dotnet new console -o "$app" -n ConsumerApp >"$work/new.log" 2>&1 || { cat "$work/new.log" >&2; fail "dotnet new console failed"; }
cd "$app"
# The local feed, on top of the sources the user already has; AnomalyClip.* only from it, everything else as usual.
cat > nuget.config <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="anomalyclip-local" value="$feed" />
  </packageSources>
</configuration>
EOF
mapfile -t sources < <(dotnet nuget list source --format detailed 2>/dev/null \
  | sed -n 's/^ *[0-9][0-9]*\. *\(.*\) \[Enabled\]$/\1/p' | grep -vx 'anomalyclip-local' || true)
{
  echo '<?xml version="1.0" encoding="utf-8"?>'
  echo '<configuration>'
  echo '  <packageSources>'
  echo "    <add key=\"anomalyclip-local\" value=\"$feed\" />"
  echo '  </packageSources>'
  echo '  <packageSourceMapping>'
  echo '    <packageSource key="anomalyclip-local"><package pattern="AnomalyClip.*" /></packageSource>'
  for s in "${sources[@]}"; do
    echo "    <packageSource key=\"$s\"><package pattern=\"*\" /></packageSource>"
  done
  echo '  </packageSourceMapping>'
  echo '</configuration>'
} > nuget.config
[ "${#sources[@]}" -gt 0 ] || fail "no enabled NuGet source besides the local feed (dotnet nuget list source)"

echo "== README's bash block:"
sed 's/^/   /' "$work/add-packages.sh"
bash -euo pipefail "$work/add-packages.sh" >"$work/add.log" 2>&1 || { cat "$work/add.log" >&2; fail "the README's dotnet add package lines failed"; }
cp "$work/Program.cs" Program.cs

echo "== dotnet build"
dotnet build -c Release -nologo >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; fail "the app does not build"; }
grep -h 'Marked GLIBCXX' "$work/build.log" || true

echo "== dotnet run -- $sample"
set +e
dotnet run -c Release --no-build -- "$sample" >"$work/run.log" 2>&1
status=$?
set -e
cat "$work/run.log"
[ "$status" -eq 0 ] || fail "the app exited with $status"
echo "consumer-app: OK"
