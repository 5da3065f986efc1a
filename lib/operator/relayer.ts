/**
 * What a relayer runs (`relayer:run`): collect witness signature files from folders or files,
 * check each (schema, chain and ledger, hash and slot, the signature itself, the witness active),
 * and submit the useful ones in batches with `submitSignedAttestations`, ordered so that one
 * transaction finalizes consecutive epochs of a stream. Signatures the ledger already counts are
 * left out, unless their candidate has its quorum and only waited for its parent to finalize.
 */
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import {
  encodeFunctionData,
  getAddress,
  toEventSelector,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";

import { observationTypedData, type ObservationLedgerDomain } from "../ledger/typedData";
import { buildRelayBatch, type CollectedSignature } from "../ledger/relayBatch";
import type { SignedObservation } from "../ledger/types";
import type { LedgerRef, RegistryRef } from "./contracts";
import { readHead, readSlot } from "./ledger-view";
import { sendPlanned, type OperatorWallet } from "./send";
import { readSignatureFile, type WitnessSignatureFile } from "./signature-files";

export interface RelayerCounters {
  /** Signature files accepted. */
  accepted: number;
  /** Files refused (unreadable, another chain or ledger, bad signature, not a witness). */
  refused: number;
  batches: number;
  /** Observations finalized by this relayer's transactions. */
  finalized: number;
}

export interface RelayerParameters {
  publicClient: PublicClient;
  wallet: OperatorWallet;
  ledger: LedgerRef;
  registry: RegistryRef;
  domain: ObservationLedgerDomain;
  /** Folders (every `*.json` inside) and files to collect from. */
  sources: readonly string[];
  /** Most observations per transaction. */
  maxBatch: number;
  dryRun: boolean;
  log: (line: string) => void;
}

async function listSources(sources: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const source of sources) {
    let info;
    try {
      info = await stat(source);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue; // not written yet
      throw error;
    }
    if (info.isDirectory()) {
      for (const name of (await readdir(source)).sort()) {
        if (name.endsWith(".json") && !name.startsWith(".")) files.push(path.join(source, name));
      }
    } else {
      files.push(source);
    }
  }
  return files;
}

/** Collects, checks and submits signatures; one `collectAndSubmit` call is one round. */
export class Relayer {
  readonly counters: RelayerCounters = { accepted: 0, refused: 0, batches: 0, finalized: 0 };
  /** Accepted signatures by file path; refused files by path and modification time. */
  private readonly accepted = new Map<string, WitnessSignatureFile>();
  private readonly refused = new Map<string, number>();
  private readonly done = new Set<string>();

  constructor(private readonly p: RelayerParameters) {}

  private refuse(file: string, mtime: number, reason: string): void {
    if (this.refused.get(file) === mtime) return;
    this.refused.set(file, mtime);
    this.counters.refused += 1;
    this.p.log(`relayer: ${reason}; file ignored`);
  }

  private async check(file: string, mtime: number): Promise<WitnessSignatureFile | undefined> {
    let signature: WitnessSignatureFile;
    try {
      signature = await readSignatureFile(file);
    } catch (error) {
      this.refuse(file, mtime, error instanceof Error ? error.message : String(error));
      return undefined;
    }
    if (
      signature.chainId !== this.p.domain.chainId ||
      signature.ledger !== getAddress(this.p.domain.verifyingContract)
    ) {
      this.refuse(
        file,
        mtime,
        `${file}: for chain ${signature.chainId} ledger ${signature.ledger}, not chain ${this.p.domain.chainId} ledger ${this.p.domain.verifyingContract}`,
      );
      return undefined;
    }
    const valid = await this.p.publicClient.verifyTypedData({
      address: signature.witness,
      signature: signature.signature,
      ...observationTypedData(this.p.domain, signature.header),
    });
    if (!valid) {
      this.refuse(
        file,
        mtime,
        `${file}: signature: not ${signature.witness}'s signature over ${signature.observationHash}`,
      );
      return undefined;
    }
    return signature;
  }

