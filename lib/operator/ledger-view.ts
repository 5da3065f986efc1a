/**
 * What the witness and relayer loops read from the observation ledger: a stream's finalized head,
 * a slot's state, whether a given witness already attested in a slot (the slot bitmap while it is
 * open, by registry index), and the chain's time.
 */
import { zeroHash, type Address, type Hex, type PublicClient } from "viem";

import type { LedgerRef, RegistryRef } from "./contracts";

export interface LedgerHead {
  /** Zero hash when the stream has no finalized observation. */
  hash: Hex;
  sequence: bigint;
  observedUnixMs: bigint;
}

export type SlotState =
  | { status: "empty" }
  | { status: "open"; attestedWitnesses: bigint }
  | { status: "finalized"; contentHash: Hex };

const SLOT_STATUS = ["empty", "open", "finalized"] as const;

export async function readHead(
  client: PublicClient,
  ledger: LedgerRef,
  streamHash: Hex,
): Promise<LedgerHead> {
  const [hash, sequence, observedUnixMs] = await client.readContract({
    address: ledger.address,
    abi: ledger.abi,
    functionName: "finalizedHead",
    args: [streamHash],
  });
  return { hash, sequence: BigInt(sequence), observedUnixMs: BigInt(observedUnixMs) };
}

export async function readSlot(
  client: PublicClient,
  ledger: LedgerRef,
  slot: Hex,
): Promise<SlotState> {
  const [status, contentHash, attestedWitnesses] = await client.readContract({
    address: ledger.address,
    abi: ledger.abi,
    functionName: "slotStatus",
    args: [slot],
  });
  const name = SLOT_STATUS[Number(status)];
  if (name === "open") return { status: "open", attestedWitnesses };
  if (name === "finalized") return { status: "finalized", contentHash };
  return { status: "empty" };
}

/** The chain's time in milliseconds: the latest block's timestamp. */
export async function readChainTimeMs(client: PublicClient): Promise<bigint> {
  const block = await client.getBlock({ blockTag: "latest" });
  return block.timestamp * 1000n;
}

/** True when the head is "no observation yet". */
export function isEmptyHead(head: LedgerHead): boolean {
  return head.hash === zeroHash;
}

/** The registry index of `witness`, or undefined when it was never a witness. */
export async function readWitnessIndex(
  client: PublicClient,
  registry: RegistryRef,
  witness: Address,
): Promise<bigint | undefined> {
  const everWitness = await client.readContract({
    address: registry.address,
    abi: registry.abi,
    functionName: "isWitness",
    args: [witness],
  });
  try {
    return await client.readContract({
      address: registry.address,
      abi: registry.abi,
      functionName: "witnessIndex",
      args: [witness],
    });
  } catch (error) {
    if (everWitness) throw error;
    return undefined;
  }
}

/** Whether the witness with registry index `index` has an attestation recorded in an open slot. */
export function attestedInSlot(slot: SlotState, index: bigint): boolean {
  return slot.status === "open" && ((slot.attestedWitnesses >> index) & 1n) === 1n;
}
