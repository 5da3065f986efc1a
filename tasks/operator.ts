// Operator tasks of the witness registry and the observation ledger. Each parses and checks its
// arguments, then the network (secrets, RPC URL, chain id), prints the expected L2 gas and L1 data
// fee of what it would send, and stops there with --dry-run. The logic is in lib/operator/.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

import { printJson, printLines, toPrintableJson } from "../lib/cli/output";
import { sleepUnlessStopped, stopSignal } from "../lib/cli/signals";
import { deploymentRecord } from "../lib/deploy/context";
import { EveryChannelError, InvalidFieldError } from "../lib/errors";
import { ExchangeClient, parseExchangeUrl } from "../lib/exchange/client";
import { DEFAULT_REPORT_TIMEOUT_MS, exchangeCollector } from "../lib/exchange/collector";
import { Exchange } from "../lib/exchange/exchange";
import { parseListenOption } from "../lib/exchange/listen";
import { EXCHANGE_DEFAULTS, startExchangeServer } from "../lib/exchange/server";
import { registryWitnesses } from "../lib/exchange/verify";
import { exchangeAttestor, runReportCoSigning } from "../lib/exchange/witness-client";
import { createLedgerClient } from "../lib/ledger/client";
import { checkArchiveArgument, parseIntegerOption, parsePathList } from "../lib/operator/arguments";
import { dryRunAttestor, signatureAttestor, transactionAttestor } from "../lib/operator/attestors";
import { IndexerClient, parseIndexerUrl, readLedgerStatusFromIndexer } from "../lib/indexer/client";
import { formatLedgerStatus, readLedgerStatus } from "../lib/operator/ledger-status";
import { Relayer } from "../lib/operator/relayer";
import { witnessReportCoSigner } from "../lib/operator/report-cosigner";
import { WitnessJournal } from "../lib/operator/witness-journal";
import { runWitness } from "../lib/operator/witness";
import {
  changeRegistry,
  formatRegistry,
  parseQuorumArgument,
  readRegistry,
  type RegistryChange,
} from "../lib/operator/registry";
import {
  accountArgument,
  checkNetwork,
  checkNetworkToSend,
  deployedContract,
  ledgerAndRegistry,
  publicClient,
  walletFor,
} from "./context";
import {
  addressOption,
  dryRunOption,
  fromOption,
  indexerOption,
  jsonOption,
  ownerSends,
  taskAction,
  withOptions,
  type AddressArgs,
  type IndexerArgs,
  type JsonArgs,
  type SenderArgs,
} from "./options";

type RegistryArgs = AddressArgs<"WitnessRegistry"> & SenderArgs;

/** Checks the network, then sends (or with --dry-run prices) `change` as `--from`. */
async function runRegistryChange(
  hre: HardhatRuntimeEnvironment,
  args: RegistryArgs,
  change: RegistryChange,
): Promise<void> {
  await checkNetworkToSend(hre, args.from);
  const client = await publicClient(hre);
  const registry = await deployedContract(hre, client, "WitnessRegistry", args.registry);
  await changeRegistry({
    publicClient: client,
    wallet: await walletFor(hre, args.from),
    registry,
    change,
    dryRun: args.dryRun,
    log: (line) => console.log(line),
  });
}

