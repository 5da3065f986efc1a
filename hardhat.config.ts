import "@nomicfoundation/hardhat-toolbox-viem";
import "hardhat-deploy";
import { execFileSync } from "node:child_process";
import path from "node:path";

import { subtask, task, vars } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/config";

import { PLAIN_BUILD_DIR, PLAIN_BUILD_DIR_VARIABLE, plainBuildPaths } from "./lib/config/coverage";
import { SOLC_VERSION, EVM_VERSION, localSolcBuild } from "./lib/config/solc";
import { buildNamedAccountsConfig, buildNetworksConfig } from "./lib/deploy/hardhat-config";
import { createSecretReader } from "./lib/secrets/reader";

// Compilation never touches the network: the compiler is the pinned `solc` npm package (wasm).
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }) =>
  localSolcBuild(args.solcVersion),
);

import "./tasks";

// `hardhat coverage` writes the instrumented build to artifacts/ and cache/. The hardhat processes
// the tests start meanwhile (operators against anvil) inherit PLAIN_BUILD_DIR_VARIABLE and use the
// plain build, compiled here once before the tests (lib/config/coverage.ts says why).
task("coverage").setAction(async (args, hre, runSuper) => {
  const dir = path.join(hre.config.paths.root, PLAIN_BUILD_DIR);
  process.env[PLAIN_BUILD_DIR_VARIABLE] = dir;
  console.log(`coverage: plain contracts for the tests' hardhat processes in ${PLAIN_BUILD_DIR}/`);
  execFileSync(
    path.join(hre.config.paths.root, "node_modules", ".bin", "hardhat"),
    ["compile", "--quiet"],
    {
      cwd: hre.config.paths.root,
      env: process.env,
      stdio: "inherit",
    },
  );
  return runSuper(args);
});

// Secrets (RPC URLs, keys, operator addresses) come from the environment or `npx hardhat vars set`,
// read lazily: absent secrets leave the live networks unconfigured and never affect local work.
const secrets = createSecretReader({ env: process.env, vars });

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      evmVersion: EVM_VERSION,
      optimizer: { enabled: true, runs: 10_000 },
    },
  },
  networks: buildNetworksConfig({ reader: secrets, hardfork: EVM_VERSION }),
  namedAccounts: buildNamedAccountsConfig(secrets),
  paths: {
    // Deployment records go to deployments/<network>/; ECP_DEPLOYMENTS_DIR redirects them (tests).
    deployments: process.env.ECP_DEPLOYMENTS_DIR ?? "deployments",
    ...plainBuildPaths(process.env),
  },
  mocha: {
    timeout: 600_000,
    reporter: "./test/support/reporter.js",
  },
};

export default config;
