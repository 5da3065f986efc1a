/**
 * Artifacts for contracts a test deploys on a real node (anvil) from inside the test process. During
 * a coverage run the in-process `hre.artifacts` are instrumented and too large for anvil
 * (`lib/config/coverage.ts`), so the plain build is read instead. Kept apart from
 * `lib/config/coverage.ts`, which the Hardhat config imports and which must not load Hardhat's
 * internals.
 */
import { Artifacts } from "hardhat/internal/artifacts";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

import { plainBuildPaths } from "./coverage";

/** The plain build during a coverage run, else `hre.artifacts`. */
export function realNodeArtifacts(
  hre: Pick<HardhatRuntimeEnvironment, "artifacts">,
  env: NodeJS.ProcessEnv = process.env,
): Pick<HardhatRuntimeEnvironment["artifacts"], "readArtifact"> {
  const paths = plainBuildPaths(env);
  return paths === undefined ? hre.artifacts : new Artifacts(paths.artifacts);
}
