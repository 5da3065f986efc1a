// `reality-smoke` (ECP-0093 "Real-data validation"): deploys (or reuses) the registry and ledger
// through the project's deploy scripts, registers the archive's witnesses, lets each derive from its
// own archive and attest, and checks every slot against what the archives dictate. The work is in
// lib/smoke/; this file supplies the Hardhat pieces (deployments, accounts, clients).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import { task, types, vars } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { createPublicClient, getAddress, http, type Address, type PublicClient } from "viem";
import type { LocalAccount } from "viem/accounts";

import { DEPLOYMENTS } from "../lib/deploy/context";
import { isLiveNetwork } from "../lib/deploy/network-definitions";
import { preflightNetwork } from "../lib/deploy/preflight";
import { EveryChannelError } from "../lib/errors";
import { createSecretReader } from "../lib/secrets/reader";
import type { PreparedSmoke } from "../lib/smoke/command";
import { DEFAULT_ARCHIVE_DIR, DEFAULT_SMOKE_MODE } from "../lib/smoke/defaults";
import type { SmokeMode } from "../lib/smoke/report";
import { reportErrors } from "./errors";

/** Deployment record of the second ledger `--mode both` runs relayed mode on. */
export const RELAYED_LEDGER_DEPLOYMENT = "RealitySmokeRelayedLedger";
/** Witness i of the archive uses dev account `WITNESS_ACCOUNT_OFFSET + i` (named `witness<i+1>`). */
export const WITNESS_ACCOUNT_OFFSET = 4;

task(
  "reality-smoke",
  "Real-data validation (ECP-0093): witnesses derive from their own archives and attest; every slot is checked against what the archives dictate",
)
  .addOptionalParam(
    "archive",
    "Archive directory: one folder or .jsonl file per witness",
    DEFAULT_ARCHIVE_DIR,
    types.string,
  )
  .addOptionalParam(
    "quorum",
    "Attestations that finalize (default: strict majority of the witnesses)",
    undefined,
    types.int,
  )
  .addOptionalParam(
    "mode",
    "tx (one transaction per witness), relayed (EIP-712 signatures in batches) or both",
    DEFAULT_SMOKE_MODE,
    types.string,
  )
  .addOptionalParam("json", "Write the report as JSON to this file", undefined, types.string)
  .addFlag("skipInvalid", "Skip invalid archive lines (reported) instead of failing")
  .addOptionalParam(
    "maxTransactions",
    "Stop each mode after this many transactions, as a killed run would (resume tests)",
    undefined,
    types.int,
  )
  .setAction(async (args: Record<string, unknown>, hre) =>
    reportErrors(async () => {
      // The library loads only when the task runs, so that other tasks start fast.
      const { parseRealitySmokeOptions, realitySmokeCommand } = await import(
        "../lib/smoke/command"
      );
      const options = parseRealitySmokeOptions(args);
      if (hre.network.name !== "hardhat") {
        const config = hre.network.config;
        await preflightNetwork({
          network: hre.network.name,
          reader: createSecretReader({ env: process.env, vars }),
          url: "url" in config ? config.url : undefined,
          chainId: config.chainId,
        });
      }
      const publicClient = await hre.viem.getPublicClient();
      return await realitySmokeCommand({
        options,
        root: hre.config.paths.root,
        network: hre.network.name,
        chainId: await publicClient.getChainId(),
        prepare: (request) => prepareSmoke(hre, request),
      });
    }),
  );

/**
 * Whether any of the network's deployment records points at an address without code: the local
 * node was restarted since (a fresh anvil), so the records describe another chain.
 */
async function hasStaleRecords(
  hre: HardhatRuntimeEnvironment,
  names: readonly string[],
): Promise<boolean> {
  const dir = path.join(hre.config.paths.deployments, hre.network.name);
  const publicClient = await hre.viem.getPublicClient();
  for (const name of names) {
    const file = path.join(dir, `${name}.json`);
    if (!existsSync(file)) continue;
    const record = JSON.parse(readFileSync(file, "utf8")) as { address: Address };
    const code = await publicClient.getCode({ address: getAddress(record.address) });
    if (code === undefined || code === "0x") return true;
  }
  return false;
}

