import "@nomicfoundation/hardhat-toolbox-viem";
import "hardhat-deploy";
import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/config";

import { SOLC_VERSION, EVM_VERSION, localSolcBuild } from "./lib/config/solc";

// Compilation never touches the network: the compiler is the pinned `solc` npm package (wasm).
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }) =>
  localSolcBuild(args.solcVersion),
);

import "./tasks";

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      evmVersion: EVM_VERSION,
      optimizer: { enabled: true, runs: 10_000 },
    },
  },
  networks: {
    hardhat: {
      chainId: 31337,
      hardfork: EVM_VERSION,
    },
  },
  mocha: {
    timeout: 600_000,
    reporter: "./test/support/reporter.js",
  },
};

export default config;
