/**
 * Shared fixtures of the ledger tests: a registry of five witnesses with quorum 3 and a ledger over
 * it, witness accounts (hardhat's default mnemonic, so the same keys sign locally and send
 * transactions), content builders (what witnesses sign), the headers the ledger is expected to
 * finalize them as, and the events it is expected to emit.
 */
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  encodeAbiParameters,
  keccak256,
  toHex,
  zeroHash,
  type Address,
  type Hex,
  type LocalAccount,
  type Log,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";

import { contentHash, observationHash, observationSlot } from "../../lib/commitments/observation";
import { readObservationLedgerDomain } from "../../lib/ledger/domain";
import { signObservation, type ObservationLedgerDomain } from "../../lib/ledger/typedData";
import { packCompactBatch, toCompactObservation } from "../../lib/ledger/compactSignatures";
import type { CollectedSignature } from "../../lib/ledger/relayBatch";
import type { CompactObservation, SignedObservation } from "../../lib/ledger/types";
import type { ObservationContent, ObservationHeader } from "../../lib/types/abi";
import type { ExpectedEvent } from "../support/events";

export const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

/** `MAX_FUTURE_MS` of the ledger, as the rules state it (checked against the contract's constant). */
export const MAX_FUTURE_MS = 300_000n;

const accountCache = new Map<number, LocalAccount>();
/** The local account of hardhat's default account `index` (the same key the node unlocks). */
export function hardhatAccount(index: number): LocalAccount {
  let account = accountCache.get(index);
  if (account === undefined) {
    account = mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: index });
    accountCache.set(index, account);
  }
  return account;
}

/** A stream hash for test stream `n`. */
export function streamOf(n: number): Hex {
  return keccak256(toHex(`stream-${n}`));
}

/** The first epoch start of the test streams (in the past of any chain the tests run on). */
export const EPOCH_ZERO_UNIX_MS = 1_734_000_000_000n;
/** The test streams' epoch length. */
export const EPOCH_MS = 6_000n;

/** The epoch commitment of epoch `epochId` of `streamHash` (6 s epochs from a fixed start). */
export function epochOf(streamHash: Hex, epochId: bigint): { epochHash: Hex; startUnixMs: bigint } {
  const startUnixMs = EPOCH_ZERO_UNIX_MS + epochId * EPOCH_MS;
  const epochHash = keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "uint64" }, { type: "uint64" }, { type: "uint32" }],
      [streamHash, epochId, startUnixMs, Number(EPOCH_MS)],
    ),
  );
  return { epochHash, startUnixMs };
}

/**
 * What a witness derives from its capture of epoch `epochId` of `streamHash`: `variant` 0 is the
 * intact capture every honest witness agrees on; other variants are damaged captures (another data
 * root and locator in the same slot).
 */
export function contentAt(streamHash: Hex, epochId: bigint, variant = 0): ObservationContent {
  const { epochHash, startUnixMs } = epochOf(streamHash, epochId);
  return {
    streamHash,
    epochHash,
    dataRoot: keccak256(toHex(`data-${streamHash}-${epochId}-${variant}`)),
    locatorHash: keccak256(toHex(`locator-${streamHash}-${epochId}-${variant}`)),
    observedUnixMs: startUnixMs,
  };
}

/** The intact contents of `count` consecutive epochs of `streamHash` from `firstEpoch`. */
export function runOf(streamHash: Hex, firstEpoch: bigint, count: number): ObservationContent[] {
  return Array.from({ length: count }, (_, i) => contentAt(streamHash, firstEpoch + BigInt(i)));
}

/** `ContentHash` of `content` (the library's, checked against the contract in views.test.ts). */
export function hashOf(content: ObservationContent): Hex {
  return contentHash(content);
}

export function slotOf(content: ObservationContent): Hex {
  return observationSlot(content.streamHash, content.epochHash);
}

/** A finalized observation as the next one links to it. */
export interface Link {
  readonly hash: Hex;
  readonly sequence: bigint;
  readonly observedUnixMs: bigint;
}

/** The header the ledger finalizes `content` as on top of `parent` (none: the stream's first). */
export function headerOn(content: ObservationContent, parent: Link | undefined): ObservationHeader {
  return {
    streamHash: content.streamHash,
    epochHash: content.epochHash,
    parentObservationHash: parent?.hash ?? zeroHash,
    dataRoot: content.dataRoot,
    locatorHash: content.locatorHash,
    observedUnixMs: content.observedUnixMs,
    sequence: parent === undefined ? 0n : parent.sequence + 1n,
  };
}

/** The link `content` becomes once finalized on top of `parent`. */
export function linkOn(content: ObservationContent, parent: Link | undefined): Link {
  const header = headerOn(content, parent);
  return {
    hash: observationHash(header),
    sequence: header.sequence,
    observedUnixMs: header.observedUnixMs,
  };
}

/** The links of `contents` finalized in this order on top of `parent`. */
export function linksOn(contents: readonly ObservationContent[], parent: Link | undefined): Link[] {
  const links: Link[] = [];
  let previous = parent;
  for (const content of contents) {
    previous = linkOn(content, previous);
    links.push(previous);
  }
  return links;
}

