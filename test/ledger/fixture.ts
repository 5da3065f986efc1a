/**
 * Shared fixtures of the ledger and registry tests: a registry of five witnesses with quorum 3 and a
 * ledger over it, witness accounts (hardhat's default mnemonic, so the same keys sign locally and send
 * transactions), and header builders for chains of observations.
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
} from "viem";
import { mnemonicToAccount } from "viem/accounts";

import { observationHash, observationSlot } from "../../lib/commitments/observation";
import { readObservationLedgerDomain } from "../../lib/ledger/domain";
import { signObservation, type ObservationLedgerDomain } from "../../lib/ledger/typedData";
import { toCompactObservation } from "../../lib/ledger/compactSignatures";
import type { CompactObservation, SignedObservation } from "../../lib/ledger/types";
import type { ObservationHeader } from "../../lib/types/abi";

export const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

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

/** The epoch commitment of epoch `epochId` of `streamHash` (6 s epochs from a fixed start). */
export function epochOf(streamHash: Hex, epochId: bigint): { epochHash: Hex; startUnixMs: bigint } {
  const startUnixMs = 1_734_000_000_000n + epochId * 6_000n;
  const epochHash = keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "uint64" }, { type: "uint64" }, { type: "uint32" }],
      [streamHash, epochId, startUnixMs, 6_000],
    ),
  );
  return { epochHash, startUnixMs };
}

/** A header of `streamHash` at `epochId` extending `parent` (zero hash and sequence 0 for the first). */
export function headerAt(
  streamHash: Hex,
  epochId: bigint,
  parent: { hash: Hex; sequence: bigint } | undefined,
  variant = 0,
): ObservationHeader {
  const { epochHash, startUnixMs } = epochOf(streamHash, epochId);
  return {
    streamHash,
    epochHash,
    parentObservationHash: parent?.hash ?? zeroHash,
    dataRoot: keccak256(toHex(`data-${streamHash}-${epochId}-${variant}`)),
    locatorHash: keccak256(toHex(`locator-${streamHash}-${epochId}-${variant}`)),
    observedUnixMs: startUnixMs,
    sequence: parent === undefined ? 0n : parent.sequence + 1n,
  };
}

/** `count` consecutive headers of `streamHash` from `firstEpoch`, chained from `parent`. */
export function chainOf(
  streamHash: Hex,
  firstEpoch: bigint,
  count: number,
  parent: { hash: Hex; sequence: bigint } | undefined,
): ObservationHeader[] {
  const headers: ObservationHeader[] = [];
  let previous = parent;
  for (let i = 0; i < count; i++) {
    const header = headerAt(streamHash, firstEpoch + BigInt(i), previous);
    headers.push(header);
    previous = { hash: observationHash(header), sequence: header.sequence };
  }
  return headers;
}

export function hashOf(header: ObservationHeader): Hex {
  return observationHash(header);
}

export function slotOf(header: ObservationHeader): Hex {
  return observationSlot(header.streamHash, header.epochHash);
}

/** The parent link `{ hash, sequence }` of `header`. */
export function linkOf(header: ObservationHeader): { hash: Hex; sequence: bigint } {
  return { hash: observationHash(header), sequence: header.sequence };
}

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
  /** A relay item for `header` signed by `signers`. */
  const signed = async (
    header: ObservationHeader,
    signers: readonly LocalAccount[],
    onDomain: ObservationLedgerDomain = domain,
  ): Promise<SignedObservation> => ({
    header,
    signatures: await Promise.all(
      signers.map(async (s) => ({
        witness: s.address,
        signature: await signObservation(s, onDomain, header),
      })),
    ),
  });
  /** A compact relay item for `header` signed by `signers` (EOAs), signatures packed in order. */
  const compact = async (
    header: ObservationHeader,
    signers: readonly LocalAccount[],
    onDomain: ObservationLedgerDomain = domain,
  ): Promise<CompactObservation> => toCompactObservation(await signed(header, signers, onDomain));
  /** Sends `hash`'s transaction receipt and returns its gas. */
  const gasOf = async (hash: Hex): Promise<bigint> =>
    (await publicClient.waitForTransactionReceipt({ hash })).gasUsed;
  return {
    owner: owner!,
    others,
    publicClient,
    witnesses,
    registry,
    ledger,
    domain,
    ledgerAs,
    signed,
    compact,
    gasOf,
  };
}

export function loadLedgerFixture() {
  return loadFixture(deployLedgerFixture);
}

/** Bitmap of registry indices. */
export function bits(...indices: number[]): bigint {
  return indices.reduce((acc, i) => acc | (1n << BigInt(i)), 0n);
}

export type LedgerFixture = Awaited<ReturnType<typeof deployLedgerFixture>>;

/** Finalizes `header` with witnesses 0..2 by a relayed transaction. */
export async function finalizeWithQuorum(
  f: LedgerFixture,
  header: ObservationHeader,
): Promise<void> {
  const hash = await f.ledger.write.submitSignedAttestations([
    [await f.signed(header, f.witnesses.slice(0, 3))],
  ]);
  await f.publicClient.waitForTransactionReceipt({ hash });
}

/** The ways a witness's attestation reaches the ledger; shared behaviours run over all of them. */
export const ATTESTATION_PATHS = ["transaction", "relayed", "relayed batch"] as const;
export type AttestationPath = (typeof ATTESTATION_PATHS)[number];

/**
 * `signers` attest `header` by `path`: one `attest` transaction each, one relayed item carrying all
 * their signatures, or one relayed transaction with one item per signer. Returns the receipts' logs.
 */
export async function attestVia(
  f: LedgerFixture,
  path: AttestationPath,
  header: ObservationHeader,
  signers: readonly LocalAccount[],
) {
  const logs = [];
  if (path === "transaction") {
    for (const signer of signers) {
      const hash = await (await f.ledgerAs(signer)).write.attest([header]);
      logs.push(...(await f.publicClient.waitForTransactionReceipt({ hash })).logs);
    }
    return logs;
  }
  const items =
    path === "relayed"
      ? [await f.signed(header, signers)]
      : await Promise.all(signers.map((s) => f.signed(header, [s])));
  const hash = await f.ledger.write.submitSignedAttestations([items]);
  return (await f.publicClient.waitForTransactionReceipt({ hash })).logs;
}