/** Defines `witness:add` / `witness:remove`: one witness changes, the quorum may move with it. */
function witnessChangeTask(
  name: string,
  description: string,
  witnessHelp: string,
  quorumHelp: string,
  side: "add" | "remove",
): void {
  withOptions(
    task(name, description)
      .addPositionalParam("witness", witnessHelp)
      .addOptionalParam("quorum", quorumHelp),
    ...ownerSends,
  ).setAction(
    taskAction(async (args: RegistryArgs & { witness: string; quorum?: string }, hre) => {
      const quorum = args.quorum === undefined ? undefined : parseQuorumArgument(args.quorum);
      const witness = await accountArgument(hre, "witness", args.witness);
      await runRegistryChange(hre, args, { kind: "witnesses", [side]: [witness], quorum });
    }),
  );
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

withOptions(
  task(
    "witness:rotate",
    "Replaces a witness's key, keeping its index; the old key is retired for good (sent by the registry owner)",
  )
    .addPositionalParam(
      "witness",
      "The active witness key to retire: an address or a named account",
    )
    .addPositionalParam("newKey", "The new key: an address that never was a witness"),
  ...ownerSends,
).setAction(
  taskAction(async (args: RegistryArgs & { witness: string; newKey: string }, hre) => {
    const previousKey = await accountArgument(hre, "witness", args.witness);
    const newKey = await accountArgument(hre, "new-key", args.newKey);
    await runRegistryChange(hre, args, { kind: "rotate", previousKey, newKey });
  }),
);

withOptions(
  task("quorum:set", "Sets the registry's quorum (sent by the registry owner)").addPositionalParam(
    "quorum",
    "The new quorum: a strict majority of the witnesses, at most their number",
  ),
  ...ownerSends,
).setAction(
  taskAction(async (args: RegistryArgs & { quorum: string }, hre) => {
    const quorum = parseQuorumArgument(args.quorum);
    await runRegistryChange(hre, args, { kind: "witnesses", quorum });
  }),
);

withOptions(
  task(
    "ownership:transfer",
    "Proposes a new registry owner (step one of two; sent by the owner)",
  ).addPositionalParam("to", "The new owner: an address or a named account"),
  ...ownerSends,
).setAction(
  taskAction(async (args: RegistryArgs & { to: string }, hre) => {
    const newOwner = await accountArgument(hre, "to", args.to);
    await runRegistryChange(hre, args, { kind: "transfer-ownership", newOwner });
  }),
);

withOptions(
  task(
    "ownership:accept",
    "Accepts the registry's ownership (step two; sent by the proposed owner)",
  ),
  addressOption("WitnessRegistry"),
  fromOption("The sending account: the proposed owner, as a named account or address", {
    required: true,
  }),
  dryRunOption(),
).setAction(
  taskAction(async (args: RegistryArgs, hre) => {
    await runRegistryChange(hre, args, { kind: "accept-ownership" });
  }),
);

withOptions(
  task("registry:show", "Prints the registry's owner, witnesses and quorum"),
  addressOption("WitnessRegistry"),
  jsonOption,
).setAction(
  taskAction(async (args: AddressArgs<"WitnessRegistry"> & JsonArgs, hre) => {
    await checkNetwork(hre);
    const client = await publicClient(hre);
    const registry = await deployedContract(hre, client, "WitnessRegistry", args.registry);
    const state = await readRegistry(client, registry);
    if (args.json) await printJson(state);
    else await printLines(formatRegistry(state));
  }),
);

type LedgerSenderArgs = AddressArgs<"ObservationLedger"> & SenderArgs;

/** Checks the network for `--from`, then opens its wallet, the ledger and its registry. */
async function ledgerSender(hre: HardhatRuntimeEnvironment, args: LedgerSenderArgs) {
  await checkNetworkToSend(hre, args.from);
  const wallet = await walletFor(hre, args.from);
  const { client, ledger, registry } = await ledgerAndRegistry(hre, args.ledger);
  const chain = createLedgerClient({
    publicClient: client,
    walletClient: wallet,
    ledger,
    registry,
  });
  return { wallet, client, ledger, registry, chain };
}

withOptions(
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
      "exchange",
      "Sign observations and post them to this relayer exchange URL (relayer:run --listen), and answer its report proposals, instead of sending transactions",
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
    .addOptionalParam("poll", "Milliseconds between checks of the archive", "500"),
  addressOption("ObservationLedger"),
  fromOption("The witness account: a named account or address", { default: "witness" }),
  (definition) =>
    definition.addFlag(
      "once",
      "Stop once the archive is read to its end and everything is attested",
    ),
  dryRunOption(
    "Read the archive to its end, print each attestation's expected L2 gas and L1 data fee, send and write nothing",
  ),
).setAction(
  taskAction(
    async (
      args: LedgerSenderArgs & {
        archive: string;
        signTo?: string;
        exchange?: string;
        state?: string;
        window: string;
        idleFlush?: string;
        hold: string;
        poll: string;
        once: boolean;
      },
      hre,
    ) => {
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
      const exchangeUrl =
        args.exchange === undefined ? undefined : parseExchangeUrl("exchange", args.exchange);
      if (exchangeUrl !== undefined && (args.signTo !== undefined || args.dryRun)) {
        throw new EveryChannelError(
          `--exchange posts signatures to a relayer: use it without ${args.dryRun ? "--dry-run" : "--sign-to"}`,
          {},
        );
      }
      const dryRun = args.dryRun;
      const stopAtEnd = args.once || dryRun;
      await checkArchiveArgument("archive", args.archive, { stopAtEnd });
      const { wallet, client, ledger, registry, chain } = await ledgerSender(hre, args);
      const me = wallet.account.address;
      if (!(await chain.isWitness(me))) {
        throw new EveryChannelError(
          `${me} is not an active witness of registry ${registry.address} (the owner adds it with witness:add); nothing was sent`,
          { witness: me },
        );
      }
      const log = (line: string): void => console.log(line);
      const stateDir = dryRun
        ? await mkdtemp(path.join(tmpdir(), "witness-dry-run-"))
        : (args.state ??
          `${args.archive}.witness${path.sep}${hre.network.name}-${me.toLowerCase()}`);
      const signal = stopSignal();
      // Ends the report co-signing loop with the witness (stop requested, or --once done).
      const finished = new AbortController();
      const domain =
        args.signTo !== undefined || exchangeUrl !== undefined ? await chain.domain() : undefined;
      const exchange =
        exchangeUrl === undefined ? undefined : new ExchangeClient({ url: exchangeUrl });
      const attestor =
        exchange !== undefined
          ? exchangeAttestor({ wallet, domain: domain!, client: exchange, log, signal })
          : args.signTo !== undefined
            ? signatureAttestor({
                wallet,
                domain: domain!,
                outbox: args.signTo,
                log,
              })
            : dryRun
              ? dryRunAttestor({ ledger: chain, log })
              : transactionAttestor({ ledger: chain, log });
      // One journal instance: what the node journals, its report co-signer sees at once.
      const journal = await WitnessJournal.open(path.join(stateDir, "journal.jsonl"));
      const coSigning =
        exchange === undefined
          ? undefined
          : runReportCoSigning({
              client: exchange,
              coSigner: witnessReportCoSigner({
                witness: me,
                signer: wallet,
                domain: domain!,
                journal,
                log,
              }),
              domain: domain!,
              log,
              signal: AbortSignal.any([signal, finished.signal]),
            });
      try {
        const result = await runWitness({
          client,
          ledger,
          witnessIndex: await chain.witnessIndex(me),
          attestor,
          registry,
          holdMs: dryRun ? 0 : holdMs,
          log,
          archive: args.archive,
          stateDir,
          journal,
          window,
          idleFlushMs,
          pollIntervalMs,
          stopAtEnd,
          signal,
        });
        finished.abort();
        const reports = await coSigning;
        log(
          `witness: stopped; ${toPrintableJson(reports === undefined ? result.counters : { ...result.counters, reports })}`,
        );
      } finally {
        finished.abort();
        await coSigning?.catch(() => undefined);
        if (dryRun) await rm(stateDir, { recursive: true, force: true });
      }
    },
  ),
);

withOptions(
  task(
    "relayer:run",
    "Collects witness signatures (files, and over HTTP with --listen) and submits them to the ledger in batches",
  )
    .addOptionalParam(
      "signatures",
      "Comma-separated folders (every *.json inside) and files witnesses write signatures to",
    )
    .addOptionalParam(
      "listen",
      "Serve the exchange (witnesses post signatures and answer report proposals over HTTP) on host:port; loopback unless a host is given",
    )
    .addOptionalParam(
      "state",
      "Folder of the exchange's journal (default: relayer.state/<network>-<ledger>)",
    )
    .addOptionalParam(
      "rateLimit",
      "Exchange: requests per second each client address may make (bursts of four times as many)",
      String(EXCHANGE_DEFAULTS.ratePerSecond),
    )
    .addOptionalParam(
      "reportTimeout",
      "With --reports: milliseconds to wait for witnesses' co-signatures of one proposed report",
      String(DEFAULT_REPORT_TIMEOUT_MS),
    )
    .addOptionalParam("maxBatch", "Most observations per transaction", "32")
    .addOptionalParam(
      "hold",
      "Milliseconds later epochs of a stream wait for an earlier epoch that can still reach quorum",
      "30000",
    )
    .addOptionalParam("poll", "Milliseconds between rounds", "2000"),
  addressOption("ObservationLedger"),
  fromOption("The relayer account: a named account or address", { default: "relayer" }),
  (definition) =>
    definition
      .addFlag("once", "Run one round and stop")
      .addFlag(
        "reports",
        "Report mode (needs --listen): propose what the signatures show a quorum for as co-signed reports to the witnesses over the exchange, submit those a quorum co-signed",
      )
      .addFlag(
        "trustProxy",
        "Exchange: rate-limit by the last X-Forwarded-For address (only behind a reverse proxy)",
      ),
  dryRunOption("Run one round printing each batch's expected L2 gas and L1 data fee; send nothing"),
).setAction(
  taskAction(
    async (
      args: LedgerSenderArgs & {
        signatures?: string;
        listen?: string;
        state?: string;
        rateLimit: string;
        trustProxy: boolean;
        reports: boolean;
        reportTimeout: string;
        maxBatch: string;
        hold: string;
        poll: string;
        once: boolean;
      },
      hre,
    ) => {
      if (args.signatures === undefined && args.listen === undefined)
        throw new InvalidFieldError(
          "signatures",
          undefined,
          "give the folders to collect from, or --listen for the exchange (or both)",
        );
      const sources =
        args.signatures === undefined ? [] : parsePathList("signatures", args.signatures);
      const listen =
        args.listen === undefined ? undefined : parseListenOption("listen", args.listen);
      if (args.reports && listen === undefined)
        throw new InvalidFieldError(
          "reports",
          true,
          "witnesses co-sign reports over the exchange: give --listen host:port too",
        );
      const reportTimeoutMs = parseIntegerOption(
        "report-timeout",
        args.reportTimeout,
        100,
        3_600_000,
      );
      const ratePerSecond = parseIntegerOption("rate-limit", args.rateLimit, 1, 1_000_000);
      const maxBatch = parseIntegerOption("max-batch", args.maxBatch, 1, 1_000);
      const holdMs = parseIntegerOption("hold", args.hold, 0, 86_400_000);
      const pollIntervalMs = parseIntegerOption("poll", args.poll, 10, 3_600_000);
      const { wallet, client, ledger, registry, chain } = await ledgerSender(hre, args);
      const log = (line: string): void => console.log(line);
      const domain = await chain.domain();
      const witnesses = registryWitnesses({ client, registry });
      let exchange: Exchange | undefined;
      const relayer = new Relayer({
        publicClient: client,
        wallet,
        ledger,
        registry,
        domain,
        sources,
        maxBatch,
        holdMs,
        dryRun: args.dryRun,
        log,
        // The exchange opens below, after the relayer it replays its journal's signatures into.
        reports: args.reports
          ? {
              collector: exchangeCollector({ exchange: () => exchange, witnesses }),
              timeoutMs: reportTimeoutMs,
            }
          : undefined,
      });
      const signal = stopSignal();
      let server: Awaited<ReturnType<typeof startExchangeServer>> | undefined;
      try {
        if (listen !== undefined) {
          exchange = await Exchange.open({
            client,
            domain,
            witnesses,
            sink: relayer,
            journalFile: path.join(
              args.state ??
                path.join("relayer.state", `${hre.network.name}-${ledger.address.toLowerCase()}`),
              "exchange-journal.jsonl",
            ),
            log,
            relayerPending: () => relayer.pendingCount,
          });
          server = await startExchangeServer({
            exchange,
            host: listen.host,
            port: listen.port,
            ratePerSecond,
            burst: ratePerSecond * 4,
            trustProxy: args.trustProxy,
            log,
          });
          log(
            `relayer: exchange listening on ${server.url} (journal ${exchange.journalFile})${args.reports ? `; report mode, ${reportTimeoutMs} ms per proposal` : ""}`,
          );
        }
        if (sources.length > 0)
          log(`relayer: collecting from ${sources.join(", ")} for ledger ${ledger.address}`);
        for (;;) {
          await relayer.collectAndSubmit();
          if (args.once || args.dryRun || signal.aborted) break;
          await sleepUnlessStopped(pollIntervalMs, signal);
          if (signal.aborted) break;
        }
      } finally {
        await server?.close();
        await exchange?.close();
      }
      log(`relayer: stopped; ${toPrintableJson(relayer.counters)}`);
    },
  ),
);

withOptions(
  task(
    "ledger:status",
    "Prints each stream's finalized head, open and contested slots, and equivocations",
  ),
  addressOption("ObservationLedger"),
  (definition) =>
    definition.addOptionalParam(
      "fromBlock",
      "First block to read events from (default: the deployment block)",
    ),
  indexerOption,
  jsonOption,
).setAction(
  taskAction(
    async (
      args: AddressArgs<"ObservationLedger"> & JsonArgs & IndexerArgs & { fromBlock?: string },
      hre,
    ) => {
      const explicitFrom =
        args.fromBlock === undefined
          ? undefined
          : BigInt(parseIntegerOption("from-block", args.fromBlock, 0));
      const indexer = args.indexer === undefined ? undefined : parseIndexerUrl(args.indexer);
      await checkNetwork(hre);
      const { client, ledger, registry } = await ledgerAndRegistry(hre, args.ledger);
      if (indexer !== undefined) {
        // The indexer answers from its tables; the ledger's address only checks it is the same one.
        const status = await readLedgerStatusFromIndexer(
          new IndexerClient(indexer),
          ledger.address,
        );
        if (args.json) await printJson(status);
        else
          await printLines([
            ...formatLedgerStatus(status),
            `  answered by the indexer at ${indexer}; chain finalized up to block ${status.finalizedBlock}`,
          ]);
        return;
      }
      let fromBlock = explicitFrom ?? 0n;
      if (explicitFrom === undefined && args.ledger === undefined) {
        const record = await deploymentRecord(hre, "ObservationLedger");
        if (record?.receipt?.blockNumber !== undefined)
          fromBlock = BigInt(record.receipt.blockNumber);
      }
      const status = await readLedgerStatus({
        ledger: createLedgerClient({ publicClient: client, ledger, registry }),
        fromBlock,
      });
      if (args.json) await printJson(status);
      else await printLines(formatLedgerStatus(status));
    },
  ),
);
