#!/usr/bin/env bash
# Real-data validation against a real node (ECP-0093): starts anvil (from the @foundry-rs/anvil npm
# package) on 127.0.0.1 with the ecp-forge L2's chain id, waits until it answers, runs
# `npx hardhat reality-smoke --network anvil` against it, stops it and exits with the smoke's status.
#
# Usage: scripts/op-stack/anvil-reality-smoke.sh [reality-smoke flags, e.g. --mode both --json out.json]
# Environment:
#   ECP_FORGE_L2_CHAIN_ID  chain id (default: ECP_FORGE_L2_DEFAULT_CHAIN_ID in lib/config/chains.ts)
#   ANVIL_PORT             port on 127.0.0.1 (default: a free one)
#   ANVIL_ACCOUNTS         prefunded dev accounts (default 20)
set -euo pipefail
cd "$(dirname "$0")/../.."

default_chain_id="$(sed -n 's/^export const ECP_FORGE_L2_DEFAULT_CHAIN_ID = \([0-9_]*\);$/\1/p' lib/config/chains.ts | tr -d _)"
chain_id="${ECP_FORGE_L2_CHAIN_ID:-$default_chain_id}"
if [[ ! "$chain_id" =~ ^[0-9]+$ ]]; then
  echo "anvil-reality-smoke: chain id must be a decimal integer (got '$chain_id')" >&2
  exit 2
fi

port="${ANVIL_PORT:-$(node -e '
  const server = require("node:net").createServer();
  server.listen(0, "127.0.0.1", () => { console.log(server.address().port); server.close(); });
')}"

# The platform binary itself (not the npm launcher), so that stopping it stops the node.
anvil_bin="$(node -p '
  const path = require("node:path");
  const arch = { x64: "amd64", arm64: "arm64" }[process.arch] ?? process.arch;
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}/package.json`;
  path.join(path.dirname(require.resolve(pkg)), "bin", "anvil");
')"

"$anvil_bin" --host 127.0.0.1 --port "$port" --chain-id "$chain_id" \
  --accounts "${ANVIL_ACCOUNTS:-20}" --hardfork prague --silent &
anvil_pid=$!

stop_anvil() {
  if kill -0 "$anvil_pid" 2>/dev/null; then
    kill "$anvil_pid" 2>/dev/null || true
    wait "$anvil_pid" 2>/dev/null || true
  fi
}
trap stop_anvil EXIT
trap 'exit 130' INT TERM

rpc_url="http://127.0.0.1:$port"
if ! node -e '
  const [url, expected] = process.argv.slice(1);
  const deadline = Date.now() + 30_000;
  (async () => {
    while (Date.now() < deadline) {
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
        });
        const { result } = await response.json();
        if (Number.parseInt(result, 16) === Number(expected)) process.exit(0);
        console.error(`anvil-reality-smoke: ${url} answered chain id ${result}, expected ${expected}`);
        process.exit(1);
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    console.error(`anvil-reality-smoke: no answer from ${url} within 30 s`);
    process.exit(1);
  })();
' "$rpc_url" "$chain_id"; then
  exit 1
fi
echo "anvil-reality-smoke: anvil (pid $anvil_pid) on $rpc_url, chain id $chain_id" >&2

status=0
ANVIL_RPC_URL="$rpc_url" ECP_FORGE_L2_CHAIN_ID="$chain_id" \
  npx hardhat reality-smoke --network anvil "$@" || status=$?
exit "$status"
