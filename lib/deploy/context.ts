/**
 * What every deploy script needs: the deployer, the validated parameters of the network, and how
 * many confirmations to wait for. Validation happens here, before any transaction is sent.
 */
import path from "node:path";

import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Deployment } from "hardhat-deploy/types";
import type { Address } from "viem";

import { EveryChannelError } from "../errors";
import { isNetworkName, NETWORKS } from "./network-definitions";
import { DEPLOY_PARAMETERS } from "./network-parameters";
import {
  liveSecretFor,
  resolveDeployParameters,
  type ResolvedDeployParameters,
} from "./parameters";

/** Deployment names (as saved under `deployments/<network>/`) and their hardhat-deploy tags. */
export const DEPLOYMENTS = {
  WitnessRegistry: "EveryChannelWitnessRegistry",
  ObservationLedger: "EveryChannelObservationLedger",
  Rail: "EveryChannelRail",
} as const;

export type DeploymentTag = keyof typeof DEPLOYMENTS;

/**
 * The network's deployment record of `tag`, if any. hardhat-deploy 1.0.4 declares
 * `getOrNull(): Promise<Deployment | null>` but returns `undefined` for a missing record: test for
 * neither, use this.
 */
export async function deploymentRecord(
  hre: HardhatRuntimeEnvironment,
  tag: DeploymentTag,
): Promise<Deployment | undefined> {
  return (await hre.deployments.getOrNull(DEPLOYMENTS[tag])) ?? undefined;
}

/** Where the network's record of `tag` is kept, relative to the project root (for messages). */
export function deploymentRecordPath(hre: HardhatRuntimeEnvironment, tag: DeploymentTag): string {
  return path.relative(
    hre.config.paths.root,
    path.join(hre.config.paths.deployments, hre.network.name, `${DEPLOYMENTS[tag]}.json`),
  );
}

export interface DeployContext {
  deployer: Address;
  parameters: ResolvedDeployParameters;
  waitConfirmations: number;
}

/** Resolves the deploy context of `hre.network`; throws naming the field or secret at fault. */
export async function deployContext(hre: HardhatRuntimeEnvironment): Promise<DeployContext> {
  const network = hre.network.name;
  if (!isNetworkName(network)) {
    throw new EveryChannelError(
      `network ${network}: no deploy parameters (known: ${Object.keys(DEPLOY_PARAMETERS).join(", ")})`,
      { network },
    );
  }
  const definition = NETWORKS[network];
  const live = definition.kind === "live";
  const namedAccounts = await hre.getNamedAccounts();
  const parameters = resolveDeployParameters({
    network,
    raw: DEPLOY_PARAMETERS[network],
    namedAccounts,
    secretHint: live ? liveSecretFor : undefined,
  });
  const deployer = namedAccounts.deployer;
  if (deployer === undefined) {
    throw new EveryChannelError(
      `${network}: the named account deployer has no address${live ? " (set DEPLOYER_PRIVATE_KEY)" : ""}`,
      { network },
    );
  }
  return {
    deployer: deployer as Address,
    parameters,
    waitConfirmations: definition.kind === "live" ? definition.confirmations : 1,
  };
}
