/** Writes `reports/bench.json`, the SVG charts and `reports/BENCH.md` from one bench run. */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import type { L1FeeParameters } from "../../lib/opstack/fee-model";
import { SECTION_NAMES, SECTIONS, type SectionName } from "./config";
import { renderLineChart, type SeriesPoint } from "./charts";
import type { PathFigure } from "./figures";
import type { OffchainResults } from "./offchain";
import { PATHS, type OnchainResults } from "./onchain";
import type { SmokeResults } from "./smoke";
import { readIndexerBench, renderIndexerSection } from "./indexer-report";
import { mib, type TargetResult } from "./targets";

/** When, where and how one section of the report was measured. */
export interface SectionRecord {
  /** Start of the section's measurement (ISO 8601). */
  measuredAt: string;
  durationMs: number;
  /** `git rev-parse --short HEAD`, with `-dirty` when files outside `reports/` differed from it. */
  commit: string;
  command: string;
  quick: boolean;
  /** 1-minute load average at the start of the run and at the end of the section. */
  loadAverage: [number, number];
  note?: string;
}

export interface BenchRun {
  /** The latest run (which may have measured only some sections: see `sections`). */
  meta: {
    command: string;
    quick: boolean;
    startedAt: string;
    durationMs: number;
    node: string;
    hardhat: string;
    cpu: string;
    cores: number;
    platform: string;
    /** 1-minute load average of the machine at the start and the end of the run. */
    loadAverage: [number, number];
    fees: Record<keyof L1FeeParameters, string>;
  };
  /** Per section: the run that measured the figures the report holds. */
  sections: Partial<Record<SectionName, SectionRecord>>;
  onchain: OnchainResults | null;
  onchainNotMeasured?: string;
  offchain: OffchainResults;
  smoke: SmokeResults;
  targets: TargetResult[];
}

const ROOT = path.join(__dirname, "..", "..");

const n = (v: number): string => Math.round(v).toLocaleString("en-US");
const ratio = (a: number, b: number): string => `${(a / b).toFixed(1)}×`;
const gwei = (wei: string): string => (Number(BigInt(wei)) / 1e9).toFixed(6);

