#!/usr/bin/env bash
# bash peer/undici-fetch/run.sh UNDICI_CHECKOUT: see README.md beside this file.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
undici=${1:?usage: run.sh PATH_TO_UNDICI_V6.24.1_CHECKOUT}
[ -f "$top/dist/src/index.js" ] || { echo "run 'npm run build' first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$undici/test" "$undici/lib" "$work/"
cp "$undici/index.js" "$work/index.undici.js"
for f in index-fetch.js undici-fetch.js; do [ -f "$undici/$f" ] && cp "$undici/$f" "$work/"; done
cp "$here/index.cjs" "$work/index.js"
cp "$here/reporter.mjs" "$here/kept.mjs" "$work/"
cd "$work"
echo '{"name":"peer-fetch-suite","private":true}' > package.json
npm install --no-audit --no-fund --silent @matteo.collina/tspl@0.1.1 @metcoder95/https-pem@1 abort-controller@3 jsdom@24 >/dev/null
mkdir -p node_modules && ln -sfn "$top" node_modules/httpool
for mode in node httpool; do
  : > "$mode.jsonl"
  for f in test/fetch/*.js; do
    PEER_FETCH=$mode timeout 120 node --expose-gc --test --test-reporter=./reporter.mjs --test-timeout=30000 "$f" >> "$mode.jsonl" 2>/dev/null || true
  done
done
node kept.mjs node.jsonl httpool.jsonl
