/**
 * The deployed registry and ledger of the in-process chain (after `hre.deployments.fixture`), with
 * the ledger client the operator library reads and sends through (`lib/ledger/client.ts`); and the
 * same client over the deployment records a child process wrote (`deployments/<network>/`).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Address, PublicClient } from "viem";

import { DEPLOYMENTS } from "../../lib/deploy/context";
import { createLedgerClient, type LedgerClient } from "../../lib/ledger/client";
import type { LedgerRef, RegistryRef } from "../../lib/operator/contracts";
import type { OperatorWallet } from "../../lib/operator/send";

export interface DeployedLedger {
  client: PublicClient;
  ledger: LedgerRef;
  registry: RegistryRef;
  /** The ledger client, with the registry and without a wallet. */
  chain: LedgerClient;
  /** The same client sending from `account`. */
  sender(account: Address): Promise<LedgerClient>;
}

export async function deployedLedger(hre: HardhatRuntimeEnvironment): Promise<DeployedLedger> {
  const [ledgerRecord, registryRecord] = await Promise.all([
    hre.deployments.get(DEPLOYMENTS.ObservationLedger),
    hre.deployments.get(DEPLOYMENTS.WitnessRegistry),
  ]);
  const ledger: LedgerRef = {
    address: ledgerRecord.address as Address,
    abi: (await hre.artifacts.readArtifact(DEPLOYMENTS.ObservationLedger)).abi as LedgerRef["abi"],
  };
  const registry: RegistryRef = {
    address: registryRecord.address as Address,
    abi: (await hre.artifacts.readArtifact(DEPLOYMENTS.WitnessRegistry)).abi as RegistryRef["abi"],
  };
  const client = (await hre.viem.getPublicClient()) as PublicClient;
  return {
    client,
    ledger,
    registry,
    chain: createLedgerClient({ publicClient: client, ledger, registry }),
    async sender(account) {
      const walletClient = (await hre.viem.getWalletClient(account)) as OperatorWallet;
      return createLedgerClient({ publicClient: client, walletClient, ledger, registry });
    },
  };
}

/**
 * The ledger client of the deployment records in `networkDir` (`deployments/<network>/`, written
 * by a `hardhat deploy` run in another process), with the registry, over `publicClient`.
 */
export async function recordedLedger(
  publicClient: PublicClient,
  networkDir: string,
): Promise<LedgerClient> {
  const record = async (name: string) =>
    JSON.parse(await readFile(path.join(networkDir, `${name}.json`), "utf8")) as {
      address: Address;
      abi: unknown;
    };
  const [ledger, registry] = await Promise.all([
    record(DEPLOYMENTS.ObservationLedger),
    record(DEPLOYMENTS.WitnessRegistry),
  ]);
  return createLedgerClient({
    publicClient,
    ledger: { address: ledger.address, abi: ledger.abi as LedgerRef["abi"] },
    registry: { address: registry.address, abi: registry.abi as RegistryRef["abi"] },
  });
}
