/** The issue's targets, checked against the measured figures. */
import type { OffchainResults } from "./offchain";
import { PATHS, type OnchainResults } from "./onchain";

export interface TargetResult {
  target: string;
  /** The measured quantity, in words. */
  measured: string;
  /** The measured ratio (or value) and the bound it is compared with. */
  value: number | null;
  bound: string;
  met: boolean | null;
  /** By how much it is missed or beaten. */
  margin: string;
}

function find(figures: OnchainResults["headline"], path: string) {
  return figures.find((f) => f.path === path);
}

const fmt = (v: number, digits = 2): string => v.toFixed(digits);

export function evaluateTargets(
  onchain: OnchainResults | null,
  offchain: OffchainResults | null,
): TargetResult[] {
  const out: TargetResult[] = [];
  const eas = onchain && find(onchain.headline, PATHS.easAttest);
  // Each target is checked on the best (least gas) ledger path of its kind that was measured.
  for (const [paths, need, label] of [
    [[PATHS.ledgerRelayed, PATHS.ledgerCompact], 10, "relayed path"],
    [[PATHS.ledgerBatch(50), PATHS.ledgerCompactBatch(50)], 20, "relayed batches of 50"],
  ] as const) {
    const target = `quorum 3, ${label}: ≥ ${need}× less gas per finalized observation than three EAS attestations`;
    const measured = onchain
      ? paths.flatMap((path) => {
          const figure = find(onchain.headline, path);
          return figure ? [figure] : [];
        })
      : [];
    const ours = [...measured].sort((a, b) => a.gas - b.gas)[0];
    if (!eas || !ours) {
      out.push({
        target,
        measured: "not measured",
        value: null,
        bound: `≥ ${need}`,
        met: null,
        margin: "",
      });
      continue;
    }
    const ratio = eas.gas / ours.gas;
    const others = measured
      .filter((f) => f !== ours)
      .map((f) => `; ${f.path}: ${fmt(eas.gas / f.gas)}× (${f.gas.toLocaleString("en-US")} gas)`)
      .join("");
    out.push({
      target,
      measured: `best: ${ours.path}, ${eas.gas.toLocaleString("en-US")} / ${ours.gas.toLocaleString("en-US")} gas per finalized observation${others}`,
      value: ratio,
      bound: `≥ ${need}`,
      met: ratio >= need,
      margin:
        ratio >= need
          ? `beaten by ${fmt(ratio / need, 3)}× (${Math.floor(eas.gas / need - ours.gas).toLocaleString("en-US")} gas to spare)`
          : `missed by ${fmt(need / ratio)}× (needs ≤ ${Math.floor(eas.gas / need).toLocaleString("en-US")} gas)`,
    });
  }
  if (onchain && onchain.history.length > 0) {
    for (const path of [
      PATHS.ledgerRelayed,
      PATHS.ledgerBatch(50),
      PATHS.ledgerCompact,
      PATHS.ledgerCompactBatch(50),
    ]) {
      const series = onchain.history.filter((f) => f.path === path);
      if (series.length === 0) continue;
      out.push(
        flat(
          `${path}: execution gas does not grow with ledger history`,
          series.map((f) => ({
            label: `${f.history.toLocaleString("en-US")} finalized`,
            gas: f.executionGas,
          })),
        ),
      );
    }
  }
  for (const [path, label] of [
    [PATHS.ledgerRelayed, "relayed signatures"],
    [PATHS.ledgerCompact, "relayed compact signatures"],
  ] as const) {
    const fixed = onchain?.registered.filter(
      (f) => f.variant === "fixed quorum 3, registry grows" && f.path === path,
    );
    if (fixed && fixed.length > 1)
      out.push(
        flat(
          `${label} at quorum 3: execution gas does not grow with the registered witness set`,
          fixed.map((f) => ({ label: `${f.registered} registered`, gas: f.executionGas })),
        ),
      );
  }
  if (offchain?.throughput) {
    // Against the floor that hashes each stream id once (as the derivation does) when measured:
    // it hashes exactly the derivation's bytes and is faster, so the stricter comparison.
    const t = offchain.throughput;
    const strict = t.ratioMemo !== undefined && t.floorMemoLinesPerSecond !== undefined;
    const ratio = strict ? t.ratioMemo! : t.ratio;
    const floorRate = strict ? t.floorMemoLinesPerSecond! : t.floorLinesPerSecond;
    const other = strict
      ? `; ${t.ratio.toFixed(2)}× against the floor hashing the stream id every line (${Math.round(t.floorLinesPerSecond).toLocaleString("en-US")})`
      : "";
    out.push({
      target: "off-chain derivation within 1.5× of the parse-and-hash floor",
      measured: `${Math.round(floorRate).toLocaleString("en-US")} floor (${strict ? "stream id hashed once per stream, as derived" : "stream id hashed every line"}) vs ${Math.round(t.deriveLinesPerSecond).toLocaleString("en-US")} derived lines per CPU-second${other}`,
      value: ratio,
      bound: "≤ 1.5",
      met: ratio <= 1.5,
      margin: ratio <= 1.5 ? `${fmt(1.5 / ratio)}× headroom` : `missed by ${fmt(ratio / 1.5)}×`,
    });
  } else {
    out.push({
      target: "off-chain derivation within 1.5× of the parse-and-hash floor",
      measured: offchain?.notMeasured ?? "not measured",
      value: null,
      bound: "≤ 1.5",
      met: null,
      margin: "",
    });
  }
  if (offchain && offchain.memory.length > 1) {
    const small = offchain.memory[0]!;
    const large = offchain.memory[offchain.memory.length - 1]!;
    const ratio = large.peakRssBytes / small.peakRssBytes;
    const growth = large.lines / small.lines;
    out.push({
      target: `peak memory flat in archive size (${small.lines.toLocaleString("en-US")} → ${large.lines.toLocaleString("en-US")} lines: ≤ 1.5× for ${growth}× the lines)`,
      measured: offchain.memory
        .map((m) => `${mib(m.peakRssBytes)} MiB at ${m.lines.toLocaleString("en-US")} lines`)
        .join(", "),
      value: ratio,
      bound: "≤ 1.5",
      met: ratio <= 1.5,
      margin:
        ratio <= 1.5
          ? `${ratio >= 1 ? "+" : "−"}${(Math.abs(ratio - 1) * 100).toFixed(1)} % for ${growth}× the lines`
          : `missed by ${fmt(ratio / 1.5)}×`,
    });
  }
  return out;
}

/**
 * "Does not grow": the largest figure of the series is compared with the first. Execution gas is
 * used (see `PathFigure.executionGas`); a difference within 0.01 % (a few gas, from warm/cold
 * access order of values that differ between headers) counts as flat and is shown.
 */
function flat(target: string, series: readonly { label: string; gas: number }[]): TargetResult {
  const first = series[0]!;
  const last = series[series.length - 1]!;
  const max = Math.max(...series.map((p) => p.gas));
  const growth = max / first.gas;
  const met = growth <= 1.0001;
  return {
    target,
    measured: `${series.map((p) => `${p.gas.toLocaleString("en-US")} (${p.label})`).join(", ")}`,
    value: last.gas / first.gas,
    bound: "≤ 1.0001",
    met,
    margin:
      max <= first.gas
        ? "no growth"
        : `largest +${(max - first.gas).toFixed(1)} gas (${((growth - 1) * 100).toFixed(4)} %)`,
  };
}

export const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
