/** Defaults of `reality-smoke`, kept free of heavy imports so that the task can register cheaply. */

/** The archive the smoke reads when `--archive` is not given, relative to the project root. */
export const DEFAULT_ARCHIVE_DIR = "fixtures/archive";

/**
 * The modes `--mode` accepts: one mode, or `all` (`tx`, `relayed`, then `report`, each on its own
 * ledger). `both` (`tx`, then `relayed`) is the 0.1 name, still accepted.
 */
export const SMOKE_MODES = ["tx", "relayed", "report", "all", "both"] as const;

/** The modes each `--mode` runs, in order. */
export const SMOKE_MODE_RUNS = {
  tx: ["tx"],
  relayed: ["relayed"],
  report: ["report"],
  all: ["tx", "relayed", "report"],
  both: ["tx", "relayed"],
} as const satisfies Record<(typeof SMOKE_MODES)[number], readonly ("tx" | "relayed" | "report")[]>;

/** The mode run when `--mode` is not given. */
export const DEFAULT_SMOKE_MODE = "all";
