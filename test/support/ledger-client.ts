/**
 * The deployed registry and ledger of the in-process chain (after `hre.deployments.fixture`), with
 * the ledger client the operator library reads and sends through (`lib/ledger/client.ts`).
 */
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