/** `finalizedHead(streamHash)` once `link` is the stream's head. */
export function headOf(link: Link): readonly [Hex, bigint, bigint] {
  return [link.hash, link.sequence, link.observedUnixMs];
}

/** Bitmap of registry indices. */
export function bits(...indices: number[]): bigint {
  return indices.reduce((acc, i) => acc | (1n << BigInt(i)), 0n);
}

// ---------------------------------------------------------------------------------------------
// Expected events
// ---------------------------------------------------------------------------------------------

export function proposedEvent(content: ObservationContent): ExpectedEvent {
  return {
    eventName: "ObservationProposed",
    args: {
      contentHash: hashOf(content),
      streamHash: content.streamHash,
      slot: slotOf(content),
      content,
    },
  };
}

export function attestedEvent(content: ObservationContent, witness: Address): ExpectedEvent {
  return { eventName: "ObservationAttested", args: { contentHash: hashOf(content), witness } };
}

/** `ObservationFinalized` of a content the ledger had recorded, finalized on top of `parent`. */
export function finalizedEvent(
  content: ObservationContent,
  parent: Link | undefined,
  witnesses: bigint,
): ExpectedEvent {
  const link = linkOn(content, parent);
  return {
    eventName: "ObservationFinalized",
    args: {
      observationHash: link.hash,
      streamHash: content.streamHash,
      contentHash: hashOf(content),
      parentObservationHash: parent?.hash ?? zeroHash,
      sequence: link.sequence,
      witnesses,
    },
  };
}

/** `ObservationProposedAndFinalized` of a content first seen and finalized in one call. */
export function proposedAndFinalizedEvent(
  content: ObservationContent,
  parent: Link | undefined,
  witnesses: bigint,
): ExpectedEvent {
  const header = headerOn(content, parent);
  return {
    eventName: "ObservationProposedAndFinalized",
    args: {
      observationHash: observationHash(header),
      streamHash: header.streamHash,
      epochHash: header.epochHash,
      parentObservationHash: header.parentObservationHash,
      dataRoot: header.dataRoot,
      locatorHash: header.locatorHash,
      observedUnixMs: header.observedUnixMs,
      sequence: header.sequence,
      witnesses,
    },
  };
}

export function equivocationEvent(
  content: ObservationContent,
  witness: Address,
  contentA: Hex,
  contentB: Hex,
): ExpectedEvent {
  return {
    eventName: "EquivocationRecorded",
    args: { slot: slotOf(content), witness, contentA, contentB },
  };
}

// ---------------------------------------------------------------------------------------------
// Deployment
// ---------------------------------------------------------------------------------------------

/** Witness accounts 1..5 (account 0 deploys and owns the registry). */
export const WITNESS_INDICES = [1, 2, 3, 4, 5] as const;

/**
 * The account that deploys the fixture's contracts. It sends nothing else, so its nonce is 0 whenever
 * the fixture first runs and the contracts land at the same addresses whatever ran before: the
 * EIP-712 domain, hence every signature and every calldata byte, is the same in every run, which
 * keeps the gas snapshots exact.
 */
export const FIXTURE_DEPLOYER: Address = "0x00000000000000000000000000000000ec1ed6e5";

export async function deployLedgerFixture() {
  const [owner, ...others] = await hre.viem.getWalletClients();
  const publicClient = await hre.viem.getPublicClient();
  const witnesses = WITNESS_INDICES.map((i) => hardhatAccount(i));
  await hre.network.provider.send("hardhat_impersonateAccount", [FIXTURE_DEPLOYER]);
  await hre.network.provider.send("hardhat_setBalance", [FIXTURE_DEPLOYER, "0x56bc75e2d63100000"]);
  const deployer = await hre.viem.getWalletClient(FIXTURE_DEPLOYER);
  const deployedRegistry = await hre.viem.deployContract(
    "EveryChannelWitnessRegistry",
    [owner!.account.address, witnesses.map((w) => w.address), 3n],
    { client: { wallet: deployer } },
  );
  const deployedLedger = await hre.viem.deployContract(
    "EveryChannelObservationLedger",
    [deployedRegistry.address],
    { client: { wallet: deployer } },
  );
  await hre.network.provider.send("hardhat_stopImpersonatingAccount", [FIXTURE_DEPLOYER]);
  // Writes go from the owner (account 0) unless a test picks another sender.
  const registry = await hre.viem.getContractAt(
    "EveryChannelWitnessRegistry",
    deployedRegistry.address,
    { client: { wallet: owner! } },
  );
  const ledger = await hre.viem.getContractAt(
    "EveryChannelObservationLedger",
    deployedLedger.address,
    { client: { wallet: owner! } },
  );
  const domain = await readObservationLedgerDomain(publicClient, ledger.address);
  const walletOf = (address: Address) => {
    const wallet = [owner!, ...others].find(
      (w) => w.account.address.toLowerCase() === address.toLowerCase(),
    );
    if (wallet === undefined) throw new Error(`no wallet client for ${address}`);
    return wallet;
  };
  /** The ledger as seen by `account` (writes are sent from it). */
  const ledgerAs = (account: LocalAccount) =>
    hre.viem.getContractAt("EveryChannelObservationLedger", ledger.address, {
      client: { wallet: walletOf(account.address) },
    });
  /** `signer`'s 65-byte signature over `content`. */
  const signatureOf = (
    content: ObservationContent,
    signer: LocalAccount,
    onDomain: ObservationLedgerDomain = domain,
  ): Promise<Hex> => signObservation(signer, onDomain, content);
  /** A relay item for `content` signed by `signers`. */
  const signed = async (
    content: ObservationContent,
    signers: readonly LocalAccount[],
    onDomain: ObservationLedgerDomain = domain,
  ): Promise<SignedObservation> => ({
    content,
    signatures: await Promise.all(
      signers.map(async (s) => ({
        witness: s.address,
        signature: await signatureOf(content, s, onDomain),
      })),
    ),
  });
  /** A compact relay item for `content` signed by `signers` (EOAs), signatures packed in order. */
  const compact = async (
    content: ObservationContent,
    signers: readonly LocalAccount[],
    onDomain: ObservationLedgerDomain = domain,
  ): Promise<CompactObservation> => toCompactObservation(await signed(content, signers, onDomain));
  /** Waits for `hash`'s receipt. */
  const receiptOf = (hash: Hex) => publicClient.waitForTransactionReceipt({ hash });
  /** The gas of `hash`'s transaction. */
  const gasOf = async (hash: Hex): Promise<bigint> => (await receiptOf(hash)).gasUsed;
  return {
    owner: owner!,
    others,
    publicClient,
    witnesses,
    registry,
    ledger,
    domain,
    ledgerAs,
    signatureOf,
    signed,
    compact,
    receiptOf,
    gasOf,
  };
}

