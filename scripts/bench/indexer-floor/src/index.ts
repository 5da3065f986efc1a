/**
 * Ponder's floor (`ECP_INDEXER_BENCH_FLOOR=1 npm run bench:indexer`): the settlement indexer's
 * configuration with one handler per event of the three contracts that does nothing. Ponder still
 * fetches, stores, decodes and dispatches every log and advances its checkpoints, so the backfill
 * rate of this app bounds what any handlers on Ponder can reach on the same host.
 */
import { ponder } from "ponder:registry";

import registryArtifact from "../../../../artifacts/contracts/EveryChannelWitnessRegistry.sol/EveryChannelWitnessRegistry.json";
import ledgerArtifact from "../../../../artifacts/contracts/EveryChannelObservationLedger.sol/EveryChannelObservationLedger.json";
import railArtifact from "../../../../artifacts/contracts/EveryChannelRail.sol/EveryChannelRail.json";

const on = ponder.on.bind(ponder) as unknown as (
  name: string,
  handler: () => Promise<void>,
) => void;
const contracts = {
  EveryChannelWitnessRegistry: registryArtifact.abi,
  EveryChannelObservationLedger: ledgerArtifact.abi,
  EveryChannelRail: railArtifact.abi,
};
for (const [contract, abi] of Object.entries(contracts))
  for (const item of abi as readonly { type: string; name?: string }[])
    if (item.type === "event") on(`${contract}:${item.name}`, async () => {});
