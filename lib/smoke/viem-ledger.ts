/**
 * `LedgerPort` over a deployed `EveryChannelObservationLedger` and its registry, through viem. The
 * ABIs come from the compiled artifacts (typed by hardhat-viem's generated declarations); each
 * witness and the relayer send from their own wallet client.
 */
import type { ArtifactsMap } from "hardhat/types/artifacts";
import { getAddress, type Abi, type Address, type PublicClient } from "viem";
import type { LocalAccount } from "viem/accounts";

import { EveryChannelError } from "../errors";
import { observationTypes } from "../ledger/typedData";
import type { ObservationHeader } from "../types/abi";
import {
  hasBit,
  type CandidateStatusName,
  type LedgerEvents,
  type LedgerPort,
  type SlotStatusName,
} from "./ledger-port";
import type { TransactionSender } from "./sender";

export type ObservationLedgerAbi = ArtifactsMap["EveryChannelObservationLedger"]["abi"];
export type WitnessRegistryAbi = ArtifactsMap["EveryChannelWitnessRegistry"]["abi"];

export interface CreateViemLedgerPortParameters {
  publicClient: PublicClient;
  ledger: { address: Address; abi: ObservationLedgerAbi };
  registry: { address: Address; abi: WitnessRegistryAbi };
  /** The local accounts of every witness and of the relayer. */
  accounts: readonly LocalAccount[];
  /** Sends the transactions (shared between ledgers so nonces stay consistent). */
  sender: TransactionSender;
  /** First block to read events from (the ledger's deployment block). */
  fromBlock?: bigint;
}

const SLOT_STATUS: readonly SlotStatusName[] = ["empty", "open", "finalized"];
const CANDIDATE_STATUS: readonly CandidateStatusName[] = [
  "unknown",
  "open",
  "finalized",
  "superseded",
];

export function createViemLedgerPort(parameters: CreateViemLedgerPortParameters): LedgerPort {
  const { publicClient, ledger, registry, sender } = parameters;
  const fromBlock = parameters.fromBlock ?? 0n;
  const accounts = new Map(parameters.accounts.map((a) => [getAddress(a.address), a] as const));
  const indexCache = new Map<Address, bigint>();
  const addressCache = new Map<bigint, Address>();
  let domain:
    | { name: string; version: string; chainId: bigint; verifyingContract: Address }
    | undefined;

  const account = (address: Address): LocalAccount => {
    const found = accounts.get(getAddress(address));
    if (found === undefined) {
      throw new EveryChannelError(`smoke: no key for account ${address}`, { address });
    }
    return found;
  };

  const addressOfIndex = async (index: bigint): Promise<Address> => {
    const cached = addressCache.get(index);
    if (cached !== undefined) return cached;
    const address = await publicClient.readContract({
      address: registry.address,
      abi: registry.abi,
      functionName: "witnessAt",
      args: [index],
    });
    addressCache.set(index, address);
    return address;
  };

  const bitmapAddresses = async (bitmap: bigint): Promise<Address[]> => {
    const out: Address[] = [];
    for (let index = 0n; bitmap >> index !== 0n; index += 1n) {
      if (hasBit(bitmap, index)) out.push(await addressOfIndex(index));
    }
    return out;
  };

  return {
    address: ledger.address,

    async finalizedHead(streamHash) {
      const [hash, sequence, observedUnixMs] = await publicClient.readContract({
        address: ledger.address,
        abi: ledger.abi,
        functionName: "finalizedHead",
        args: [streamHash],
      });
      return { hash, sequence, observedUnixMs };
    },

    async slotStatus(slot) {
      const [status, finalizedHash, attestedWitnesses] = await publicClient.readContract({
        address: ledger.address,
        abi: ledger.abi,
        functionName: "slotStatus",
        args: [slot],
      });
      const name = SLOT_STATUS[status] ?? "empty";
      return {
        status: name,
        finalizedHash: name === "finalized" ? finalizedHash : undefined,
        attestedWitnesses,
      };
    },

    async candidateStatus(slot, observationHash) {
      const [status, attestations] = await publicClient.readContract({
        address: ledger.address,
        abi: ledger.abi,
        functionName: "candidateStatus",
        args: [slot, observationHash],
      });
      return { status: CANDIDATE_STATUS[status] ?? "unknown", attestations };
    },

    async witnessIndex(witness) {
      const key = getAddress(witness);
      const cached = indexCache.get(key);
      if (cached !== undefined) return cached;
      const index = await publicClient.readContract({
        address: registry.address,
        abi: registry.abi,
        functionName: "witnessIndex",
        args: [key],
      });
      indexCache.set(key, index);
      addressCache.set(index, key);
      return index;
    },

    attest(witness, header) {
      return sender.send(account(witness), {
        address: ledger.address,
        abi: ledger.abi as Abi,
        functionName: "attest",
        args: [header],
      });
    },

    async signObservation(witness, header: ObservationHeader) {
      if (domain === undefined) {
        const [, name, version, chainId, verifyingContract] = await publicClient.readContract({
          address: ledger.address,
          abi: ledger.abi,
          functionName: "eip712Domain",
        });
        domain = { name, version, chainId, verifyingContract };
      }
      return await account(witness).signTypedData({
        domain,
        types: observationTypes,
        primaryType: "Observation",
        message: header,
      });
    },

    submitSignedAttestations(relayer, items) {
      return sender.send(account(relayer), {
        address: ledger.address,
        abi: ledger.abi as Abi,
        functionName: "submitSignedAttestations",
        args: [items],
      });
    },

    async events(): Promise<LedgerEvents> {
      const range = {
        address: ledger.address,
        abi: ledger.abi,
        fromBlock,
        toBlock: "latest",
      } as const;
      const [proposed, attested, finalized, equivocations] = await Promise.all([
        publicClient.getContractEvents({ ...range, eventName: "ObservationProposed" }),
        publicClient.getContractEvents({ ...range, eventName: "ObservationAttested" }),
        publicClient.getContractEvents({ ...range, eventName: "ObservationFinalized" }),
        publicClient.getContractEvents({ ...range, eventName: "EquivocationRecorded" }),
      ]);
      const result: LedgerEvents = { proposed: [], attested: [], finalized: [], equivocations: [] };
      for (const log of proposed) {
        const { observationHash, slot, header } = log.args;
        if (observationHash === undefined || slot === undefined || header === undefined) continue;
        result.proposed.push({ observationHash, slot, header });
      }
      for (const log of attested) {
        const { observationHash, witness } = log.args;
        if (observationHash === undefined || witness === undefined) continue;
        result.attested.push({ observationHash, witness: getAddress(witness) });
      }
      for (const log of finalized) {
        const { observationHash, streamHash, slot, sequence, witnesses } = log.args;
        if (
          observationHash === undefined ||
          streamHash === undefined ||
          slot === undefined ||
          sequence === undefined ||
          witnesses === undefined
        ) {
          continue;
        }
        result.finalized.push({
          observationHash,
          streamHash,
          slot,
          sequence,
          witnesses: await bitmapAddresses(witnesses),
        });
      }
      for (const log of equivocations) {
        const { slot, witness, observationA, observationB } = log.args;
        if (
          slot === undefined ||
          witness === undefined ||
          observationA === undefined ||
          observationB === undefined
        ) {
          continue;
        }
        result.equivocations.push({
          slot,
          witness: getAddress(witness),
          observationA,
          observationB,
        });
      }
      return result;
    },
  };
}
