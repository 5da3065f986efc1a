import { createRequire } from "node:module";

/** The one compiler version this project builds with; it is the pinned `solc` npm package. */
export const SOLC_VERSION = "0.8.30";

/**
 * The EVM version contracts are compiled for. OP Stack chains run Prague since the Isthmus
 * upgrade (the OP Stack's Pectra equivalent); Osaka opcodes are not available on them, so
 * `prague` is the newest target that every OP Stack chain deployed today executes.
 */
export const EVM_VERSION = "prague";

/** The shape Hardhat's `TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD` subtask returns. */
export interface LocalSolcBuild {
  version: string;
  longVersion: string;
  compilerPath: string;
  isSolcJs: true;
}

/** Error thrown when the configured compiler version and the installed `solc` package disagree. */
export class SolcVersionMismatchError extends Error {
  override name = "SolcVersionMismatchError";
  constructor(requested: string, installed: string) {
    super(
      `solidity.version: requested solc ${requested}, but the installed solc npm package is ${installed}; ` +
        `this project compiles only with the pinned package (no compiler downloads)`,
    );
  }
}

/** Resolves the wasm compiler shipped by the pinned `solc` npm package, refusing any other version. */
export function localSolcBuild(requested: string): LocalSolcBuild {
  const require = createRequire(__filename);
  const solc = require("solc") as { version(): string };
  const longVersion = solc.version().replace(/\.Emscripten\.clang$/, "");
  const installed = longVersion.split("+")[0] ?? longVersion;
  if (installed !== requested) throw new SolcVersionMismatchError(requested, installed);
  return {
    version: installed,
    longVersion,
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
  };
}
