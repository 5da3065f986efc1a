#!/usr/bin/env bash
# Sets up an OP Stack chain from one configuration file: op-deployer bootstrap (devnet), init, apply,
# inspect genesis and rollup; records the deployment and writes every service's configuration.
# The logic lives in lib/opstack/setup-rollup.ts; this entry runs it with ts-node.
#
# Usage: scripts/op-stack/setup-rollup.sh --config <chain.json> [--dry-run] [--op-deployer <path>]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
if [[ ! -d "$root/node_modules/ts-node" ]]; then
  echo "setup-rollup: $root/node_modules is not installed; run npm ci in $root first" >&2
  exit 2
fi
export TS_NODE_PROJECT="$root/tsconfig.json"
export TS_NODE_TRANSPILE_ONLY=true
exec node --require "$root/node_modules/ts-node/register" "$root/scripts/op-stack/setup-rollup.ts" "$@"
