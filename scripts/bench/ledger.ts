/**
 * Our ledger on the bench chain: `EveryChannelWitnessRegistry` + `EveryChannelObservationLedger`
 * deployed from this project's artifacts, witnesses that sign EIP-712 `Observation`s locally, and
 * the ways an observation gets finalized: one `attest` transaction per witness, one relayed
 * `submitSignedAttestations` carrying the quorum's signatures (or `submitCompactAttestations`
 * carrying them packed as 64-byte EIP-2098 signatures), relayed batches of consecutive epochs of
 * one stream in either form, and co-signed reports (`submitReport`: one quorum of signatures over a
 * run of consecutive epochs).
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Address, Hex } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";

import { headerContent } from "../../lib/commitments/observation";
import { createLedgerClient, type LedgerClient } from "../../lib/ledger/client";
import { packCompactBatch, toCompactObservation } from "../../lib/ledger/compactSignatures";
import { reportOf, reportTypedData } from "../../lib/ledger/report";
import { packReport } from "../../lib/ledger/reportCalldata";
import {
  observationTypes,
  signObservation as signContent,
  type ObservationLedgerDomain,
} from "../../lib/ledger/typedData";
import type { L1FeeParameters } from "../../lib/opstack/fee-model";
import type { ObservationHeader } from "../../lib/types/abi";
import { deploy, send, sumCosts, type BenchChain, type TxCost } from "./chain";
import { nextHeader, type HeaderChainCursor } from "./headers";

export async function ledgerArtifacts(hre: {
  artifacts: Pick<HardhatRuntimeEnvironment["artifacts"], "readArtifact">;
}) {
  const [registry, ledger] = await Promise.all([
    hre.artifacts.readArtifact("EveryChannelWitnessRegistry"),
    hre.artifacts.readArtifact("EveryChannelObservationLedger"),
  ]);
  return { registry, ledger };
}
export type LedgerArtifacts = Awaited<ReturnType<typeof ledgerArtifacts>>;

export interface LedgerDeployment {
  artifacts: LedgerArtifacts;
  registry: Address;
  ledger: Address;
  /** The ledger's client (reads and events). */
  client: LedgerClient;
  domain: ObservationLedgerDomain;
  owner: PrivateKeyAccount;
}

/** Deploys a registry with `witnesses` and `quorum`, and a ledger over it. */
export async function deployLedger(
  chain: BenchChain,
  artifacts: LedgerArtifacts,
  owner: PrivateKeyAccount,
  witnesses: readonly Address[],
  quorum: number,
): Promise<LedgerDeployment> {
  const registry = await deploy(
    chain,
    owner,
    artifacts.registry.abi,
    artifacts.registry.bytecode as Hex,
    [owner.address, witnesses, BigInt(quorum)],
  );
  const ledger = await deploy(
    chain,
    owner,
    artifacts.ledger.abi,
    artifacts.ledger.bytecode as Hex,
    [registry],
  );
  const client = createLedgerClient({
    publicClient: chain.publicClient,
    ledger: { address: ledger, abi: artifacts.ledger.abi },
    registry: { address: registry, abi: artifacts.registry.abi },
  });
  return { artifacts, registry, ledger, client, owner, domain: await client.domain() };
}

/** Changes the registry's witness set and quorum in one owner transaction. */
export async function updateWitnessSet(
  chain: BenchChain,
  deployment: LedgerDeployment,
  toAdd: readonly Address[],
  toRemove: readonly Address[],
  quorum: number,
  fees: L1FeeParameters,
): Promise<void> {
  await send({
    chain,
    from: deployment.owner,
    to: deployment.registry,
    abi: deployment.artifacts.registry.abi,
    functionName: "updateWitnessSet",
    args: [toAdd, toRemove, BigInt(quorum)],
    fees,
    measure: false,
  });
}

export async function signObservation(
  deployment: LedgerDeployment,
  witness: PrivateKeyAccount,
  header: ObservationHeader,
): Promise<Hex> {
  return await signContent(witness, deployment.domain, headerContent(header));
}

