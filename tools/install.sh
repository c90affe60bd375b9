#!/bin/sh
# Installs the workspace with the pinned pnpm. node-gyp must build native modules
# against Node's own headers: the machine cannot download them.
set -e
cd "$(dirname "$0")/.."
npm_config_nodedir="$(dirname "$(dirname "$(command -v node)")")"
export npm_config_nodedir
npx -y pnpm@12.4.2 install --reporter=append-only
