// Operator tasks of the witness registry and the observation ledger. Each parses and checks its
// arguments, then the network (secrets, RPC URL, chain id), prints the expected L2 gas and L1 data
// fee of what it would send, and stops there with --dry-run. The logic is in lib/operator/.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

import { DEPLOYMENTS } from "../lib/deploy/context";
import { EveryChannelError } from "../lib/errors";
import { readObservationLedgerDomain } from "../lib/ledger/domain";
import { parseIntegerOption, parsePathList } from "../lib/operator/arguments";
import { dryRunAttestor, signatureAttestor, transactionAttestor } from "../lib/operator/attestors";
import { readWitnessIndex } from "../lib/operator/ledger-view";
import { formatLedgerStatus, readLedgerStatus } from "../lib/operator/ledger-status";
import { Relayer } from "../lib/operator/relayer";
import { runWitness } from "../lib/operator/witness";

import {
  formatRegistry,
  parseQuorumArgument,
  readRegistry,
  changeRegistry,
  type RegistryChange,
} from "../lib/operator/registry";
import {
  accountArgument,
  checkNetwork,
  deploymentAddress,
  publicClient,
  walletFor,
} from "./context";
import { reportErrors } from "./errors";

interface RegistryArgs {
  registry?: string;
  from: string;
  dryRun: boolean;
}

async function runRegistryChange(
  hre: HardhatRuntimeEnvironment,
  args: RegistryArgs,
  change: (hre: HardhatRuntimeEnvironment) => Promise<RegistryChange>,
): Promise<void> {
  await reportErrors(async () => {
    await checkNetwork(hre);
    const resolved = await change(hre);
    const address = await deploymentAddress(hre, "WitnessRegistry", args.registry);
    const registry = await hre.viem.getContractAt("EveryChannelWitnessRegistry", address);
    await changeRegistry({
      publicClient: await publicClient(hre),
      wallet: await walletFor(hre, args.from),
      registry: { address, abi: registry.abi },
      change: resolved,
      dryRun: args.dryRun,
      log: (line) => console.log(line),
    });
  });
}

function quorumOption(value: string | undefined): bigint | undefined {
  return value === undefined ? undefined : parseQuorumArgument(value);
}

/** Defines `witness:add` / `witness:remove`: one witness changes, the quorum may move with it. */
function witnessChangeTask(
  name: string,
  description: string,
  witnessHelp: string,
  quorumHelp: string,
  side: "add" | "remove",
): void {
  task(name, description)
    .addPositionalParam("witness", witnessHelp)
    .addOptionalParam("quorum", quorumHelp)
    .addOptionalParam("registry", "The registry address (default: the network's deployment record)")
    .addOptionalParam(
      "from",
      "The sending account: the owner, as a named account or address",
      "owner",
    )
    .addFlag("dryRun", "Print the expected L2 gas and L1 data fee and send nothing")
    .setAction(async (args: RegistryArgs & { witness: string; quorum?: string }, hre) => {
      const quorum = await reportErrors(async () => quorumOption(args.quorum));
      await runRegistryChange(hre, args, async () => ({
        kind: "witnesses",
        [side]: [await accountArgument(hre, "witness", args.witness)],
        quorum,
      }));
    });
}

witnessChangeTask(
  "witness:add",
  "Adds a witness to the registry (sent by the registry owner)",
  "The witness: an address or a named account (witness4, ...)",
  "The quorum after the change (when the current one would no longer be a strict majority)",
  "add",
);
witnessChangeTask(
  "witness:remove",
  "Removes a witness from the registry (sent by the registry owner)",
  "The witness: an address or a named account",
  "The quorum after the change (when the current one would exceed the witnesses left)",
  "remove",
);

task("quorum:set", "Sets the registry's quorum (sent by the registry owner)")
  .addPositionalParam(
    "quorum",
    "The new quorum: a strict majority of the witnesses, at most their number",
  )
  .addOptionalParam("registry", "The registry address (default: the network's deployment record)")
  .addOptionalParam(
    "from",
    "The sending account: the owner, as a named account or address",
    "owner",
  )
  .addFlag("dryRun", "Print the expected L2 gas and L1 data fee and send nothing")
  .setAction(async (args: RegistryArgs & { quorum: string }, hre) => {
    const quorum = await reportErrors(async () => parseQuorumArgument(args.quorum));
    await runRegistryChange(hre, args, async () => ({ kind: "witnesses", quorum }));
  });

task("ownership:transfer", "Proposes a new registry owner (step one of two; sent by the owner)")
  .addPositionalParam("to", "The new owner: an address or a named account")
  .addOptionalParam("registry", "The registry address (default: the network's deployment record)")
  .addOptionalParam(
    "from",
    "The sending account: the owner, as a named account or address",
    "owner",
  )
  .addFlag("dryRun", "Print the expected L2 gas and L1 data fee and send nothing")
  .setAction(async (args: RegistryArgs & { to: string }, hre) => {
    await runRegistryChange(hre, args, async () => ({
      kind: "transfer-ownership",
      newOwner: await accountArgument(hre, "to", args.to),
    }));
  });

