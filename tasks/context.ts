// What the operator tasks share: secrets, the network preflight, the sending account and the
// deployed contracts. Glue only; the logic is in lib/.
import { vars } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Address, PublicClient } from "viem";

import { DEPLOYMENTS, type DeploymentTag } from "../lib/deploy/context";
import { isLiveNetwork } from "../lib/deploy/network-definitions";
import { liveSecretFor } from "../lib/deploy/parameters";
import { preflightNetwork } from "../lib/deploy/preflight";
import { viemChainFor } from "../lib/deploy/viem-chain";
import { EveryChannelError } from "../lib/errors";
import { requireSigningKey, resolveAccountArgument } from "../lib/operator/accounts";
import { parseAddressArgument } from "../lib/operator/registry";
import type { OperatorWallet } from "../lib/operator/send";
import type { SecretName } from "../lib/secrets/names";
import { createSecretReader, type SecretReader } from "../lib/secrets/reader";

export function secretReader(): SecretReader {
  return createSecretReader({ env: process.env, vars });
}

function hintFor(hre: HardhatRuntimeEnvironment) {
  return isLiveNetwork(hre.network.name) ? liveSecretFor : undefined;
}

/** Checks secrets, RPC URL and chain id of `hre.network` before anything else. */
export async function checkNetwork(
  hre: HardhatRuntimeEnvironment,
  requires: readonly SecretName[] = [],
): Promise<void> {
  const config = hre.network.config;
  await preflightNetwork({
    network: hre.network.name,
    reader: secretReader(),
    requires,
    url: "url" in config ? config.url : undefined,
    chainId: config.chainId,
  });
}

/** Resolves a named account or address given as a task argument. */
export async function accountArgument(
  hre: HardhatRuntimeEnvironment,
  field: string,
  value: string,
): Promise<Address> {
  return resolveAccountArgument(field, value, await hre.getNamedAccounts(), hintFor(hre));
}

/** A wallet for `from`, refusing when this process has no key for it. */
export async function walletFor(
  hre: HardhatRuntimeEnvironment,
  from: string,
): Promise<OperatorWallet> {
  const address = await accountArgument(hre, "from", from);
  const available = (await hre.network.provider.request({ method: "eth_accounts" })) as string[];
  const hint =
    isLiveNetwork(hre.network.name) && !from.startsWith("0x") ? liveSecretFor(from) : undefined;
  requireSigningKey(address, available, hre.network.name, hint);
  const chain = chainOf(hre);
  return (await hre.viem.getWalletClient(
    address,
    chain === undefined ? undefined : { chain },
  )) as OperatorWallet;
}

function chainOf(hre: HardhatRuntimeEnvironment) {
  const config = hre.network.config;
  return viemChainFor(hre.network.name, config.chainId, "url" in config ? config.url : undefined);
}

export async function publicClient(hre: HardhatRuntimeEnvironment): Promise<PublicClient> {
  const chain = chainOf(hre);
  return (await hre.viem.getPublicClient(
    chain === undefined ? undefined : { chain },
  )) as PublicClient;
}

/** The address of a deployed contract: `override` when given, else the deployment record. */
export async function deploymentAddress(
  hre: HardhatRuntimeEnvironment,
  tag: DeploymentTag,
  override: string | undefined,
): Promise<Address> {
  if (override !== undefined && override !== "") return parseAddressArgument(tag, override);
  const deployment = await hre.deployments.getOrNull(DEPLOYMENTS[tag]);
  if (deployment === null) {
    throw new EveryChannelError(
      `${hre.network.name}: no ${DEPLOYMENTS[tag]} deployment recorded (run \`npx hardhat --network ${hre.network.name} deploy\` or pass its address)`,
      { network: hre.network.name, tag },
    );
  }
  return deployment.address as Address;
}
