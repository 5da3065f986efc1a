/**
 * What the bench measures and with which inputs. `BENCH_QUICK=1` shrinks the heavy series for fast
 * iteration (the committed report comes from a full run). The OP Stack fee inputs default to
 * `DEFAULT_FEE_PARAMETERS` (see `lib/opstack/fee-model.ts` for their sources) and can be set with
 * `BENCH_L1_BASE_FEE`, `BENCH_L1_BLOB_BASE_FEE` (wei), `BENCH_L1_BASE_FEE_SCALAR` and
 * `BENCH_L1_BLOB_BASE_FEE_SCALAR` (uint32, six decimals).
 *
 * `BENCH_SECTIONS=offchain,paths,...` measures only the named sections (see `SECTIONS`) and merges
 * them into the existing `reports/bench.json`; without it every section is measured.
 */
import { z } from "zod";

import { DEFAULT_FEE_PARAMETERS, type L1FeeParameters } from "../../lib/opstack/fee-model";

/** The report's sections, each measured (and re-measurable) on its own. */
export const SECTIONS = {
  offchain: "off-chain derivation throughput against the floors, and peak memory",
  paths:
    "per finalized observation at quorum 3: every path of the ledger, EAS, a Safe and Chainlink's KeystoneForwarder; the peers' growth with signers",
  batch: "growth with batch size at quorum 3",
  quorum: "growth with quorum",
  witnesses: "growth with the registered witness set",
  history: "growth with ledger history",
  smoke: "reality-smoke throughput",
} as const;
export type SectionName = keyof typeof SECTIONS;
export const SECTION_NAMES = Object.keys(SECTIONS) as SectionName[];

export interface BenchConfig {
  quick: boolean;
  /** Sections measured by this run, in report order. */
  sections: SectionName[];
  /** True when `BENCH_SECTIONS` named the sections (the run merges into the existing report). */
  partial: boolean;
  fees: L1FeeParameters;
  /** Quorum of the headline comparison (witnesses 2q−1). */
  headlineQuorum: number;
  quorums: number[];
  batchSizes: number[];
  /** Registered witness set sizes for the registry-growth series. */
  registeredSizes: number[];
  /** Ledger history sizes (finalized observations before measuring). */
  historySizes: number[];
  /** Observations per relayed transaction while filling history. */
  historyFillBatch: number;
  /** Archive sizes (lines) for the off-chain memory series. */
  archiveLines: number[];
  /** Lines of the archive the throughput figure is measured on. */
  throughputLines: number;
}

const weiOrScalar = z
  .string()
  .regex(/^\d+$/, "expected a non-negative integer")
  .transform((s) => BigInt(s));

const sectionList = z
  .string()
  .transform((s) => s.split(",").map((name) => name.trim()))
  .pipe(
    z
      .array(
        z.enum(SECTION_NAMES as [SectionName, ...SectionName[]], {
          errorMap: (_issue, ctx) => ({
            message: `BENCH_SECTIONS: unknown section ${JSON.stringify(ctx.data)} (known: ${SECTION_NAMES.join(", ")})`,
          }),
        }),
      )
      .min(1),
  );

const env = z.object({
  BENCH_QUICK: z.enum(["0", "1"]).optional(),
  BENCH_SECTIONS: sectionList.optional(),
  BENCH_L1_BASE_FEE: weiOrScalar.optional(),
  BENCH_L1_BLOB_BASE_FEE: weiOrScalar.optional(),
  BENCH_L1_BASE_FEE_SCALAR: weiOrScalar.optional(),
  BENCH_L1_BLOB_BASE_FEE_SCALAR: weiOrScalar.optional(),
});

export function benchConfig(environment: NodeJS.ProcessEnv = process.env): BenchConfig {
  const parsed = env.parse(environment);
  const quick = parsed.BENCH_QUICK === "1";
  const named = parsed.BENCH_SECTIONS;
  return {
    quick,
    sections: SECTION_NAMES.filter((name) => named === undefined || named.includes(name)),
    partial: named !== undefined,
    fees: {
      l1BaseFee: parsed.BENCH_L1_BASE_FEE ?? DEFAULT_FEE_PARAMETERS.l1BaseFee,
      l1BlobBaseFee: parsed.BENCH_L1_BLOB_BASE_FEE ?? DEFAULT_FEE_PARAMETERS.l1BlobBaseFee,
      l1BaseFeeScalar: parsed.BENCH_L1_BASE_FEE_SCALAR ?? DEFAULT_FEE_PARAMETERS.l1BaseFeeScalar,
      l1BlobBaseFeeScalar:
        parsed.BENCH_L1_BLOB_BASE_FEE_SCALAR ?? DEFAULT_FEE_PARAMETERS.l1BlobBaseFeeScalar,
    },
    headlineQuorum: 3,
    quorums: [3, 5, 7, 11],
    batchSizes: [1, 10, 50, 200],
    registeredSizes: [5, 10, 25, 50, 100, 128, 200],
    historySizes: quick ? [0, 1_000, 2_000] : [0, 10_000, 100_000],
    historyFillBatch: 200,
    archiveLines: quick ? [10_000, 50_000] : [10_000, 100_000, 1_000_000],
    throughputLines: quick ? 10_000 : 50_000,
  };
}
