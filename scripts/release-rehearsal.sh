#!/usr/bin/env bash
# Release rehearsal: what `pnpm release` would do, without publishing and without touching this
# checkout.
#   1. `changeset status` passes here (every changed public package has a changeset);
#   2. in a throwaway clone of HEAD (a clean checkout: uncommitted changes are not in it), with
#      the built dist/ folders copied in from this checkout (run `pnpm build` first):
#      `changeset version`, then `pnpm publish -r --dry-run`;
#   3. asserts that every public package is in the dry run, has a new version and a CHANGELOG.md
#      entry for it (also inside its packed tarball), and that its packed package.json has no
#      `workspace:` range (pnpm rewrote them to the new versions).
# Prints what it checks; exits non-zero on failure. KEEP=1 keeps the clone (its path is printed).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
PNPM="npx --yes pnpm@10.34.9"
say() { echo "release-rehearsal: $*"; }
fail() {
  echo "release-rehearsal: FAIL $*" >&2
  exit 1
}

cd "$root"
say "changeset status (against the base branch)"
npx --no-install changeset status >/dev/null || fail "changeset status: a changed package has no changeset (run pnpm changeset)"
say "  ok"

work=$(mktemp -d -t lab-release-XXXXXX)
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
say "clean clone of HEAD ($(git rev-parse --short HEAD)) in $work"
git clone --quiet --local --no-hardlinks "$root" "$work/repo"
cd "$work/repo"
public=()
declare -A before
for dir in packages/*/; do
  [ "$(node -p "require('./${dir}package.json').private === true")" = true ] && continue
  name=$(node -p "require('./${dir}package.json').name")
  public+=("$name")
  before[$name]=$(node -p "require('./${dir}package.json').version")
  [ -d "$root/${dir}dist" ] || fail "$root/${dir}dist missing: run pnpm build first"
  cp -r "$root/${dir}dist" "$dir"
done
say "public packages: ${public[*]}"
$PNPM install --frozen-lockfile --offline --ignore-scripts --reporter=silent >/dev/null 2>&1 ||
  $PNPM install --frozen-lockfile --ignore-scripts --reporter=silent >/dev/null

pending=$(ls .changeset/*.md 2>/dev/null | grep -vc README.md || true)
say "changeset version ($pending pending changesets)"
npx --no-install changeset version >/dev/null
[ -z "$(ls .changeset/*.md 2>/dev/null | grep -v README.md)" ] || fail "changesets left after changeset version"

say "pnpm publish -r --dry-run"
$PNPM publish -r --dry-run --no-git-checks >"$work/publish.log" 2>&1 || {
  cat "$work/publish.log" >&2
  fail "pnpm publish -r --dry-run"
}

mkdir -p "$work/packed"
for dir in packages/*/; do
  name=$(node -p "require('./${dir}package.json').name")
  [ "$(node -p "require('./${dir}package.json').private === true")" = true ] && continue
  version=$(node -p "require('./${dir}package.json').version")
  tarball=$(cd "$dir" && $PNPM pack --pack-destination "$work/packed" 2>/dev/null | grep '\.tgz$' | tail -n 1)
  manifest=$(tar -xOzf "$tarball" package/package.json)
  if grep -n 'workspace:' <<<"$manifest" >&2; then fail "$name: packed package.json has a workspace: range"; fi
  if [ "$version" = "${before[$name]}" ]; then
    # Nothing to release for this package (no changeset touches it, e.g. right after a release).
    say "  $name $version: no pending changeset, not released; packed without workspace: ranges"
    continue
  fi
  grep -qF "${name}@${version}" "$work/publish.log" || fail "$name@$version is not in the publish dry run"
  grep -q "^## ${version}\$" "${dir}CHANGELOG.md" 2>/dev/null || fail "$name: no '## $version' entry in ${dir}CHANGELOG.md"
  tar -xOzf "$tarball" package/CHANGELOG.md 2>/dev/null | grep -q "^## ${version}\$" ||
    fail "$name: the packed tarball has no CHANGELOG.md with the $version entry (package.json files)"
  deps=$(node -e '
const p = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = [];
for (const k of ["dependencies", "peerDependencies"]) for (const [d, r] of Object.entries(p[k] || {})) if (d.startsWith("@lab/")) out.push(`${d}@${r}`);
console.log(out.join(" "));' <<<"$manifest")
  say "  $name ${before[$name]} -> $version: in the dry run, CHANGELOG entry (packed too), packed @lab ranges: ${deps:-none}"
done
say "all checks passed"