  /** Reads new files, then submits what can be recorded or finalized now. */
  async collectAndSubmit(): Promise<number> {
    for (const file of await listSources(this.p.sources)) {
      if (this.accepted.has(file) || this.done.has(file)) continue;
      const mtime = (await stat(file)).mtimeMs;
      if (this.refused.get(file) === mtime) continue;
      const signature = await this.check(file, mtime);
      if (signature === undefined) continue;
      this.accepted.set(file, signature);
      this.counters.accepted += 1;
    }
    return this.submit();
  }

  private async submit(): Promise<number> {
    const { publicClient, ledger, registry } = this.p;
    const quorum = await publicClient.readContract({
      address: registry.address,
      abi: registry.abi,
      functionName: "quorum",
    });
    const active = new Map<Address, boolean>();
    const isActive = async (witness: Address): Promise<boolean> => {
      let value = active.get(witness);
      if (value === undefined) {
        value = await publicClient.readContract({
          address: registry.address,
          abi: registry.abi,
          functionName: "isWitness",
          args: [witness],
        });
        active.set(witness, value);
      }
      return value;
    };
    const counted = new Map<Hex, Set<Address>>();
    const collected: CollectedSignature[] = [];
    const heads = new Map<Hex, Hex>();
    for (const [file, signature] of this.accepted) {
      const slot = await readSlot(publicClient, ledger, signature.slot);
      if (slot.status === "finalized") {
        this.accepted.delete(file);
        this.done.add(file);
        continue;
      }
      if (!(await isActive(signature.witness))) continue; // would revert the batch (NotAWitness); kept for later
      let already = counted.get(signature.observationHash);
      if (already === undefined) {
        already = new Set(
          (
            await publicClient.readContract({
              address: ledger.address,
              abi: ledger.abi,
              functionName: "attestationsOf",
              args: [signature.observationHash],
            })
          ).map((a) => getAddress(a)),
        );
        counted.set(signature.observationHash, already);
      }
      const isNew = !already.has(signature.witness);
      if (!isNew) {
        // Counted already: worth resubmitting only to finalize a candidate that has its quorum.
        const [, attestations] = await publicClient.readContract({
          address: ledger.address,
          abi: ledger.abi,
          functionName: "candidateStatus",
          args: [signature.slot, signature.observationHash],
        });
        if (attestations < quorum) continue;
      }
      collected.push({
        header: signature.header,
        witness: signature.witness,
        signature: signature.signature,
      });
      if (!heads.has(signature.header.streamHash)) {
        heads.set(
          signature.header.streamHash,
          (await readHead(publicClient, ledger, signature.header.streamHash)).hash,
        );
      }
    }
    if (collected.length === 0) return 0;
    const items = buildRelayBatch({ signatures: collected, heads });
    let finalized = 0;
    for (let start = 0; start < items.length; start += this.p.maxBatch) {
      const batch: SignedObservation[] = items.slice(start, start + this.p.maxBatch);
      const signatures = batch.reduce((n, item) => n + item.signatures.length, 0);
      const result = await sendPlanned({
        publicClient,
        wallet: this.p.wallet,
        description: `submitSignedAttestations: ${batch.length} observations, ${signatures} signatures`,
        to: ledger.address,
        data: encodeFunctionData({
          abi: ledger.abi,
          functionName: "submitSignedAttestations",
          args: [batch],
        }),
        abi: ledger.abi,
        dryRun: this.p.dryRun,
        log: this.p.log,
      });
      if (!result.sent) continue;
      this.counters.batches += 1;
      const topic = finalizedTopic(ledger);
      const count = result.receipt.logs.filter(
        (l) => l.address.toLowerCase() === ledger.address.toLowerCase() && l.topics[0] === topic,
      ).length;
      finalized += count;
      this.p.log(`relayer: batch finalized ${count} observations`);
    }
    this.counters.finalized += finalized;
    return finalized;
  }
}

function finalizedTopic(ledger: LedgerRef): Hex {
  const event = ledger.abi.find(
    (item) => item.type === "event" && item.name === "ObservationFinalized",
  );
  if (event === undefined || event.type !== "event")
    throw new Error("ObservationFinalized missing from the ledger ABI");
  return toEventSelector(event);
}