export function loadLedgerFixture() {
  return loadFixture(deployLedgerFixture);
}

export type LedgerFixture = Awaited<ReturnType<typeof deployLedgerFixture>>;

/** Finalizes `content` with witnesses 0..2 in one relayed transaction; returns the logs. */
export async function finalizeWithQuorum(
  f: LedgerFixture,
  content: ObservationContent,
): Promise<Log[]> {
  const hash = await f.ledger.write.submitSignedAttestations([
    [await f.signed(content, f.witnesses.slice(0, 3))],
  ]);
  return (await f.receiptOf(hash)).logs;
}

/** Finalizes `contents` in this order (witnesses 0..2, one relayed transaction). */
export async function finalizeAll(
  f: LedgerFixture,
  contents: readonly ObservationContent[],
): Promise<void> {
  const items = await Promise.all(contents.map((c) => f.signed(c, f.witnesses.slice(0, 3))));
  await f.receiptOf(await f.ledger.write.submitSignedAttestations([items]));
}

/** The ways a witness's attestation reaches the ledger; shared behaviours run over all of them. */
export const ATTESTATION_PATHS = [
  "transaction",
  "attestMany",
  "relayed",
  "relayed batch",
  "compact",
] as const;
export type AttestationPath = (typeof ATTESTATION_PATHS)[number];

/**
 * `signers` attest `content` by `path`: one `attest` (or `attestMany([content])`) transaction each,
 * one relayed item carrying all their signatures (`submitSignedAttestations` or, compact,
 * `submitCompactAttestations`), or one relayed transaction with one item per signer. Returns the
 * receipts' logs.
 */
export async function attestVia(
  f: LedgerFixture,
  path: AttestationPath,
  content: ObservationContent,
  signers: readonly LocalAccount[],
): Promise<Log[]> {
  const logs: Log[] = [];
  if (path === "transaction" || path === "attestMany") {
    for (const signer of signers) {
      const as = await f.ledgerAs(signer);
      const hash =
        path === "transaction"
          ? await as.write.attest([content])
          : await as.write.attestMany([[content]]);
      logs.push(...(await f.receiptOf(hash)).logs);
    }
    return logs;
  }
  if (path === "compact") {
    const hash = await f.ledger.write.submitCompactAttestations(
      packCompactBatch([await f.compact(content, signers)]),
    );
    return (await f.receiptOf(hash)).logs;
  }
  const items =
    path === "relayed"
      ? [await f.signed(content, signers)]
      : await Promise.all(signers.map((s) => f.signed(content, [s])));
  const hash = await f.ledger.write.submitSignedAttestations([items]);
  return (await f.receiptOf(hash)).logs;
}

/** Whether `path` delivers all signers' attestations in one call (one item with all signatures). */
export function deliversAtOnce(path: AttestationPath): boolean {
  return path === "relayed" || path === "compact";
}

/** Every signature of witnesses `signers` (indices) over each of `contents`, in the order given. */
export async function collectSignatures(
  f: LedgerFixture,
  contents: readonly ObservationContent[],
  signers: readonly number[],
): Promise<CollectedSignature[]> {
  const collected: CollectedSignature[] = [];
  for (const content of contents)
    for (const i of signers)
      collected.push({
        content,
        witness: f.witnesses[i]!.address,
        signature: await f.signatureOf(content, f.witnesses[i]!),
      });
  return collected;
}
