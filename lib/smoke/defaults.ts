/** Defaults of `reality-smoke`, kept free of heavy imports so that the task can register cheaply. */

/** The archive the smoke reads when `--archive` is not given, relative to the project root. */
export const DEFAULT_ARCHIVE_DIR = "fixtures/archive";

/** The modes `--mode` accepts; `both` runs `tx`, then `relayed` on a second ledger. */
export const SMOKE_MODES = ["tx", "relayed", "both"] as const;

/** The mode run when `--mode` is not given. */
export const DEFAULT_SMOKE_MODE = "both";
