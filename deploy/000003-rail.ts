import type { DeployFunction } from "hardhat-deploy/types";

import { deployContext, DEPLOYMENTS } from "../lib/deploy/context";

const func: DeployFunction = async (hre) => {
  const { deployer, waitConfirmations } = await deployContext(hre);
  await hre.deployments.deploy(DEPLOYMENTS.Rail, {
    from: deployer,
    args: [],
    log: true,
    waitConfirmations,
  });
};

func.tags = ["Rail"];
export default func;