/** The header's content and the witnesses' signatures, as `submitSignedAttestations` takes them. */
export async function signedObservation(
  deployment: LedgerDeployment,
  witnesses: readonly PrivateKeyAccount[],
  header: ObservationHeader,
) {
  const signatures = [];
  for (const witness of witnesses)
    signatures.push({
      witness: witness.address,
      signature: await signObservation(deployment, witness, header),
    });
  return { content: headerContent(header), signatures };
}

/** One observation finalized by each witness sending its own `attest`. */
export async function attestPerWitness(
  chain: BenchChain,
  deployment: LedgerDeployment,
  witnesses: readonly PrivateKeyAccount[],
  cursor: HeaderChainCursor,
  fees: L1FeeParameters,
): Promise<TxCost> {
  const { header } = nextHeader(cursor);
  const costs: TxCost[] = [];
  for (const witness of witnesses)
    costs.push(
      await send({
        chain,
        from: witness,
        to: deployment.ledger,
        abi: deployment.artifacts.ledger.abi,
        functionName: "attest",
        args: [headerContent(header)],
        fees,
      }),
    );
  return sumCosts(costs);
}

/**
 * `batch` consecutive observations of one stream, each signed by `witnesses`, finalized by one
 * relayed `submitSignedAttestations` (batch 1 is the relayed-signatures path), or with
 * `options.compact` by one `submitCompactAttestations` carrying the same signatures packed by
 * `lib/ledger/compactSignatures.ts`.
 */
export async function relayBatch(
  chain: BenchChain,
  deployment: LedgerDeployment,
  relayer: PrivateKeyAccount,
  witnesses: readonly PrivateKeyAccount[],
  cursor: HeaderChainCursor,
  batch: number,
  fees: L1FeeParameters,
  options: { measure?: boolean; gas?: bigint; compact?: boolean } = {},
): Promise<TxCost> {
  const items = [];
  for (let i = 0; i < batch; i++)
    items.push(await signedObservation(deployment, witnesses, nextHeader(cursor).header));
  if (options.compact === true)
    return await send({
      chain,
      from: relayer,
      to: deployment.ledger,
      abi: deployment.artifacts.ledger.abi,
      functionName: "submitCompactAttestations",
      args: packCompactBatch(items.map(toCompactObservation)),
      fees,
      ...(options.measure === undefined ? {} : { measure: options.measure }),
      ...(options.gas === undefined ? {} : { gas: options.gas }),
    });
  return await send({
    chain,
    from: relayer,
    to: deployment.ledger,
    abi: deployment.artifacts.ledger.abi,
    functionName: "submitSignedAttestations",
    args: [items],
    fees,
    ...(options.measure === undefined ? {} : { measure: options.measure }),
    ...(options.gas === undefined ? {} : { gas: options.gas }),
  });
}

/**
 * `size` consecutive observations of one stream finalized by one co-signed report
 * (`submitReport`), signed once by each of `witnesses`.
 */
export async function reportBatch(
  chain: BenchChain,
  deployment: LedgerDeployment,
  relayer: PrivateKeyAccount,
  witnesses: readonly PrivateKeyAccount[],
  cursor: HeaderChainCursor,
  size: number,
  fees: L1FeeParameters,
): Promise<TxCost> {
  const contents = [];
  for (let i = 0; i < size; i++) contents.push(headerContent(nextHeader(cursor).header));
  const report = reportOf(contents);
  const { name, version, chainId, verifyingContract } = deployment.domain;
  const typedData = reportTypedData(
    {
      name: name!,
      version: version!,
      chainId: BigInt(chainId!),
      verifyingContract: verifyingContract!,
    },
    report,
  );
  const signatures: Hex[] = [];
  for (const witness of witnesses) signatures.push(await witness.signTypedData(typedData));
  return await send({
    chain,
    from: relayer,
    to: deployment.ledger,
    abi: deployment.artifacts.ledger.abi,
    functionName: "submitReport",
    args: packReport(report, signatures),
    fees,
  });
}

/** The stream's finalized head sequence (to check that a path really finalized). */
export async function headSequence(
  deployment: LedgerDeployment,
  streamHash: Hex,
): Promise<{ observationHash: Hex; sequence: bigint }> {
  const { hash, sequence } = await deployment.client.head(streamHash);
  return { observationHash: hash, sequence };
}
