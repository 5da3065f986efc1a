/**
 * The leader-election contracts as the library uses them: address plus the ABI from the compiled
 * artifact, typed through Hardhat's generated `ArtifactsMap`. Tasks pass artifacts read with
 * `hre.artifacts.readArtifact`; processes started without Hardhat read the same files with
 * {@link readLeaderArtifact}. Only types come from `hardhat` here.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import type { ArtifactsMap } from "hardhat/types/artifacts";
import { isHex, type Abi, type Address, type Hex } from "viem";
import { z } from "zod";

import { EveryChannelError } from "../errors";
import type { ContractRef } from "../operator/contracts";

/** ABI of the interface every leader-election inbox implements. */
export type LeaderInboxAbi = ArtifactsMap["IEveryChannelLeaderInbox"]["abi"];
export type RoundRobinInboxAbi = ArtifactsMap["EveryChannelRoundRobinInbox"]["abi"];
export type InboxRegistryAbi = ArtifactsMap["EveryChannelInboxRegistry"]["abi"];

export type LeaderInboxRef = ContractRef<LeaderInboxAbi>;
export type RoundRobinInboxRef = ContractRef<RoundRobinInboxAbi>;
export type InboxRegistryRef = ContractRef<InboxRegistryAbi>;

/** The leader-election artifacts and where they are compiled to below `artifacts/`. */
export const LEADER_ARTIFACTS = {
  IEveryChannelLeaderInbox: "contracts/leader/interfaces/IEveryChannelLeaderInbox.sol",
  EveryChannelRoundRobinInbox: "contracts/leader/EveryChannelRoundRobinInbox.sol",
  EveryChannelInboxRegistry: "contracts/leader/EveryChannelInboxRegistry.sol",
} as const;

export type LeaderArtifactName = keyof typeof LEADER_ARTIFACTS;

/** The fields of a Hardhat artifact file this library uses. */
const artifactSchema = z.object({
  contractName: z.string(),
  abi: z.array(z.object({ type: z.string() }).passthrough()),
  bytecode: z.string().refine((v) => isHex(v), "must be hex"),
});

export interface LeaderArtifact<name extends LeaderArtifactName> {
  readonly abi: ArtifactsMap[name]["abi"];
  readonly bytecode: Hex;
}

/** Reads a compiled leader-election artifact from `<root>/artifacts` (run `hardhat compile` first). */
export function readLeaderArtifact<name extends LeaderArtifactName>(
  root: string,
  name: name,
): LeaderArtifact<name> {
  const file = path.join(root, "artifacts", LEADER_ARTIFACTS[name], `${name}.json`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new EveryChannelError(
      `${file}: cannot read the ${name} artifact (run npx hardhat compile)`,
      { file },
      { cause },
    );
  }
  const parsed = artifactSchema.safeParse(raw);
  if (!parsed.success || parsed.data.contractName !== name) {
    throw new EveryChannelError(`${file}: not a Hardhat artifact of ${name}`, { file });
  }
  return {
    abi: parsed.data.abi as unknown as Abi as ArtifactsMap[name]["abi"],
    bytecode: parsed.data.bytecode as Hex,
  };
}

/** A contract reference from an address and an artifact. */
export function contractRef<abi>(
  address: Address,
  artifact: { readonly abi: abi },
): ContractRef<abi> {
  return { address, abi: artifact.abi };
}
