import type { DeployFunction } from "hardhat-deploy/types";

import { deployContext, DEPLOYMENTS } from "../lib/deploy/context";

const func: DeployFunction = async (hre) => {
  const { deployer, waitConfirmations } = await deployContext(hre);
  const registry = await hre.deployments.get(DEPLOYMENTS.WitnessRegistry);
  await hre.deployments.deploy(DEPLOYMENTS.ObservationLedger, {
    from: deployer,
    args: [registry.address],
    log: true,
    waitConfirmations,
  });
};

func.tags = ["ObservationLedger"];
func.dependencies = ["WitnessRegistry"];
export default func;
