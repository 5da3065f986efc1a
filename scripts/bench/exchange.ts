/**
 * `npx hardhat run scripts/bench/exchange.ts`: the relayer exchange's figures, on loopback, with a
 * registry of 7 witnesses (quorum 4) on the in-process Hardhat network.
 *
 * - Intake: autocannon posts distinct valid signature files by the 7 witnesses to
 *   `POST /v1/signatures` as fast as the server answers; each is checked (schema, domain, active
 *   witness, ECDSA recovery), journaled with fsync (group commit) and handed to a real `Relayer`
 *   (whose `offer` checks the signature again through the node). Once more with a sink that only
 *   counts, to separate the exchange's cost from the relayer's.
 * - Report round trip: the relayer's collector proposes a report of 32 epochs; 7 witness loops
 *   (long-polling `GET /v1/proposals`, signing with `signReport`, posting the co-signature) answer;
 *   the time from proposing to the 4th co-signature, over `ROUNDS` reports.
 *
 * Prints the figures and writes `reports/exchange.json` and `reports/EXCHANGE.md`. Everything runs
 * in one process on one machine: client, server and witnesses share its CPUs.
 * `EXCHANGE_BENCH_PER_WITNESS` (default 300) and `EXCHANGE_BENCH_ROUNDS` (default 100) scale it.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";

import autocannon from "autocannon";
import hre from "hardhat";
import { getAddress, keccak256, toHex, type Address, type Hex, type PublicClient } from "viem";
import { mnemonicToAccount, type HDAccount } from "viem/accounts";

import { contentHash, observationSlot } from "../../lib/commitments/observation";
import { DEPLOYMENTS } from "../../lib/deploy/context";
import { DEV_MNEMONIC } from "../../lib/deploy/network-definitions";
import { LOCAL_NAMED_ACCOUNT_INDEX } from "../../lib/deploy/hardhat-config";
import { ExchangeClient } from "../../lib/exchange/client";
import { exchangeCollector } from "../../lib/exchange/collector";
import { Exchange, type SignatureSink } from "../../lib/exchange/exchange";
import { startExchangeServer } from "../../lib/exchange/server";
import { registryWitnesses } from "../../lib/exchange/verify";
import { runReportCoSigning } from "../../lib/exchange/witness-client";
import { readObservationLedgerDomain } from "../../lib/ledger/domain";
import { reportOf, signReport } from "../../lib/ledger/report";
import { signObservation, type ObservationLedgerDomain } from "../../lib/ledger/typedData";
import type { LedgerRef, RegistryRef } from "../../lib/operator/contracts";
import { changeRegistry } from "../../lib/operator/registry";
import { Relayer } from "../../lib/operator/relayer";
import type { OperatorWallet } from "../../lib/operator/send";
import { signatureFileJson } from "../../lib/operator/signature-files";
import type { ObservationContent } from "../../lib/types/abi";

const ROOT = path.join(__dirname, "..", "..");
const WITNESSES = 7;
const QUORUM = 4;
const PER_WITNESS = Number(process.env.EXCHANGE_BENCH_PER_WITNESS ?? 300);
const ROUNDS = Number(process.env.EXCHANGE_BENCH_ROUNDS ?? 100);
const REPORT_ENTRIES = 32;
const CONNECTIONS = 28;

function log(line: string): void {
  process.stdout.write(`[bench:exchange ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function content(i: number, stream: number): ObservationContent {
  const h = (label: string): Hex => keccak256(toHex(`${label}/${stream}/${i}`));
  return {
    streamHash: keccak256(toHex(`bench-stream/${stream}`)),
    epochHash: h("epoch"),
    dataRoot: h("data"),
    locatorHash: h("locator"),
    observedUnixMs: 1_734_000_000_000n + BigInt(i) * 6_000n,
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface IntakeFigures {
  sink: string;
  signatures: number;
  accepted: number;
  seconds: number;
  signaturesPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  non2xx: number;
  errors: number;
}

async function main(): Promise<void> {
  await hre.deployments.fixture(["WitnessRegistry", "ObservationLedger"]);
  const client = (await hre.viem.getPublicClient()) as PublicClient;
  const address = async (name: string) => (await hre.deployments.get(name)).address as Address;
  const ledger: LedgerRef = {
    address: await address(DEPLOYMENTS.ObservationLedger),
    abi: (
      await hre.viem.getContractAt(
        "EveryChannelObservationLedger",
        await address(DEPLOYMENTS.ObservationLedger),
      )
    ).abi,
  };
  const registry: RegistryRef = {
    address: await address(DEPLOYMENTS.WitnessRegistry),
    abi: (
      await hre.viem.getContractAt(
        "EveryChannelWitnessRegistry",
        await address(DEPLOYMENTS.WitnessRegistry),
      )
    ).abi,
  };
  const named = await hre.getNamedAccounts();
  const wallet = async (name: string) =>
    (await hre.viem.getWalletClient(getAddress(named[name]!))) as OperatorWallet;
  const accounts: HDAccount[] = Array.from({ length: WITNESSES }, (_, i) =>
    mnemonicToAccount(DEV_MNEMONIC, {
      addressIndex: LOCAL_NAMED_ACCOUNT_INDEX[`witness${i + 1}`]!,
    }),
  );
  const current = await client.readContract({
    address: registry.address,
    abi: registry.abi,
    functionName: "witnesses",
  });
  await changeRegistry({
    publicClient: client,
    wallet: await wallet("owner"),
    registry,
    change: {
      kind: "witnesses",
      add: accounts
        .map((a) => a.address)
        .filter((a) => !current.map((c) => getAddress(c)).includes(a)),
      quorum: BigInt(QUORUM),
    },
    dryRun: false,
    log: () => undefined,
  });
  const domain: ObservationLedgerDomain = await readObservationLedgerDomain(client, ledger.address);
  log(`registry: ${WITNESSES} witnesses, quorum ${QUORUM}; ledger ${ledger.address}`);

  const bodies = async (stream: number): Promise<string[]> => {
    const out: string[] = [];
    for (let i = 0; i < PER_WITNESS; i++)
      for (const account of accounts) {
        const c = content(i, stream);
        out.push(
          JSON.stringify(
            JSON.parse(
              signatureFileJson({
                chainId: domain.chainId,
                ledger: domain.verifyingContract,
                witness: account.address,
                contentHash: contentHash(c),
                slot: observationSlot(c.streamHash, c.epochHash),
                content: c,
                signature: await signObservation(account, domain, c),
              }),
            ),
          ),
        );
      }
    return out;
  };

  const dir = await mkdtemp(path.join(tmpdir(), "bench-exchange-"));
  const relayer = new Relayer({
    publicClient: client,
    wallet: await wallet("relayer"),
    ledger,
    registry,
    domain,
    sources: [],
    maxBatch: 32,
    holdMs: 0,
    dryRun: true,
    log: () => undefined,
  });
  let counted = 0;
  const counting: SignatureSink = { offer: async () => (counted += 1) > 0 };

  const intake = async (
    label: string,
    sink: SignatureSink,
    stream: number,
  ): Promise<IntakeFigures> => {
    log(`${label}: signing ${PER_WITNESS * WITNESSES} observations...`);
    const list = await bodies(stream);
    const exchange = await Exchange.open({
      client,
      domain,
      witnesses: registryWitnesses({ client, registry }),
      sink,
      journalFile: path.join(dir, `journal-${stream}.jsonl`),
      log: () => undefined,
    });
    const server = await startExchangeServer({ exchange, port: 0, ratePerSecond: 1e9, burst: 1e9 });
    let next = 0;
    const result = await autocannon({
      url: server.url,
      connections: CONNECTIONS,
      amount: list.length,
      requests: [
        {
          method: "POST",
          path: "/v1/signatures",
          headers: { "content-type": "application/json" },
          setupRequest: (request) => ({ ...request, body: list[next++ % list.length] }),
        },
      ],
    });
    const accepted = exchange.status().accepted;
    await server.close();
    await exchange.close();
    const seconds = result.duration;
    const figures: IntakeFigures = {
      sink: label,
      signatures: list.length,
      accepted,
      seconds,
      signaturesPerSecond: Math.round(accepted / seconds),
      latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
      non2xx: result.non2xx,
      errors: result.errors,
    };
    log(
      `${label}: ${accepted}/${list.length} accepted in ${seconds.toFixed(2)} s: ${figures.signaturesPerSecond} signatures/s (latency p50 ${figures.latencyMs.p50} ms, p99 ${figures.latencyMs.p99} ms; non-2xx ${result.non2xx}, errors ${result.errors})`,
    );
    if (accepted !== list.length)
      throw new Error(`${label}: only ${accepted} of ${list.length} accepted`);
    return figures;
  };

  const withRelayer = await intake("exchange + relayer", relayer, 1);
  const alone = await intake("exchange alone (counting sink)", counting, 2);

  // Report round trip with 7 witnesses.
  const exchange = await Exchange.open({
    client,
    domain,
    witnesses: registryWitnesses({ client, registry }),
    sink: counting,
    journalFile: path.join(dir, "journal-reports.jsonl"),
    log: () => undefined,
  });
  const server = await startExchangeServer({ exchange, port: 0, ratePerSecond: 1e9, burst: 1e9 });
  const stop = new AbortController();
  const loops = accounts.map((account) =>
    runReportCoSigning({
      client: new ExchangeClient({ url: server.url }),
      coSigner: {
        witness: account.address,
        coSign: async (report) => ({
          signed: true,
          witness: account.address,
          signature: await signReport(account, domain, report),
        }),
      },
      domain,
      log: () => undefined,
      signal: stop.signal,
      waitMs: 25_000,
    }),
  );
  const collector = exchangeCollector({
    exchange,
    witnesses: registryWitnesses({ client, registry }),
  });
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const report = reportOf(
      Array.from({ length: REPORT_ENTRIES }, (_, i) => content(round * REPORT_ENTRIES + i, 3)),
    );
    const started = performance.now();
    const result = await collector.collect(report, { quorum: QUORUM, timeoutMs: 10_000 });
    times.push(performance.now() - started);
    if (result.signatures.length < QUORUM)
      throw new Error(`round ${round}: ${result.signatures.length} signatures`);
  }
  stop.abort();
  await Promise.allSettled(loops);
  await server.close();
  await exchange.close();
  await rm(dir, { recursive: true, force: true });
  const sorted = [...times].sort((a, b) => a - b);
  const roundTrip = {
    witnesses: WITNESSES,
    quorum: QUORUM,
    entries: REPORT_ENTRIES,
    rounds: ROUNDS,
    p50Ms: Number(percentile(sorted, 50).toFixed(1)),
    p99Ms: Number(percentile(sorted, 99).toFixed(1)),
    maxMs: Number(sorted.at(-1)!.toFixed(1)),
  };
  log(
    `report round trip (${REPORT_ENTRIES} entries, ${WITNESSES} witnesses, quorum ${QUORUM}, ${ROUNDS} rounds): p50 ${roundTrip.p50Ms} ms, p99 ${roundTrip.p99Ms} ms, max ${roundTrip.maxMs} ms`,
  );

  const machine = {
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
    node: process.version,
    loadAverage: Number(loadavg()[0]!.toFixed(1)),
  };
  const run = {
    date: new Date().toISOString().slice(0, 10),
    machine,
    connections: CONNECTIONS,
    intake: [withRelayer, alone],
    roundTrip,
  };
  await writeFile(path.join(ROOT, "reports", "exchange.json"), `${JSON.stringify(run, null, 2)}\n`);
  const row = (f: IntakeFigures) =>
    `| ${f.sink} | ${f.accepted} | ${f.seconds.toFixed(2)} | **${f.signaturesPerSecond}** | ${f.latencyMs.p50} | ${f.latencyMs.p99} |`;
  const md = [
    "# Relayer exchange: figures",
    "",
    `Measured ${run.date} by \`npx hardhat run scripts/bench/exchange.ts\` on ${machine.cpus} CPUs (${machine.cpu}), Node ${machine.node}, load average ${machine.loadAverage} when it ended; everything on loopback in one process (autocannon, the server, the witnesses' loops and the in-process Hardhat network share the CPUs). Registry of ${WITNESSES} witnesses, quorum ${QUORUM}. Endpoints and limits: \`docs/exchange.md\`.`,
    "",
    "## Signature intake (`POST /v1/signatures`)",
    "",
    `Distinct valid signature files by the ${WITNESSES} witnesses, ${CONNECTIONS} connections, rate limits lifted. Each is checked (schema, chain and ledger, active witness, ECDSA recovery), journaled (fsync, group commit) and handed to the sink before the answer.`,
    "",
    "| sink | accepted | seconds | signatures/s | latency p50 (ms) | latency p99 (ms) |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    row(withRelayer),
    row(alone),
    "",
    "The relayer's `offer` checks each signature again through the node (`verifyTypedData`), which the first row includes.",
    "",
    "## Report round trip",
    "",
    `The relayer's collector proposes a report of ${REPORT_ENTRIES} epochs; ${WITNESSES} witness loops long-poll \`GET /v1/proposals\`, sign (\`signReport\`) and post their co-signature; the time from proposing to the ${QUORUM}th co-signature accepted, over ${ROUNDS} reports in a row.`,
    "",
    "| witnesses | quorum | entries | rounds | p50 (ms) | p99 (ms) | max (ms) |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    `| ${WITNESSES} | ${QUORUM} | ${REPORT_ENTRIES} | ${ROUNDS} | **${roundTrip.p50Ms}** | **${roundTrip.p99Ms}** | ${roundTrip.maxMs} |`,
    "",
  ].join("\n");
  await writeFile(path.join(ROOT, "reports", "EXCHANGE.md"), md);
  log("wrote reports/exchange.json and reports/EXCHANGE.md");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
