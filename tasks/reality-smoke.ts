// `reality-smoke` (ECP-0093 "Real-data validation"): deploys (or reuses) the registry and ledger
// through the project's deploy scripts, registers the archive's witnesses, runs one witness node per
// witness (and a relayer) on its own archive, and checks every slot against what the archives
// dictate. The work is in lib/smoke/ and lib/operator/; this file supplies the Hardhat pieces
// (deployments, wallets, clients).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import { task, types, vars } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { createPublicClient, getAddress, http, type Address, type PublicClient } from "viem";

import { DEPLOYMENTS } from "../lib/deploy/context";
import { isLiveNetwork } from "../lib/deploy/network-definitions";
import { preflightNetwork } from "../lib/deploy/preflight";
import { EveryChannelError } from "../lib/errors";
import { createSecretReader } from "../lib/secrets/reader";
import type { LedgerRef, RegistryRef } from "../lib/operator/contracts";
import type { PreparedSmoke } from "../lib/smoke/command";
import { DEFAULT_ARCHIVE_DIR, DEFAULT_SMOKE_MODE } from "../lib/smoke/defaults";
import type { SmokeMode } from "../lib/smoke/report";
import type { SmokeTarget } from "../lib/smoke/run";
import { walletFor } from "./context";
import { reportErrors } from "./errors";

/** Deployment record of the second ledger `--mode all` (or `both`) runs its second mode on. */
export const RELAYED_LEDGER_DEPLOYMENT = "RealitySmokeRelayedLedger";
/** Deployment record of the third ledger `--mode all` runs report mode on. */
export const REPORT_LEDGER_DEPLOYMENT = "RealitySmokeReportLedger";
/** Witness i of the archive uses dev account `WITNESS_ACCOUNT_OFFSET + i` (named `witness<i+1>`). */
export const WITNESS_ACCOUNT_OFFSET = 4;

task(
  "reality-smoke",
  "Real-data validation (ECP-0093): one witness node per archive witness and a relayer attest on a fresh ledger; every slot is checked against what the archives dictate",
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
    "tx (each witness node attests by transaction), relayed (witness nodes sign, a relayer submits), report (the relayer submits co-signed reports, the rest relayed), all (the three, each on its own ledger) or both (tx and relayed)",
    DEFAULT_SMOKE_MODE,
    types.string,
  )
  .addOptionalParam("json", "Write the report as JSON to this file", undefined, types.string)
  .addOptionalParam(
    "log",
    "Write what the witness nodes and the relayer log to this file",
    undefined,
    types.string,
  )
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
  const { readRegistry, changeRegistry } = await import("../lib/operator/registry");
  const { deployments } = hre;
  const tags = ["ObservationLedger"];
  const names = [
    DEPLOYMENTS.WitnessRegistry,
    DEPLOYMENTS.ObservationLedger,
    RELAYED_LEDGER_DEPLOYMENT,
    REPORT_LEDGER_DEPLOYMENT,
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
  const registryDeployment = await deployments.get(DEPLOYMENTS.WitnessRegistry);
  const ledgerDeployment = await deployments.get(DEPLOYMENTS.ObservationLedger);
  const ledgerDeployments = new Map<SmokeMode, typeof ledgerDeployment>();
  ledgerDeployments.set(request.modes[0]!, ledgerDeployment);
  // Each further mode on a ledger of its own.
  for (const [i, record] of [RELAYED_LEDGER_DEPLOYMENT, REPORT_LEDGER_DEPLOYMENT].entries()) {
    const mode = request.modes[i + 1];
    if (mode === undefined) break;
    const deployed = await deployments.deploy(record, {
      contract: DEPLOYMENTS.ObservationLedger,
      from: named.deployer!,
      args: [registryDeployment.address],
      log: false,
    });
    ledgerDeployments.set(mode, deployed);
  }

  // Every witness, the registry owner and the relayer send and sign from their own account, with
  // the wallets the operator tasks use (keys from the network's configured accounts).
  const available = (await hre.network.provider.request({ method: "eth_accounts" })) as string[];
  if (available.length < WITNESS_ACCOUNT_OFFSET + request.witnessCount) {
    throw new EveryChannelError(
      `${hre.network.name}: ${request.witnessCount} witnesses need accounts ${WITNESS_ACCOUNT_OFFSET}..${WITNESS_ACCOUNT_OFFSET + request.witnessCount - 1}, but the network configures ${available.length}`,
      { network: hre.network.name, accounts: available.length },
    );
  }
  const witnessWallets = await Promise.all(
    available
      .slice(WITNESS_ACCOUNT_OFFSET, WITNESS_ACCOUNT_OFFSET + request.witnessCount)
      .map((address) => walletFor(hre, getAddress(address))),
  );
  const owner = await walletFor(hre, "owner");
  const relayerWallet = await walletFor(hre, "relayer");

  const config = hre.network.config;
  const publicClient =
    "url" in config
      ? createPublicClient({
          transport: http(config.url, { retryCount: 0 }),
          pollingInterval: 10,
          cacheTime: 0,
        })
      : ((await hre.viem.getPublicClient({ pollingInterval: 10, cacheTime: 0 })) as PublicClient);
  const registryArtifact = await hre.artifacts.readArtifact("EveryChannelWitnessRegistry");
  const ledgerArtifact = await hre.artifacts.readArtifact("EveryChannelObservationLedger");
  const registry: RegistryRef = {
    address: getAddress(registryDeployment.address),
    abi: registryArtifact.abi as RegistryRef["abi"],
  };

  // The archive's witnesses, and no other, with the smoke's quorum (nothing sent when the
  // registry already says so: a resumed run).
  const state = await readRegistry(publicClient, registry);
  const want = witnessWallets.map((w) => getAddress(w.account.address));
  const add = want.filter((w) => !state.witnesses.includes(w));
  const remove = state.witnesses.filter((w) => !want.includes(w));
  const quorum = BigInt(request.quorum);
  if (add.length > 0 || remove.length > 0 || state.quorum !== quorum) {
    await changeRegistry({
      publicClient,
      wallet: owner,
      registry,
      change: { kind: "witnesses", add, remove, quorum },
      dryRun: false,
      log: () => undefined,
    });
  }

  const targets: SmokeTarget[] = request.modes.map((mode) => {
    const deployment = ledgerDeployments.get(mode)!;
    return {
      mode,
      registry,
      ledger: {
        address: getAddress(deployment.address),
        abi: ledgerArtifact.abi as LedgerRef["abi"],
      },
      fromBlock: BigInt(deployment.receipt?.blockNumber ?? 0),
    };
  });
  return { targets, publicClient, witnessWallets, relayerWallet };
}
