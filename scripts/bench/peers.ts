/**
 * The co-signing peers measured beside the ledger: a Safe multisig (`safe.ts`) and Chainlink's
 * `KeystoneForwarder` (`keystone.ts`), each recording observation headers its signers agreed on into
 * a `PeerObservationRecorder`. Every measured transaction is checked to have recorded each of its
 * headers (the forwarder swallows a receiver's revert, so a successful receipt is not enough) and,
 * for the Safe, to have advanced its nonce by one.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { encodeFunctionData, type Abi, type Address, type Hex } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";

import { observationHash, observationSlot } from "../../lib/commitments/observation";
import type { L1FeeParameters } from "../../lib/opstack/fee-model";
import type { ObservationHeader } from "../../lib/types/abi";
import { deploy, witnessAccounts, type BenchChain, type TxCost } from "./chain";
import { perObservation, type PathFigure } from "./figures";
import { nextHeader, streamCursor, type HeaderChainCursor } from "./headers";
import { deployKeystone, signReport, transmitReport, type KeystoneDeployment } from "./keystone";
import {
  createSafe,
  deploySafeSingletons,
  execSafeTransaction,
  safeNonce,
  type SafeAccount,
  type SafeSingletons,
} from "./safe";

export const PEER_PATHS = {
  safe: (threshold: number, owners: number, batch = 1) =>
    `Safe ${threshold} of ${owners}: execTransaction${batch === 1 ? "" : `, ${batch} observations`}`,
  keystone: (signatures: number, signers: number, batch = 1) =>
    `Keystone ${signatures} of ${signers}: report${batch === 1 ? "" : ` of ${batch} observations`}`,
} as const;

export interface PeerContext {
  chain: BenchChain;
  fees: L1FeeParameters;
  deployer: PrivateKeyAccount;
  relayer: PrivateKeyAccount;
  recorder: { abi: Abi; bytecode: Hex };
}

export async function recorderArtifact(hre: HardhatRuntimeEnvironment) {
  const artifact = await hre.artifacts.readArtifact("PeerObservationRecorder");
  return { abi: artifact.abi as Abi, bytecode: artifact.bytecode as Hex };
}

export class PeerNotRecordedError extends Error {
  override name = "PeerNotRecordedError";
}

/** Throws unless every header is recorded in `recorder` under its own observation hash. */
export async function expectRecorded(
  context: PeerContext,
  recorder: Address,
  headers: readonly ObservationHeader[],
): Promise<void> {
  for (const header of headers) {
    const slot = observationSlot(header.streamHash, header.epochHash);
    const recorded = await context.chain.publicClient.readContract({
      address: recorder,
      abi: context.recorder.abi,
      functionName: "recorded",
      args: [slot],
    });
    if (recorded !== observationHash(header))
      throw new PeerNotRecordedError(
        `bench: slot ${slot} holds ${String(recorded)}, not observation #${header.sequence}: a peer path did not record`,
      );
  }
}

function takeHeaders(cursor: HeaderChainCursor, count: number): ObservationHeader[] {
  return Array.from({ length: count }, () => nextHeader(cursor).header);
}

export interface SafePeer {
  account: SafeAccount;
  recorder: Address;
  cursor: HeaderChainCursor;
}

/** A Safe of `owners` with `threshold`, and a recorder that only it may call. */
export async function safePeer(
  context: PeerContext,
  singletons: SafeSingletons,
  threshold: number,
  owners: number,
): Promise<SafePeer> {
  const namespace = `safe-${threshold}of${owners}`;
  const account = await createSafe(
    context.chain,
    singletons,
    context.deployer,
    witnessAccounts(owners, namespace),
    threshold,
    context.fees,
    BigInt(owners * 1000 + threshold),
  );
  const recorder = await deploy(
    context.chain,
    context.deployer,
    context.recorder.abi,
    context.recorder.bytecode,
    [account.safe],
  );
  return { account, recorder, cursor: streamCursor(namespace) };
}

/** `count` observations recorded by one `execTransaction` of the Safe; checked. */
export async function safeRecord(
  context: PeerContext,
  peer: SafePeer,
  count: number,
  signers?: readonly PrivateKeyAccount[],
): Promise<TxCost> {
  const headers = takeHeaders(peer.cursor, count);
  const before = await safeNonce(context.chain, peer.account.safe);
  const data = encodeFunctionData({
    abi: context.recorder.abi,
    functionName: "record",
    args: [headers],
  });
  const cost = await execSafeTransaction(
    context.chain,
    peer.account,
    context.relayer,
    peer.recorder,
    data,
    context.fees,
    signers,
  );
  const after = await safeNonce(context.chain, peer.account.safe);
  if (after !== before + 1n)
    throw new PeerNotRecordedError(
      `bench: Safe ${peer.account.safe} nonce went from ${before} to ${after}, expected ${before + 1n}`,
    );
  await expectRecorded(context, peer.recorder, headers);
  return cost;
}