task("ownership:accept", "Accepts the registry's ownership (step two; sent by the proposed owner)")
  .addOptionalParam("registry", "The registry address (default: the network's deployment record)")
  .addParam("from", "The sending account: the proposed owner, as a named account or address")
  .addFlag("dryRun", "Print the expected L2 gas and L1 data fee and send nothing")
  .setAction(async (args: RegistryArgs, hre) => {
    await runRegistryChange(hre, args, async () => ({ kind: "accept-ownership" }));
  });

task("registry:show", "Prints the registry's owner, witnesses and quorum")
  .addOptionalParam("registry", "The registry address (default: the network's deployment record)")
  .addFlag("json", "Print JSON instead of text")
  .setAction(async (args: { registry?: string; json: boolean }, hre) => {
    await reportErrors(async () => {
      await checkNetwork(hre);
      const address = await deploymentAddress(hre, "WitnessRegistry", args.registry);
      const registry = await hre.viem.getContractAt("EveryChannelWitnessRegistry", address);
      const state = await readRegistry(await publicClient(hre), { address, abi: registry.abi });
      if (args.json)
        console.log(
          JSON.stringify(state, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2),
        );
      else for (const line of formatRegistry(state)) console.log(line);
    });
  });

interface LedgerArgs {
  ledger?: string;
  from: string;
  dryRun: boolean;
}

/** The ledger (from its deployment record or --ledger) and the registry it reads. */
async function ledgerAndRegistry(hre: HardhatRuntimeEnvironment, override: string | undefined) {
  const address = await deploymentAddress(hre, "ObservationLedger", override);
  const ledger = await hre.viem.getContractAt("EveryChannelObservationLedger", address);
  const client = await publicClient(hre);
  const registryAddress = await client.readContract({
    address,
    abi: ledger.abi,
    functionName: "registry",
  });
  const registry = await hre.viem.getContractAt("EveryChannelWitnessRegistry", registryAddress);
  return {
    client,
    ledger: { address, abi: ledger.abi },
    registry: { address: registryAddress, abi: registry.abi },
  };
}

function stopSignal(): AbortSignal {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return controller.signal;
}

task(
  "witness:run",
  "Follows an archive file and attests each new epoch once (by transaction or by signing for a relayer)",
)
  .addParam(
    "archive",
    "The archive file (every.channel/archive/epoch/v1 JSON lines) the capture node appends to",
  )
  .addOptionalParam(
    "signTo",
    "Sign observations into this folder for a relayer instead of sending transactions",
  )
  .addOptionalParam(
    "state",
    "Folder for the cursor and the journal (default: <archive>.witness/<network>-<address>)",
  )
  .addOptionalParam("window", "Epochs held per stream so that repairs can supersede them", "32")
  .addOptionalParam(
    "idleFlush",
    "Release held epochs after the archive has been idle this many milliseconds",
  )
  .addOptionalParam(
    "hold",
    "Transaction mode: milliseconds later epochs of a stream wait behind an earlier epoch this witness attested that other witnesses have yet to attest",
    "30000",
  )
  .addOptionalParam("poll", "Milliseconds between checks of the archive", "500")
  .addOptionalParam("ledger", "The ledger address (default: the network's deployment record)")
  .addOptionalParam("from", "The witness account: a named account or address", "witness")
  .addFlag("once", "Stop once the archive is read to its end and everything is attested")
  .addFlag(
    "dryRun",
    "Read the archive to its end, print each attestation's expected L2 gas and L1 data fee, send and write nothing",
  )
  .setAction(
    async (
      args: LedgerArgs & {
        archive: string;
        signTo?: string;
        state?: string;
        window: string;
        idleFlush?: string;
        hold: string;
        poll: string;
        once: boolean;
      },
      hre,
    ) => {
      await reportErrors(async () => {
        const holdMs = parseIntegerOption("hold", args.hold, 0, 86_400_000);
        const window = parseIntegerOption("window", args.window, 1, 10_000);
        const pollIntervalMs = parseIntegerOption("poll", args.poll, 10, 3_600_000);
        const idleFlushMs =
          args.idleFlush === undefined
            ? undefined
            : parseIntegerOption("idle-flush", args.idleFlush, 10);
        if (args.dryRun && args.signTo !== undefined) {
          throw new EveryChannelError(
            "--dry-run sends nothing, but --sign-to writes signatures: use one or the other",
            {},
          );
        }
        await checkNetwork(hre, args.from === "witness" ? ["WITNESS_PRIVATE_KEY"] : []);
        const wallet = await walletFor(hre, args.from);
        const { client, ledger, registry } = await ledgerAndRegistry(hre, args.ledger);
        const me = wallet.account.address;
        const active = await client.readContract({
          address: registry.address,
          abi: registry.abi,
          functionName: "isWitness",
          args: [me],
        });
        if (!active) {
          throw new EveryChannelError(
            `${me} is not an active witness of registry ${registry.address} (the owner adds it with witness:add); nothing was sent`,
            {
              witness: me,
            },
          );
        }
        const log = (line: string): void => console.log(line);
        const dryRun = args.dryRun;
        const stateDir = dryRun
          ? await mkdtemp(path.join(tmpdir(), "witness-dry-run-"))
          : (args.state ??
            `${args.archive}.witness${path.sep}${hre.network.name}-${me.toLowerCase()}`);
        const attestor =
          args.signTo !== undefined
            ? signatureAttestor({
                wallet,
                domain: await readObservationLedgerDomain(client, ledger.address),
                outbox: args.signTo,
                log,
              })
            : dryRun
              ? dryRunAttestor({ publicClient: client, wallet, ledger, log })
              : transactionAttestor({ publicClient: client, wallet, ledger, log });
        try {
          const result = await runWitness({
            client,
            ledger,
            witnessIndex: await readWitnessIndex(client, registry, me),
            attestor,
            registry,
            holdMs: dryRun ? 0 : holdMs,
            log,
            archive: args.archive,
            stateDir,
            window,
            idleFlushMs,
            pollIntervalMs,
            stopAtEnd: args.once || dryRun,
            signal: stopSignal(),
          });
          log(`witness: stopped; ${JSON.stringify(result.counters)}`);
        } finally {
          if (dryRun) await rm(stateDir, { recursive: true, force: true });
        }
      });
    },
  );

