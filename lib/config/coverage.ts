/**
 * `hardhat coverage` (solidity-coverage) compiles instrumented contracts into the default
 * `artifacts/` and `cache/`. Instrumented bytecode is larger than the 24 KiB code-size limit and
 * costs more gas, so a real node (anvil) refuses to deploy it. The hardhat processes the end-to-end
 * tests start during a coverage run (operators' tasks against anvil, `reality-smoke --network
 * anvil`) therefore build and use the plain contracts in a directory of their own, named by
 * `PLAIN_BUILD_DIR_VARIABLE` in their environment; the coverage run sets it for them.
 */
import path from "node:path";

/** The environment variable that points a hardhat process at the plain build. */
export const PLAIN_BUILD_DIR_VARIABLE = "SOLIDITY_COVERAGE_PLAIN_BUILD_DIR";
/** The plain build's directory under the project root during a coverage run. */
export const PLAIN_BUILD_DIR = ".coverage_plain_build";

/** The `paths` of a hardhat process told to use the plain build, or none. */
export function plainBuildPaths(
  env: NodeJS.ProcessEnv,
): { artifacts: string; cache: string } | undefined {
  const dir = env[PLAIN_BUILD_DIR_VARIABLE];
  if (dir === undefined || dir === "") return undefined;
  return { artifacts: path.join(dir, "artifacts"), cache: path.join(dir, "cache") };
}
