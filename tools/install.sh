#!/bin/sh
# Installs the workspace with the pinned pnpm, unless the lockfile, the manifests and the
# installed tree are what the last install left (a stamp in node_modules): a start then
# needs nothing from the network. `--force` installs anyway.
set -e
cd "$(dirname "$0")/.."
stamp=node_modules/.latchkey-install-stamp

fingerprint() {
  cat pnpm-lock.yaml pnpm-workspace.yaml package.json packages/*/package.json apps/*/package.json tools/package.json \
    node_modules/.modules.yaml 2>/dev/null | cksum
}

if [ "$1" != "--force" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(fingerprint)" ]; then
  exit 0
fi
# node-gyp must build native modules against Node's own headers: the machine cannot download them.
npm_config_nodedir="$(dirname "$(dirname "$(command -v node)")")"
export npm_config_nodedir
npx -y pnpm@12.4.2 install --reporter=append-only
fingerprint >"$stamp"
