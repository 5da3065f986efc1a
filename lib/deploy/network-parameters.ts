/** The deploy parameters of every network, one typed file each under `lib/deploy/networks/`. */
import { parameters as anvil } from "./networks/anvil";
import { parameters as ecpForgeL2 } from "./networks/ecpForgeL2";
import { parameters as hardhat } from "./networks/hardhat";
import { parameters as localhost } from "./networks/localhost";
import { parameters as opSepolia } from "./networks/opSepolia";
import type { DeployParametersByNetwork } from "./parameters";

export const DEPLOY_PARAMETERS: DeployParametersByNetwork = {
  hardhat,
  localhost,
  anvil,
  ecpForgeL2,
  opSepolia,
};
