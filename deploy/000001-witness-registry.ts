import type { DeployFunction } from "hardhat-deploy/types";

import { deployContext, DEPLOYMENTS } from "../lib/deploy/context";

const func: DeployFunction = async (hre) => {
  const { deployer, parameters, waitConfirmations } = await deployContext(hre);
  const { owner, witnesses, quorum } = parameters;
  await hre.deployments.deploy(DEPLOYMENTS.WitnessRegistry, {
    from: deployer,
    args: [owner, witnesses, quorum.toString()],
    log: true,
    waitConfirmations,
  });
};

func.tags = ["WitnessRegistry"];
export default func;
