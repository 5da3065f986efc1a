/**
 * `reality-smoke` as a command: validates the options, loads the archive set, asks the caller to
 * prepare the ledgers and accounts (deployment is the caller's business: the Hardhat task does it
 * through hardhat-deploy), runs, prints the summary table and writes the JSON report. Throws
 * `RealitySmokeMismatchError`, listing every mismatch, when the chain does not hold what the
 * archives dictate.
 */
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import type { PublicClient } from "viem";
import { z } from "zod";

import { EveryChannelError, InvalidFieldError } from "../errors";
import type { OperatorWallet } from "../operator/send";
import { loadArchiveSet } from "./archive-set";
import { SMOKE_MODE_RUNS, SMOKE_MODES } from "./defaults";
import { strictMajority } from "./outcome";
import { createProgress, type Progress } from "./progress";
import {
  formatMismatches,
  formatSummaryTable,
  writeReport,
  type SmokeMode,
  type SmokeReport,
} from "./report";
import { runRealitySmoke, type SmokeTarget } from "./run";

export const realitySmokeOptionsSchema = z
  .object({
    archive: z.string().min(1, "must name a directory"),
    quorum: z.number().int("must be a whole number").min(1, "must be at least 1").optional(),
    mode: z.enum(SMOKE_MODES, {
      errorMap: () => ({ message: `must be one of ${SMOKE_MODES.join(", ")}` }),
    }),
    json: z.string().min(1, "must name a file").optional(),
    log: z.string().min(1, "must name a file").optional(),
    skipInvalid: z.boolean(),
    maxTransactions: z
      .number()
      .int("must be a whole number")
      .min(0, "must not be negative")
      .optional(),
  })
  .strict();

export type RealitySmokeOptions = z.output<typeof realitySmokeOptionsSchema>;

/** Parses raw task arguments; the first problem is thrown naming the flag and value. */
export function parseRealitySmokeOptions(raw: Record<string, unknown>): RealitySmokeOptions {
  const cleaned = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
  const parsed = realitySmokeOptionsSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join(".") || "options";
    throw new InvalidFieldError(`--${field}`, cleaned[field], issue.message);
  }
  return parsed.data;
}

/** The chain did not hold what the archives dictate (each mismatch on its own line). */
export class RealitySmokeMismatchError extends EveryChannelError {
  override name = "RealitySmokeMismatchError";
  readonly report: SmokeReport;

  constructor(report: SmokeReport) {
    const count = report.modes.reduce((n, m) => n + m.mismatches.length, 0);
    super(
      `reality-smoke: ${count} slot outcome(s) differ from what the archives dictate:\n${formatMismatches(report)}`,
      { count },
    );
    this.report = report;
  }
}

/** The run stopped early at `--max-transactions` (as a killed run would); re-run to resume. */
export class RealitySmokeStoppedError extends EveryChannelError {
  override name = "RealitySmokeStoppedError";
}

export interface PreparedSmoke {
  targets: SmokeTarget[];
  publicClient: PublicClient;
  /** Each witness's wallet, by witness index (archive order). */
  witnessWallets: OperatorWallet[];
  relayerWallet: OperatorWallet;
}

export interface RealitySmokeCommandParameters {
  options: RealitySmokeOptions;
  /** Project root (relative paths resolve against it). */
  root: string;
  network: string;
  chainId: number;
  /**
   * Deploys or reuses the registry and the ledgers, registers `witnessCount` witnesses with
   * `quorum`, and returns one target per mode with the witnesses' and the relayer's wallets.
   */
  prepare(request: {
    modes: SmokeMode[];
    witnessCount: number;
    quorum: number;
  }): Promise<PreparedSmoke>;
  /** Where the table goes (default stdout). */
  out?: NodeJS.WritableStream;
  /** Where progress and notes go (default stderr). */
  err?: NodeJS.WritableStream;
  progress?: Progress;
}

/** A path relative to the project root when inside it, absolute otherwise. */
function displayPath(root: string, dir: string): string {
  const relative = path.relative(root, dir);
  return relative === ""
    ? "."
    : relative.startsWith("..") || path.isAbsolute(relative)
      ? dir
      : relative;
}

/** Runs the command; resolves with the report when every slot matches. */
export async function realitySmokeCommand(
  parameters: RealitySmokeCommandParameters,
): Promise<SmokeReport> {
  const { options } = parameters;
  const out = parameters.out ?? process.stdout;
  const err = parameters.err ?? process.stderr;
  const dir = path.resolve(parameters.root, options.archive);
  let invalid = 0;
  const archive = await loadArchiveSet({
    dir,
    skipInvalid: options.skipInvalid,
    onInvalid: (witness, error) => {
      invalid += 1;
      if (invalid <= 20) err.write(`reality-smoke: ${witness}: skipped ${error.shortMessage}\n`);
    },
  });
  if (invalid > 20) err.write(`reality-smoke: ${invalid} invalid lines skipped in all\n`);
  if (archive.witnesses.every((w) => w.epochs.length === 0))
    throw new InvalidFieldError("--archive", options.archive, "holds no epoch");
  const witnessCount = archive.witnesses.length;
  const quorum = options.quorum ?? strictMajority(witnessCount);
  if (2 * quorum <= witnessCount || quorum > witnessCount) {
    throw new InvalidFieldError(
      "--quorum",
      quorum,
      `must be a strict majority of the ${witnessCount} witnesses (${strictMajority(witnessCount)}..${witnessCount})`,
    );
  }
  const modes: SmokeMode[] = [...SMOKE_MODE_RUNS[options.mode]];
  err.write(
    `reality-smoke: ${witnessCount} witnesses (${archive.witnesses.map((w) => w.name).join(", ")}), quorum ${quorum}, ` +
      `${archive.read.entries} archive lines (${archive.retries} retries, ${archive.repairs} repairs), on ${parameters.network}\n`,
  );
  const prepared = await parameters.prepare({ modes, witnessCount, quorum });
  let log: ((line: string) => void) | undefined;
  if (options.log !== undefined) {
    const file = path.resolve(parameters.root, options.log);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, "");
    log = (line) => appendFileSync(file, `${line}\n`);
  }
  const { report, stopped } = await runRealitySmoke({
    witnesses: archive.witnesses,
    archive: displayPath(parameters.root, dir),
    quorum,
    targets: prepared.targets,
    publicClient: prepared.publicClient,
    witnessWallets: prepared.witnessWallets,
    relayerWallet: prepared.relayerWallet,
    network: parameters.network,
    chainId: parameters.chainId,
    progress: parameters.progress ?? createProgress({ stream: err }),
    ...(log === undefined ? {} : { log }),
    ...(options.maxTransactions === undefined ? {} : { maxTransactions: options.maxTransactions }),
  });
  out.write(`${formatSummaryTable(report)}\n`);
  if (options.json !== undefined) {
    writeReport(path.resolve(parameters.root, options.json), report);
  }
  if (stopped) {
    throw new RealitySmokeStoppedError(
      `reality-smoke: stopped after --max-transactions ${options.maxTransactions}; run again to resume`,
    );
  }
  if (!report.ok) throw new RealitySmokeMismatchError(report);
  return report;
}