export interface KeystonePeer {
  deployment: KeystoneDeployment;
  recorder: Address;
  cursor: HeaderChainCursor;
  /** Reports transmitted (each needs a fresh workflow execution id). */
  reports: number;
}

/** A forwarder with a DON of 3f + 1 signers, and a recorder that only it may call. */
export async function keystonePeer(context: PeerContext, f: number): Promise<KeystonePeer> {
  const namespace = `keystone-f${f}`;
  const deployment = await deployKeystone(
    context.chain,
    context.deployer,
    witnessAccounts(3 * f + 1, namespace),
    f,
    context.fees,
  );
  const recorder = await deploy(
    context.chain,
    context.deployer,
    context.recorder.abi,
    context.recorder.bytecode,
    [deployment.forwarder],
  );
  return { deployment, recorder, cursor: streamCursor(namespace), reports: 0 };
}

/** `count` observations recorded by one report through the forwarder; checked. */
export async function keystoneRecord(
  context: PeerContext,
  peer: KeystonePeer,
  count: number,
): Promise<TxCost> {
  const headers = takeHeaders(peer.cursor, count);
  const report = await signReport(peer.deployment, headers, peer.reports++);
  const cost = await transmitReport(
    context.chain,
    peer.deployment,
    context.relayer,
    peer.recorder,
    report,
    context.fees,
  );
  await expectRecorded(context, peer.recorder, headers);
  return cost;
}

/**
 * The peers' rows of the quorum-3 comparison: a Safe 3 of 5 and a Keystone DON of 7 (f = 2, three
 * signatures per report), one observation per transaction and `batches` observations per
 * transaction. Each is warmed first (the Safe's nonce and the forwarder's config are written once).
 */
export async function peerPaths(
  context: PeerContext,
  quorum: number,
  batches: readonly number[],
): Promise<PathFigure[]> {
  const figures: PathFigure[] = [];
  const singletons = await deploySafeSingletons(context.chain, context.deployer);
  const owners = 2 * quorum - 1;
  const safe = await safePeer(context, singletons, quorum, owners);
  await safeRecord(context, safe, 1);
  for (const size of [1, ...batches])
    figures.push(
      perObservation(
        "Safe",
        PEER_PATHS.safe(quorum, owners, size),
        await safeRecord(context, safe, size),
        {
          observations: size,
          transactions: 1,
          quorum,
        },
      ),
    );
  const f = quorum - 1;
  const keystone = await keystonePeer(context, f);
  await keystoneRecord(context, keystone, 1);
  for (const size of [1, ...batches])
    figures.push(
      perObservation(
        "Keystone",
        PEER_PATHS.keystone(f + 1, 3 * f + 1, size),
        await keystoneRecord(context, keystone, size),
        { observations: size, transactions: 1, quorum: f + 1 },
      ),
    );
  return figures;
}

/** One point of the peers' growth with signers. */
export interface SignersFigure extends PathFigure {
  /** Signatures per transaction. */
  signatures: number;
  /** Size of the signer set (Safe owners, DON signers). */
  signers: number;
}

/**
 * How one observation's cost grows with the signatures it needs: a Safe of q of 2q − 1 owners (the
 * ledger's quorum series) and a Keystone DON of 3f + 1 signers with f + 1 = q signatures, for each
 * `quorums` q (the DON is capped at 31 signers, so q ≤ 11).
 */
export async function signersSeries(
  context: PeerContext,
  quorums: readonly number[],
): Promise<SignersFigure[]> {
  const figures: SignersFigure[] = [];
  const singletons = await deploySafeSingletons(context.chain, context.deployer);
  for (const q of quorums) {
    const safe = await safePeer(context, singletons, q, 2 * q - 1);
    await safeRecord(context, safe, 1);
    const cost = await safeRecord(context, safe, 1);
    figures.push({
      ...perObservation("Safe", PEER_PATHS.safe(q, 2 * q - 1), cost, {
        observations: 1,
        transactions: 1,
        quorum: q,
      }),
      signatures: q,
      signers: 2 * q - 1,
    });
  }
  for (const q of quorums) {
    if (3 * (q - 1) + 1 > 31) continue;
    const keystone = await keystonePeer(context, q - 1);
    await keystoneRecord(context, keystone, 1);
    const cost = await keystoneRecord(context, keystone, 1);
    figures.push({
      ...perObservation("Keystone", PEER_PATHS.keystone(q, 3 * q - 2), cost, {
        observations: 1,
        transactions: 1,
        quorum: q,
      }),
      signatures: q,
      signers: 3 * q - 2,
    });
  }
  return figures;
}
