// Operator tasks of the witness registry and the observation ledger. Each parses and checks its
// arguments, then the network (secrets, RPC URL, chain id), prints the expected L2 gas and L1 data
// fee of what it would send, and stops there with --dry-run. The logic is in lib/operator/.
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

import {
  formatRegistry,
  parseQuorumArgument,
  readRegistry,
  changeRegistry,
  type RegistryChange,
} from "../lib/operator/registry";
import {
  accountArgument,
  checkNetwork,
  deploymentAddress,
  publicClient,
  walletFor,
} from "./context";
import { reportErrors } from "./errors";

interface RegistryArgs {
  registry?: string;
  from: string;
  dryRun: boolean;
}

async function runRegistryChange(
  hre: HardhatRuntimeEnvironment,
  args: RegistryArgs,
  change: (hre: HardhatRuntimeEnvironment) => Promise<RegistryChange>,
): Promise<void> {
  await reportErrors(async () => {
    await checkNetwork(hre);
    const resolved = await change(hre);
    const address = await deploymentAddress(hre, "WitnessRegistry", args.registry);
    const registry = await hre.viem.getContractAt("EveryChannelWitnessRegistry", address);
    await changeRegistry({
      publicClient: await publicClient(hre),
      wallet: await walletFor(hre, args.from),
      registry: { address, abi: registry.abi },
      change: resolved,
      dryRun: args.dryRun,
      log: (line) => console.log(line),
    });
  });
}

function quorumOption(value: string | undefined): bigint | undefined {
  return value === undefined ? undefined : parseQuorumArgument(value);
}

task("witness:add", "Adds a witness to the registry (sent by the registry owner)")
  .addPositionalParam("witness", "The witness: an address or a named account (witness4, ...)")
  .addOptionalParam(
    "quorum",
    "The quorum after the change (when the current one would no longer be a strict majority)",
  )
  .addOptionalParam("registry", "The registry address (default: the network's deployment record)")
  .addOptionalParam(
    "from",
    "The sending account: the owner, as a named account or address",
    "owner",
  )
  .addFlag("dryRun", "Print the expected L2 gas and L1 data fee and send nothing")
  .setAction(async (args: RegistryArgs & { witness: string; quorum?: string }, hre) => {
    const quorum = await reportErrors(async () => quorumOption(args.quorum));
    await runRegistryChange(hre, args, async () => ({
      kind: "witnesses",
      add: [await accountArgument(hre, "witness", args.witness)],
      quorum,
    }));
  });

task("witness:remove", "Removes a witness from the registry (sent by the registry owner)")
  .addPositionalParam("witness", "The witness: an address or a named account")
  .addOptionalParam(
    "quorum",
    "The quorum after the change (when the current one would exceed the witnesses left)",
  )
  .addOptionalParam("registry", "The registry address (default: the network's deployment record)")
  .addOptionalParam(
    "from",
    "The sending account: the owner, as a named account or address",
    "owner",
  )
  .addFlag("dryRun", "Print the expected L2 gas and L1 data fee and send nothing")
  .setAction(async (args: RegistryArgs & { witness: string; quorum?: string }, hre) => {
    const quorum = await reportErrors(async () => quorumOption(args.quorum));
    await runRegistryChange(hre, args, async () => ({
      kind: "witnesses",
      remove: [await accountArgument(hre, "witness", args.witness)],
      quorum,
    }));
  });

task("quorum:set", "Sets the registry's quorum (sent by the registry owner)")
  .addPositionalParam(
    "quorum",
    "The new quorum: a strict majority of the witnesses, at most their number",
  )
  .addOptionalParam("registry", "The registry address (default: the network's deployment record)")
  .addOptionalParam(
    "from",
    "The sending account: the owner, as a named account or address",
    "owner",
  )
  .addFlag("dryRun", "Print the expected L2 gas and L1 data fee and send nothing")
  .setAction(async (args: RegistryArgs & { quorum: string }, hre) => {
    const quorum = await reportErrors(async () => parseQuorumArgument(args.quorum));
    await runRegistryChange(hre, args, async () => ({ kind: "witnesses", quorum }));
  });

task("ownership:transfer", "Proposes a new registry owner (step one of two; sent by the owner)")
  .addPositionalParam("to", "The new owner: an address or a named account")
  .addOptionalParam("registry", "The registry address (default: the network's deployment record)")
  .addOptionalParam(
    "from",
    "The sending account: the owner, as a named account or address",
    "owner",
  )
  .addFlag("dryRun", "Print the expected L2 gas and L1 data fee and send nothing")
  .setAction(async (args: RegistryArgs & { to: string }, hre) => {
    await runRegistryChange(hre, args, async () => ({
      kind: "transfer-ownership",
      newOwner: await accountArgument(hre, "to", args.to),
    }));
  });

task("ownership:accept", "Accepts the registry's ownership (step two; sent by the proposed owner)")
  .addOptionalParam("registry", "The registry address (default: the network's deployment record)")
  .addParam("from", "The sending account: the proposed owner, as a named account or address")
  .addFlag("dryRun", "Print the expected L2 gas and L1 data fee and send nothing")
  .setAction(async (args: RegistryArgs, hre) => {
    await runRegistryChange(hre, args, async () => ({ kind: "accept-ownership" }));
  });

task("registry:show", "Prints the registry's owner, witnesses and quorum")
  .addOptionalParam("registry", "The registry address (default: the network's deployment record)")
  .addFlag("json", "Print JSON instead of text")
  .setAction(async (args: { registry?: string; json: boolean }, hre) => {
    await reportErrors(async () => {
      await checkNetwork(hre);
      const address = await deploymentAddress(hre, "WitnessRegistry", args.registry);
      const registry = await hre.viem.getContractAt("EveryChannelWitnessRegistry", address);
      const state = await readRegistry(await publicClient(hre), { address, abi: registry.abi });
      if (args.json)
        console.log(
          JSON.stringify(state, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2),
        );
      else for (const line of formatRegistry(state)) console.log(line);
    });
  });