function pathTable(figures: readonly PathFigure[], reference?: PathFigure): string[] {
  const rows = [
    "| path | quorum | observations / tx | txs | gas / obs | execution gas / obs | calldata bytes / obs (zero / non-zero) | signed tx bytes / obs | FastLZ / obs | L1 data fee / obs (gwei) | gas vs EAS attest |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const f of figures)
    rows.push(
      `| ${f.path} | ${f.quorum} | ${f.observations} | ${f.transactions} | ${n(f.gas)} | ${n(f.executionGas)} | ${n(f.calldataBytes)} (${n(f.calldataZeroBytes)} / ${n(f.calldataNonZeroBytes)}) | ${n(f.signedBytes)} | ${n(f.fastLzSize)} | ${gwei(f.l1FeeWei)} | ${!reference ? "" : f.path === reference.path ? "reference" : `${ratio(reference.gas, f.gas)} less`} |`,
    );
  return rows;
}

/**
 * For each section commit other than the newest: whether the measured code (`contracts/`, `lib/`)
 * is the same as at the newest commit, from git.
 */
function measuredCodeNotes(run: BenchRun, newest: string | undefined): string[] {
  if (newest === undefined) return [];
  const clean = (commit: string) => commit.replace(/-dirty$/, "");
  const others = [...new Set(Object.values(run.sections).map((r) => r.commit))].filter(
    (c) => c !== newest,
  );
  if (others.length === 0) return [];
  const lines = others.map((commit) => {
    if (commit.endsWith("-dirty") || newest.endsWith("-dirty"))
      return `- \`${commit}\`: measured with uncommitted changes on one side; not compared.`;
    try {
      const changed = execFileSync(
        "git",
        ["diff", "--name-only", clean(commit), clean(newest), "--", "contracts", "lib"],
        { cwd: ROOT, encoding: "utf8" },
      )
        .split("\n")
        .filter((f) => f !== "");
      return changed.length === 0
        ? `- \`${commit}\`: \`contracts/\` and \`lib/\` identical to \`${newest}\` (only bench or other code differs).`
        : `- \`${commit}\`: ${changed.length} file(s) of \`contracts/\` or \`lib/\` differ from \`${newest}\` (${changed.slice(0, 6).join(", ")}${changed.length > 6 ? ", …" : ""}).`;
    } catch {
      return `- \`${commit}\`: not in this checkout's history; not compared.`;
    }
  });
  return [
    `Sections measured at commits other than the newest (\`${newest}\`), compared on the measured code:`,
    "",
    ...lines,
    "",
  ];
}

/**
 * A note for a growth series measured at another commit than the quorum-3 paths: it measures
 * flatness (whether execution gas grows with `what`), so its absolute gas is that commit's.
 */
function olderThanPaths(run: BenchRun, section: "witnesses" | "history", what: string): string[] {
  const series = run.sections[section];
  const paths = run.sections.paths;
  if (!series || !paths || series.commit === paths.commit) return [];
  return [
    `**Measured at \`${series.commit}\` (${series.measuredAt.slice(0, 16).replace("T", " ")} UTC), not at \`${paths.commit}\` where the quorum-3 paths above were measured.** This series measures flatness — whether a finalization's execution gas grows with ${what} — so its absolute gas figures are those of the ledger at \`${series.commit}\`; the current figures per path are in the quorum-3 table. Re-measure with \`BENCH_SECTIONS=${section} npm run bench\`.`,
    "",
  ];
}

/** The peers' growth with signatures per transaction, beside the ledger's quorum series. */
function signersSection(onchain: OnchainResults): string[] {
  const signers = onchain.signers ?? [];
  if (signers.length === 0) return [];
  const ledger = (q: number) =>
    onchain.quorum.filter(
      (f) => f.quorum === q && (f.path === PATHS.ledgerRelayed || f.path === PATHS.ledgerCompact),
    );
  const rows = [...new Set(signers.map((f) => f.signatures))]
    .sort((a, b) => a - b)
    .flatMap((q) => [
      ...signers
        .filter((f) => f.signatures === q)
        .map((f) => ({ f, signers: `${f.signatures} of ${f.signers}` })),
      ...ledger(q).map((f) => ({ f, signers: `${q} of ${2 * q - 1}` })),
    ]);
  return [
    "## Co-signing peers: growth with signers",
    "",
    "One observation per transaction. A Safe of q of 2q − 1 owners (the ledger's quorum series), a Keystone DON of 3f + 1 signers with f + 1 = q signatures per report (a DON has at most 31 signers, so q ≤ 11), and the ledger's relayed paths at the same quorum from the quorum series.",
    "",
    "| signatures | signers | path | gas / obs | gas / signature | calldata bytes / obs | L1 data fee / obs (gwei) |",
    "|---:|---|---|---:|---:|---:|---:|",
    ...rows.map(
      ({ f, signers: set }) =>
        `| ${f.quorum} | ${set} | ${f.path} | ${n(f.gas)} | ${n(f.gas / f.quorum)} | ${n(f.calldataBytes)} | ${gwei(f.l1FeeWei)} |`,
    ),
    "",
  ];
}

export async function writeReport(run: BenchRun, reportsDir: string): Promise<void> {
  mkdirSync(reportsDir, { recursive: true });
  writeFileSync(path.join(reportsDir, "bench.json"), `${JSON.stringify(run, null, 2)}\n`);
  const md: string[] = [];
  const { meta, onchain, offchain, smoke } = run;
  const newest = Object.values(run.sections)
    .map((r) => r.measuredAt)
    .sort()
    .at(-1);
  const newestCommit = Object.values(run.sections).find((r) => r.measuredAt === newest)?.commit;
  md.push(
    "# Benchmarks",
    "",
    `Measured on ${meta.cpu} (${meta.cores} cores), Node ${meta.node}, Hardhat ${meta.hardhat}, on a shared machine (the load average below affects wall-clock rates only). Each section is measured on its own and can be re-measured alone (\`BENCH_SECTIONS=${SECTION_NAMES.join(",")} npm run bench\`, any of them, merges into \`bench.json\`); \`npm run bench\` measures all of them. Raw figures: [\`bench.json\`](bench.json). Last written by \`${meta.command}\` on ${meta.startedAt.slice(0, 16).replace("T", " ")} UTC.`,
    "",
    "| section | what | measured (UTC) | commit | command | duration | 1-min load (start / end) |",
    "|---|---|---|---|---|---:|---|",
    ...SECTION_NAMES.map((name) => {
      const r = run.sections[name];
      if (!r) return `| ${name} | ${SECTIONS[name]} | not measured | | | | |`;
      return `| ${name} | ${SECTIONS[name]} | ${r.measuredAt.slice(0, 16).replace("T", " ")} | \`${r.commit}\` | \`${r.command}\`${r.quick ? " **(quick mode: reduced series)**" : ""} | ${(r.durationMs / 60000).toFixed(1)} min${r.note ? "¹" : ""} | ${r.loadAverage[0].toFixed(1)} / ${r.loadAverage[1].toFixed(1)} |`;
    }),
    "",
    ...[...new Set(Object.values(run.sections).flatMap((r) => (r.note ? [r.note] : [])))].map(
      (note) => `¹ ${note}.\n`,
    ),
    ...measuredCodeNotes(run, newestCommit),
    "Every gas figure is a receipt's `gasUsed` on the in-process Hardhat network (EVM `prague`); calldata and signed-transaction bytes are the transactions' own. Benchmarks print and write figures; the test suite only guards exact gas budgets. The quorum-3 runs give the `paths` rows, the `batch` series and the quorum-3 points of the `quorum` series together (the same transactions in the same order, hence the same exact gas).",
    "",
  );
  const eas = onchain?.headline.find((f) => f.path === PATHS.easAttest);
  if (onchain && eas) {
    md.push(
      "## Per finalized observation, quorum 3 of 5 witnesses",
      "",
      "The same observation header (224 bytes ABI-encoded) attested by the same three witnesses: with the Ethereum Attestation Service (`@ethereum-attestation-service/eas-contracts` 1.9.0, published bytecode, a non-revocable schema of the header) and with this project's ledger. Batches finalize consecutive epochs of one stream.",
      "",
      "Two co-signing peers record the same headers in `PeerObservationRecorder` (`contracts/test/`: one new storage word at the header's slot and one event per header, callable only by the peer; `scripts/bench/peers.ts`): a **Safe 3 of 5** (`@safe-global/safe-contracts` 1.4.1, the published `SafeL2` and `SafeProxyFactory` bytecode — solc 0.7.6, optimizer off, as Safe deploys them; one `execTransaction` with three EIP-712 `SafeTx` signatures in owner order) and **Chainlink's `KeystoneForwarder`** with a DON of 7 signers and f = 2, so that a report carries f + 1 = 3 signatures (`@chainlink/contracts` 1.2.0, which ships no bytecode: compiled from its source by this project's solc 0.8.30 for `prague`, optimizer 1,000,000 runs, with the source's exact `pragma solidity 0.8.24` relaxed to `^0.8.24`, the only change; one `report` whose body is the ABI-encoded headers). Every peer transaction is checked to have recorded each of its headers. A peer checks signatures and records: it keeps no stream chain, no per-slot quorum and no time bound, which the ledger does.",
      "",
      ...pathTable(onchain.headline, eas),
      "",
    );
    const batchPoints: SeriesPoint[] = [];
    for (const f of onchain.batch)
      batchPoints.push({
        x: f.batch,
        y: f.gas,
        series:
          f.system === "EAS"
            ? "EAS: multiAttestByDelegation"
            : f.path === PATHS.ledgerCompact || f.path === PATHS.ledgerCompactBatch(f.batch)
              ? "ledger: relayed compact batch"
              : f.path === PATHS.ledgerReport(f.batch)
                ? "ledger: co-signed report"
                : "ledger: relayed batch",
      });
    for (const b of [...new Set(onchain.batch.map((f) => f.batch))])
      batchPoints.push({ x: b, y: eas.gas, series: "EAS: attest per witness (reference)" });
    writeFileSync(
      path.join(reportsDir, "gas-vs-batch.svg"),
      await renderLineChart({
        title: "Gas per finalized observation vs batch size (quorum 3, log scales)",
        xTitle: "observations per transaction",
        yTitle: "gas per finalized observation",
        points: batchPoints,
        logX: true,
        logY: true,
        referenceSeries: ["EAS: attest per witness (reference)"],
      }),
    );
    const quorumPoints: SeriesPoint[] = onchain.quorum.map((f) => ({
      x: f.quorum,
      y: f.gas,
      series: f.path === PATHS.easAttest ? `${f.path} (reference)` : f.path,
    }));
    writeFileSync(
      path.join(reportsDir, "gas-vs-quorum.svg"),
      await renderLineChart({
        title: "Gas per finalized observation vs quorum (q of 2q−1 witnesses, log gas)",
        xTitle: "quorum q",
        yTitle: "gas per finalized observation",
        points: quorumPoints,
        logY: true,
        referenceSeries: [`${PATHS.easAttest} (reference)`],
      }),
    );
    md.push(
      "### Where the gas goes",
      "",
      "Per finalized observation, split by the EVM gas schedule: the transaction base (21,000 shared by the observations of a transaction), calldata (4 per zero byte, 16 per other byte), event logs (375 + 375 per topic + 8 per data byte, from the receipts' logs), signature recovery (the `ecrecover` precompile, 3,000 per signature; a co-signed report's quorum of signatures is shared by its observations), and the rest: storage, hashing, ABI decoding, calls (a finalization writes one new storage word for its slot: 22,100 gas by the schedule).",
      "",
      "| path | gas / obs | transaction base | calldata | event logs | ecrecover | rest |",
      "|---|---:|---:|---:|---:|---:|---:|",
      ...onchain.headline.map((f) => {
        const base = (21_000 * f.transactions) / f.observations;
        const calldata = 4 * f.calldataZeroBytes + 16 * f.calldataNonZeroBytes;
        // The ledger's batches carry a quorum of signatures per observation; a peer's and a
        // co-signed report's, per transaction.
        const recover =
          f.path === PATHS.easAttest || f.path === PATHS.ledgerAttest
            ? 0
            : f.system === "Safe" ||
                f.system === "Keystone" ||
                f.path === PATHS.ledgerReport(f.observations)
              ? (3_000 * f.quorum * f.transactions) / f.observations
              : 3_000 * f.quorum;
        const rest = f.gas - base - calldata - f.logGas - recover;
        return `| ${f.path} | ${n(f.gas)} | ${n(base)} | ${n(calldata)} | ${n(f.logGas)} (${f.logs} log${f.logs === 1 ? "" : "s"}) | ${n(recover)} | ${n(rest)} |`;
      }),
      "",
    );
    md.push(
      "![Gas per finalized observation vs batch size](gas-vs-batch.svg)",
      "",
      "![Gas per finalized observation vs quorum](gas-vs-quorum.svg)",
      "",
      "## Growth with batch size (quorum 3)",
      "",
      ...pathTable(onchain.batch, eas),
      "",
      "## Growth with quorum (q of 2q−1 witnesses)",
      "",
      "| quorum | witnesses | path | gas / obs | gas / signature | calldata bytes / obs | L1 data fee / obs (gwei) |",
      "|---:|---:|---|---:|---:|---:|---:|",
      ...onchain.quorum.map(
        (f) =>
          `| ${f.quorum} | ${f.witnesses} | ${f.path} | ${n(f.gas)} | ${n(f.gas / f.quorum)} | ${n(f.calldataBytes)} | ${gwei(f.l1FeeWei)} |`,
      ),
      "",
      ...signersSection(onchain),
      "## Growth with the registered witness set",
      "",
      ...olderThanPaths(run, "witnesses", "the registered witness set"),
      `The registry requires a strict-majority quorum (2q > witnesses), so a fixed quorum with 200 registered witnesses cannot exist, and it hands out at most ${onchain.maxWitnessIndices} witness indices in its lifetime (\`MAX_WITNESS_INDICES\`), so sizes above ${onchain.maxWitnessIndices} cannot be registered at all${onchain.registeredSkipped.length > 0 ? ` (not measured: ${onchain.registeredSkipped.join(", ")})` : ""}. Two series instead: *fixed quorum 3, registry grows* — the registry has handed out N indices (N witnesses added, all but 5 removed again), quorum 3 of the 5 active witnesses, signed by the three with the highest indices: what the size of the registered set costs by itself; and *strict-majority quorum of all registered* — N active witnesses and the smallest legal quorum ⌊N/2⌋+1: the cost grows with the signatures a finalization needs, so the figure to read is gas per signature.`,
      "",
      "| registered | active | quorum | variant | path | gas / obs | execution gas / obs | gas / signature | calldata bytes / obs |",
      "|---:|---:|---:|---|---|---:|---:|---:|---:|",
      ...onchain.registered.map(
        (f) =>
          `| ${f.registered} | ${f.active} | ${f.quorum} | ${f.variant} | ${f.path} | ${n(f.gas)} | ${n(f.executionGas)} | ${n(f.gasPerSignature)} | ${n(f.calldataBytes)} |`,
      ),
      "",
      "## Growth with ledger history",
      "",
      ...olderThanPaths(run, "history", "the ledger's history"),
      "A new observation of a stream that already has a head, after the ledger has finalized N other observations (in batches of 200 consecutive epochs per stream, so N/200 other streams). While filling, the registry ran with one active witness (quorum 1) so that fillers need one signature each; the ledger keeps no per-witness state of a finalized slot, so the state it leaves is the state three-signature fillers would leave. The quorum is back at 3 of 5 before each measurement.",
      "",
      "| finalized before | path | gas / obs | calldata bytes / obs |",
      "|---:|---|---:|---:|",
      ...onchain.history.map(
        (f) => `| ${n(f.history)} | ${f.path} | ${n(f.gas)} | ${n(f.calldataBytes)} |`,
      ),
      "",
      "| history filled | transactions | gas | wall time | observations / s |",
      "|---:|---:|---:|---:|---:|",
      ...onchain.historyFill.map(
        (f) =>
          `| ${n(f.observations)} | ${n(f.transactions)} | ${n(f.gas)} | ${(f.wallMs / 1000).toFixed(1)} s | ${n(f.observationsPerSecond)} |`,
      ),
      "",
      "## OP Stack L1 data fee",
      "",
      `Fjord formula over each signed transaction (\`lib/opstack/fee-model.ts\`): FastLZ size → estimated size max(100, (−42,585,600 + 836,500 × fastlzSize) / 1e6) → × (l1BaseFeeScalar × l1BaseFee × 16 + l1BlobBaseFeeScalar × l1BlobBaseFee) / 1e12. Inputs of this run: l1BaseFee ${meta.fees.l1BaseFee} wei, l1BlobBaseFee ${meta.fees.l1BlobBaseFee} wei, l1BaseFeeScalar ${meta.fees.l1BaseFeeScalar}, l1BlobBaseFeeScalar ${meta.fees.l1BlobBaseFeeScalar} (OP Mainnet's Fjord scalars; override with \`BENCH_L1_BASE_FEE\`, \`BENCH_L1_BLOB_BASE_FEE\`, \`BENCH_L1_BASE_FEE_SCALAR\`, \`BENCH_L1_BLOB_BASE_FEE_SCALAR\`). The L1 fee is linear in the fee inputs, so the ratios hold at any L1 price.`,
      "",
      "| path | signed bytes / obs | FastLZ / obs | L1 data fee / obs (wei) | Ecotone formula (wei) | L1 fee vs EAS attest |",
      "|---|---:|---:|---:|---:|---:|",
      ...onchain.headline.map(
        (f) =>
          `| ${f.path} | ${n(f.signedBytes)} | ${n(f.fastLzSize)} | ${n(Number(f.l1FeeWei))} | ${n(Number(f.ecotoneL1FeeWei))} | ${ratio(Number(eas.l1FeeWei), Number(f.l1FeeWei))} less |`,
      ),
      "",
    );
  } else {
    md.push("## On-chain", "", run.onchainNotMeasured ?? "not measured", "");
  }
  md.push("## Off-chain derivation", "");
  if (offchain.throughput) {
    const t = offchain.throughput;
    const memo =
      t.floorMemoLinesPerSecond !== undefined &&
      t.floorMemoRuns !== undefined &&
      t.floorMemoWallLinesPerSecond !== undefined &&
      t.ratioMemo !== undefined
        ? {
            rate: t.floorMemoLinesPerSecond,
            runs: t.floorMemoRuns,
            wall: t.floorMemoWallLinesPerSecond,
            ratio: t.ratioMemo,
          }
        : null;
    md.push(
      `Synthetic archives in the \`every.channel/archive/epoch/v1\` shape (24 stations, 6 chunks per epoch, PSIP present; \`scripts/bench/archive-gen.ts\`), each run in its own Node process (single-threaded JavaScript: one core). *Derive* is the project's path: \`readArchive\` (streaming line split, exact-integer JSON, schema checks) and \`deriveObservationContent\` + \`chainObservation\` on each stream's running head. The floor is "just parsing the same JSON and hashing the same bytes": the same line split, \`JSON.parse\` and the same keccak256/BLAKE3 invocations over byte strings of the same lengths, nothing else (\`scripts/bench/offchain-worker.ts\`), in two forms: *floor, stream id every line* hashes each line's StreamKey encoding again; *floor, stream id once per stream* hashes it once per stream, as the derivation does (it memoises stream ids), so it hashes exactly the bytes the derivation hashes and is the stricter comparison${memo ? " — the target below is measured against it" : " (not measured in this run)"}. Rates are lines per second of the process's CPU time (user + system), which a busy shared machine disturbs far less than wall time; wall-clock rates are given beside them. Floor and derive runs alternate; median of ${t.runs} runs each over ${n(t.lines)} lines. \`scripts/derivation-throughput.ts\` measures the same two ratios on the witness path, which also resolves retries and repairs (\`resolveWitnessEpochs\`); its figures are in \`docs/derivation.md\` (Performance).`,
      "",
      "| | lines / CPU-second | runs | lines / wall-second | floor ÷ derive (CPU) | floor ÷ derive (wall) |",
      "|---|---:|---|---:|---:|---:|",
      `| floor, stream id every line | ${n(t.floorLinesPerSecond)} | ${t.floorRuns.map(n).join(", ")} | ${n(t.floorWallLinesPerSecond)} | ${t.ratio.toFixed(2)} | ${(t.floorWallLinesPerSecond / t.deriveWallLinesPerSecond).toFixed(2)} |`,
      ...(memo
        ? [
            `| floor, stream id once per stream | ${n(memo.rate)} | ${memo.runs.map(n).join(", ")} | ${n(memo.wall)} | **${memo.ratio.toFixed(2)}** | ${(memo.wall / t.deriveWallLinesPerSecond).toFixed(2)} |`,
          ]
        : []),
      `| derive | ${n(t.deriveLinesPerSecond)} | ${t.deriveRuns.map(n).join(", ")} | ${n(t.deriveWallLinesPerSecond)} | | |`,
      "",
    );
  } else md.push(offchain.notMeasured ?? "not measured", "");
  if (offchain.memory.length > 0)
    md.push(
      "Peak memory of a derivation over the whole archive, each size in its own process: resident set size sampled every 20 ms and every 4,096 lines while deriving, and before the first line (after start-up). The `getrusage` max RSS the worker also records (`maxRssBytes` in `bench.json`) is not used: on Linux a child inherits its parent's high-water mark across fork and exec, so it shows the bench process (which holds the chain) rather than the derivation.",
      "",
      "| archive lines | file size | peak RSS while deriving | RSS before the first line | lines / CPU-second |",
      "|---:|---:|---:|---:|---:|",
      ...offchain.memory.map(
        (m) =>
          `| ${n(m.lines)} | ${mib(m.fileBytes)} MiB | ${mib(m.peakRssBytes)} MiB | ${mib(m.rssBeforeBytes)} MiB | ${n(m.linesPerCpuSecond)} |`,
      ),
      "",
    );
  md.push("## reality-smoke throughput", "");
  if (smoke.runs.length > 0 && smoke.archive)
    md.push(
      `\`hardhat reality-smoke --mode both\` in a child process, on the in-process Hardhat network and on anvil (\`scripts/op-stack/anvil-reality-smoke.sh\`), over ${smoke.archive.witnesses} generated witness archives of ${n(smoke.archive.linesPerWitness)} lines each with the same broadcast-derived content (quorum ${smoke.archive.quorum}: every slot finalizes). The figure is the smoke's own: observations finalized in the run over the mode's wall time.`,
      "",
      "| chain | mode | observations finalized | transactions | wall time | finalized / s |",
      "|---|---|---:|---:|---:|---:|",
      ...smoke.runs.map(
        (r) =>
          `| ${r.chain} | ${r.mode} | ${n(r.finalized)} | ${n(r.transactions)} | ${(r.wallMs / 1000).toFixed(1)} s | ${r.finalizedPerSecond.toFixed(1)} |`,
      ),
      "",
    );
  else md.push(smoke.notMeasured ?? "not measured", "");
  for (const f of smoke.failures)
    md.push(
      `Not measured on ${f.chain}: the smoke run failed (\`${f.error.replace(/`/g, "'")}\`).`,
      "",
    );
  const indexer = readIndexerBench(reportsDir);
  if (indexer !== undefined) md.push(...renderIndexerSection(indexer));
  md.push(
    "## Targets",
    "",
    "| target | measured | value | bound | result |",
    "|---|---|---:|---|---|",
    ...run.targets.map(
      (t) =>
        `| ${t.target} | ${t.measured} | ${t.value === null ? "" : t.value.toFixed(3)} | ${t.bound} | ${t.met === null ? "not measured" : t.met ? `met (${t.margin})` : `**missed** (${t.margin})`} |`,
    ),
    "",
  );
  writeFileSync(path.join(reportsDir, "BENCH.md"), md.join("\n"));
}
