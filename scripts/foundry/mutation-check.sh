#!/usr/bin/env bash
# Checks that the rail invariant suite can fail: runs it against a copy of the project whose rail lets
# anyone move a stream's pointers (the publisher check of `_requirePublisher` removed), and succeeds
# only if forge reports the rail invariant broken. Reuses this project's forge cache, so only the
# mutated contract and the files importing it compile again.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$root/contracts" "$root/test" "$root/scripts" "$root/foundry.toml" "$work/"
ln -s "$root/node_modules" "$work/node_modules"
[ -d "$root/cache-foundry" ] && cp -r "$root/cache-foundry" "$work/"
[ -d "$root/out-foundry" ] && cp -r "$root/out-foundry" "$work/"
target="$work/contracts/EveryChannelRail.sol"
original='if (publisher != account) revert NotPublisher(streamId, account, publisher);'
grep -qF "$original" "$target" || { echo "mutation-check: contracts/EveryChannelRail.sol: the publisher check to remove is not there" >&2; exit 2; }
sed -i "s/if (publisher != account) revert NotPublisher/if (publisher != account \&\& false) revert NotPublisher/" "$target"
cd "$work"
# The verdict is forge's report: the rail invariant must be reported broken.
output="$(FOUNDRY_INVARIANT_RUNS=32 FOUNDRY_INVARIANT_DEPTH=32 npx forge test --match-contract RailInvariants 2>&1 || true)"
if ! grep -q 'InvariantViolated("rail:' <<<"$output"; then
  echo "mutation-check: the rail invariant did not catch a rail without its publisher check:" >&2
  echo "$output" | tail -20 >&2
  exit 1
fi
echo "mutation-check: the rail invariant caught a rail without its publisher check:"
grep -m1 'InvariantViolated' <<<"$output"
