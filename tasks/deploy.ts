// `deploy` (hardhat-deploy) checks the network first: secrets present and well formed, RPC URL
// reachable, chain id as configured, deploy parameters valid. Nothing is sent when one fails.
import { task, vars } from "hardhat/config";

import { deployContext } from "../lib/deploy/context";
import { preflightNetwork } from "../lib/deploy/preflight";
import { createSecretReader } from "../lib/secrets/reader";
import { reportErrors } from "./errors";

task("deploy").setAction(async (args: Record<string, unknown>, hre, runSuper) => {
  const config = hre.network.config;
  await reportErrors(async () => {
    await preflightNetwork({
      network: hre.network.name,
      reader: createSecretReader({ env: process.env, vars }),
      requires: ["DEPLOYER_PRIVATE_KEY"],
      url: "url" in config ? config.url : undefined,
      chainId: config.chainId,
    });
    await deployContext(hre);
  });
  return runSuper(args);
});