export async function prepareSmoke(
  hre: HardhatRuntimeEnvironment,
  request: { modes: SmokeMode[]; witnessCount: number; quorum: number },
): Promise<PreparedSmoke> {
  const { configuredAccountCount, localAccounts } = await import("../lib/smoke/accounts");
  const { createTransactionSender } = await import("../lib/smoke/sender");
  const { createViemLedgerPort } = await import("../lib/smoke/viem-ledger");
  const { ensureWitnessSet } = await import("../lib/smoke/witness-set");
  const { deployments } = hre;
  const tags = ["ObservationLedger"];
  const names = [
    DEPLOYMENTS.WitnessRegistry,
    DEPLOYMENTS.ObservationLedger,
    RELAYED_LEDGER_DEPLOYMENT,
  ];
  if (hre.network.name === "hardhat") {
    await deployments.fixture(tags);
  } else {
    // A persistent node: reuse what is deployed (resume); records of a restarted local node
    // point at empty addresses and are dropped (never on a live network).
    const stale = await hasStaleRecords(hre, names);
    if (stale && isLiveNetwork(hre.network.name)) {
      throw new EveryChannelError(
        `${hre.network.name}: deployment records point at addresses without code; nothing is redeployed on a live network`,
        { network: hre.network.name },
      );
    }
    await deployments.run(tags, {
      resetMemory: false,
      writeDeploymentsToFiles: true,
      deletePreviousDeployments: stale,
    });
  }
  const named = await hre.getNamedAccounts();
  const deployer = named.deployer as Address;
  const registryDeployment = await deployments.get(DEPLOYMENTS.WitnessRegistry);
  const ledgerDeployment = await deployments.get(DEPLOYMENTS.ObservationLedger);
  const ledgerDeployments = new Map<SmokeMode, typeof ledgerDeployment>();
  ledgerDeployments.set(request.modes[0]!, ledgerDeployment);
  if (request.modes.length > 1) {
    const second = await deployments.deploy(RELAYED_LEDGER_DEPLOYMENT, {
      contract: DEPLOYMENTS.ObservationLedger,
      from: deployer,
      args: [registryDeployment.address],
      log: false,
    });
    ledgerDeployments.set(request.modes[1]!, second);
  }

  // Every witness, the registry owner and the relayer sign with their own keys, in process.
  const configured = hre.network.config.accounts;
  const all = localAccounts(
    configured,
    Array.from({ length: configuredAccountCount(configured) }, (_, i) => i),
  );
  const byAddress = (name: string): LocalAccount => {
    const address = named[name];
    const found = all.find((a) => address !== undefined && a.address === getAddress(address));
    if (found === undefined) {
      throw new EveryChannelError(
        `${hre.network.name}: no key for the named account ${name} (${address ?? "unset"})`,
        { network: hre.network.name, name },
      );
    }
    return found;
  };
  const witnessKeys = all.slice(
    WITNESS_ACCOUNT_OFFSET,
    WITNESS_ACCOUNT_OFFSET + request.witnessCount,
  );
  if (witnessKeys.length < request.witnessCount) {
    throw new EveryChannelError(
      `${hre.network.name}: ${request.witnessCount} witnesses need accounts ${WITNESS_ACCOUNT_OFFSET}..${WITNESS_ACCOUNT_OFFSET + request.witnessCount - 1}, but the network configures ${all.length}`,
      { network: hre.network.name, accounts: all.length },
    );
  }
  const owner = byAddress("owner");
  const relayer = byAddress("relayer");
  const accounts = witnessKeys.map((key) => key.address);

  const config = hre.network.config;
  const publicClient =
    "url" in config
      ? createPublicClient({
          transport: http(config.url, { retryCount: 0 }),
          pollingInterval: 10,
          cacheTime: 0,
        })
      : ((await hre.viem.getPublicClient({ pollingInterval: 10, cacheTime: 0 })) as PublicClient);
  const sender = createTransactionSender({ publicClient });
  await sender.settle([owner.address, relayer.address, ...accounts]);
  const registryArtifact = await hre.artifacts.readArtifact("EveryChannelWitnessRegistry");
  const ledgerArtifact = await hre.artifacts.readArtifact("EveryChannelObservationLedger");
  const registry = { address: getAddress(registryDeployment.address), abi: registryArtifact.abi };
  await ensureWitnessSet({
    publicClient,
    registry,
    owner,
    sender,
    witnesses: accounts,
    quorum: request.quorum,
  });

  const targets = request.modes.map((mode) => {
    const deployment = ledgerDeployments.get(mode)!;
    return {
      mode,
      registry: registry.address,
      ledger: createViemLedgerPort({
        publicClient,
        ledger: { address: getAddress(deployment.address), abi: ledgerArtifact.abi },
        registry,
        accounts: [...witnessKeys, relayer],
        sender,
        fromBlock: BigInt(deployment.receipt?.blockNumber ?? 0),
      }),
    };
  });
  return { targets, accounts, relayer: relayer.address };
}
