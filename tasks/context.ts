// What the operator tasks share: secrets, the network preflight, the sending account and the
// deployed contracts. Glue only; the logic is in lib/.
import { vars } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { ArtifactsMap } from "hardhat/types/artifacts";
import type { Address, PublicClient } from "viem";

import {
  DEPLOYMENTS,
  deploymentRecord,
  deploymentRecordPath,
  type DeploymentTag,
} from "../lib/deploy/context";
import { isLiveNetwork } from "../lib/deploy/network-definitions";
import { liveSecretFor } from "../lib/deploy/parameters";
import { preflightNetwork } from "../lib/deploy/preflight";
import { viemChainFor } from "../lib/deploy/viem-chain";
import { EveryChannelError } from "../lib/errors";
import { requireSigningKey, resolveAccountArgument } from "../lib/operator/accounts";
import type { ContractRef, LedgerRef, RegistryRef } from "../lib/operator/contracts";
import { parseAddressArgument } from "../lib/operator/registry";
import type { OperatorWallet } from "../lib/operator/send";
import type { PrivateKeySecret, SecretName } from "../lib/secrets/names";
import { createSecretReader, type SecretReader } from "../lib/secrets/reader";
import { ADDRESS_OPTION } from "./options";

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

/** The key a named sending account comes from on a live network (the owner may be an address). */
const SENDING_KEYS: Readonly<Record<string, PrivateKeySecret>> = {
  witness: "WITNESS_PRIVATE_KEY",
  relayer: "RELAYER_PRIVATE_KEY",
  publisher: "PUBLISHER_PRIVATE_KEY",
};

/** `checkNetwork`, also requiring the key of `from` when it is a named account with one. */
export async function checkNetworkToSend(
  hre: HardhatRuntimeEnvironment,
  from: string,
): Promise<void> {
  const key = Object.prototype.hasOwnProperty.call(SENDING_KEYS, from)
    ? SENDING_KEYS[from]
    : undefined;
  await checkNetwork(hre, key === undefined ? [] : [key]);
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

/** The contract the address of a deployment record or option points at has no code. */
export class NoContractCodeError extends EveryChannelError {
  override name = "NoContractCodeError";
}

/**
 * The address of a deployed contract: `override` (its option's value) when given, else the
 * deployment record's. Refuses, naming the option or the record, when there is neither or when
 * the address holds no contract code on this network.
 */
export async function deploymentAddress(
  hre: HardhatRuntimeEnvironment,
  client: PublicClient,
  tag: DeploymentTag,
  override: string | undefined,
): Promise<Address> {
  const network = hre.network.name;
  const option = ADDRESS_OPTION[tag];
  // The in-process chain starts empty in every process: deploying there helps no later command.
  const deploy =
    network === "hardhat"
      ? "use a node's network (--network localhost) and deploy there"
      : `deploy it (npx hardhat --network ${network} deploy)`;
  let address: Address;
  let noCode: string;
  if (override !== undefined && override !== "") {
    address = parseAddressArgument(option, override);
    noCode = `${option}: no contract code at ${address} on network ${network}`;
  } else {
    const record = await deploymentRecord(hre, tag);
    if (record === undefined) {
      throw new EveryChannelError(
        `${network}: no ${DEPLOYMENTS[tag]} deployment record (${deploymentRecordPath(hre, tag)}); ${deploy}, or pass --${option} <address>`,
        { network, tag },
      );
    }
    address = record.address as Address;
    noCode = `${network}: the ${DEPLOYMENTS[tag]} deployment record (${deploymentRecordPath(hre, tag)}) names ${address}, but there is no contract code at ${address} on network ${network}; ${deploy}, or pass --${option} <address>`;
  }
  const code = await client.getCode({ address });
  if (code === undefined || code === "0x") {
    throw new NoContractCodeError(noCode, { network, tag, address });
  }
  return address;
}

type AbiOf<tag extends DeploymentTag> = ArtifactsMap[(typeof DEPLOYMENTS)[tag]]["abi"];

/** A deployed contract: its address (see `deploymentAddress`) and its compiled ABI. */
export async function deployedContract<tag extends DeploymentTag>(
  hre: HardhatRuntimeEnvironment,
  client: PublicClient,
  tag: tag,
  override: string | undefined,
): Promise<ContractRef<AbiOf<tag>>> {
  const address = await deploymentAddress(hre, client, tag, override);
  const artifact = await hre.artifacts.readArtifact(DEPLOYMENTS[tag]);
  return { address, abi: artifact.abi as AbiOf<tag> };
}

/** The ledger (its deployment record or `--ledger`) and the registry it reads. */
export async function ledgerAndRegistry(
  hre: HardhatRuntimeEnvironment,
  override: string | undefined,
): Promise<{ client: PublicClient; ledger: LedgerRef; registry: RegistryRef }> {
  const client = await publicClient(hre);
  const ledger = await deployedContract(hre, client, "ObservationLedger", override);
  let registryAddress: Address;
  try {
    registryAddress = await client.readContract({
      address: ledger.address,
      abi: ledger.abi,
      functionName: "registry",
    });
  } catch (cause) {
    throw new EveryChannelError(
      `${hre.network.name}: the contract at ${ledger.address} is not an observation ledger (its registry() fails)`,
      { address: ledger.address },
      { cause },
    );
  }
  const artifact = await hre.artifacts.readArtifact(DEPLOYMENTS.WitnessRegistry);
  return {
    client,
    ledger,
    registry: { address: registryAddress, abi: artifact.abi as RegistryRef["abi"] },
  };
}
