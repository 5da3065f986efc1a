/**
 * Registers the archive's witnesses (each its own account) in the registry with the smoke's quorum:
 * one `updateWitnessSet` from the owner adds the missing ones, removes the others and sets the quorum
 * atomically. Nothing is sent when the registry already holds exactly that set and quorum (a resumed
 * run).
 */
import { getAddress, type Abi, type Address, type PublicClient } from "viem";
import type { LocalAccount } from "viem/accounts";

import type { SentTransaction } from "./ledger-port";
import type { TransactionSender } from "./sender";
import type { WitnessRegistryAbi } from "./viem-ledger";

export interface EnsureWitnessSetParameters {
  publicClient: PublicClient;
  registry: { address: Address; abi: WitnessRegistryAbi };
  /** The registry owner's key. */
  owner: LocalAccount;
  sender: TransactionSender;
  witnesses: readonly Address[];
  quorum: number;
}

export interface EnsureWitnessSetReturnType {
  added: Address[];
  removed: Address[];
  previousQuorum: bigint;
  /** The `updateWitnessSet` transaction, when one was needed. */
  transaction: SentTransaction | undefined;
}

export async function ensureWitnessSet(
  parameters: EnsureWitnessSetParameters,
): Promise<EnsureWitnessSetReturnType> {
  const { publicClient, registry, owner } = parameters;
  const read = { address: registry.address, abi: registry.abi } as const;
  const [current, previousQuorum] = await Promise.all([
    publicClient.readContract({ ...read, functionName: "witnesses" }),
    publicClient.readContract({ ...read, functionName: "quorum" }),
  ]);
  const want = new Set(parameters.witnesses.map((w) => getAddress(w)));
  const have = new Set(current.map((w) => getAddress(w)));
  const added = [...want].filter((w) => !have.has(w));
  const removed = [...have].filter((w) => !want.has(w));
  const quorum = BigInt(parameters.quorum);
  if (added.length === 0 && removed.length === 0 && previousQuorum === quorum) {
    return { added, removed, previousQuorum, transaction: undefined };
  }
  const transaction = await parameters.sender.send(owner, {
    address: registry.address,
    abi: registry.abi as Abi,
    functionName: "updateWitnessSet",
    args: [added, removed, quorum],
  });
  return { added, removed, previousQuorum, transaction };
}