task("relayer:run", "Collects witness signature files and submits them to the ledger in batches")
  .addParam(
    "signatures",
    "Comma-separated folders (every *.json inside) and files witnesses write signatures to",
  )
  .addOptionalParam("maxBatch", "Most observations per transaction", "32")
  .addOptionalParam(
    "hold",
    "Milliseconds later epochs of a stream wait for an earlier epoch that can still reach quorum",
    "30000",
  )
  .addOptionalParam("poll", "Milliseconds between rounds", "2000")
  .addOptionalParam("ledger", "The ledger address (default: the network's deployment record)")
  .addOptionalParam("from", "The relayer account: a named account or address", "relayer")
  .addFlag("once", "Run one round and stop")
  .addFlag(
    "dryRun",
    "Run one round printing each batch's expected L2 gas and L1 data fee; send nothing",
  )
  .setAction(
    async (
      args: LedgerArgs & {
        signatures: string;
        maxBatch: string;
        hold: string;
        poll: string;
        once: boolean;
      },
      hre,
    ) => {
      await reportErrors(async () => {
        const sources = parsePathList("signatures", args.signatures);
        const maxBatch = parseIntegerOption("max-batch", args.maxBatch, 1, 1_000);
        const holdMs = parseIntegerOption("hold", args.hold, 0, 86_400_000);
        const pollIntervalMs = parseIntegerOption("poll", args.poll, 10, 3_600_000);
        await checkNetwork(hre, args.from === "relayer" ? ["RELAYER_PRIVATE_KEY"] : []);
        const wallet = await walletFor(hre, args.from);
        const { client, ledger, registry } = await ledgerAndRegistry(hre, args.ledger);
        const log = (line: string): void => console.log(line);
        const relayer = new Relayer({
          publicClient: client,
          wallet,
          ledger,
          registry,
          domain: await readObservationLedgerDomain(client, ledger.address),
          sources,
          maxBatch,
          holdMs,
          dryRun: args.dryRun,
          log,
        });
        const signal = stopSignal();
        log(`relayer: collecting from ${sources.join(", ")} for ledger ${ledger.address}`);
        for (;;) {
          await relayer.collectAndSubmit();
          if (args.once || args.dryRun || signal.aborted) break;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, pollIntervalMs);
            signal.addEventListener("abort", () => {
              clearTimeout(timer);
              resolve();
            });
          });
          if (signal.aborted) break;
        }
        log(`relayer: stopped; ${JSON.stringify(relayer.counters)}`);
      });
    },
  );

task(
  "ledger:status",
  "Prints each stream's finalized head, open and contested slots, and equivocations",
)
  .addOptionalParam("ledger", "The ledger address (default: the network's deployment record)")
  .addOptionalParam("fromBlock", "First block to read events from (default: the deployment block)")
  .addFlag("json", "Print JSON instead of text")
  .setAction(async (args: { ledger?: string; fromBlock?: string; json: boolean }, hre) => {
    await reportErrors(async () => {
      const explicitFrom =
        args.fromBlock === undefined
          ? undefined
          : BigInt(parseIntegerOption("from-block", args.fromBlock, 0));
      await checkNetwork(hre);
      const { client, ledger } = await ledgerAndRegistry(hre, args.ledger);
      let fromBlock = explicitFrom ?? 0n;
      if (explicitFrom === undefined && args.ledger === undefined) {
        const record = await hre.deployments.getOrNull(DEPLOYMENTS.ObservationLedger);
        if (record?.receipt?.blockNumber !== undefined)
          fromBlock = BigInt(record.receipt.blockNumber);
      }
      const status = await readLedgerStatus({ client, ledger, fromBlock });
      if (args.json)
        console.log(
          JSON.stringify(status, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2),
        );
      else for (const line of formatLedgerStatus(status)) console.log(line);
    });
  });
