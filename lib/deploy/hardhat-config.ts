/**
 * The `networks` and `namedAccounts` sections of `hardhat.config.ts`, built from the network
 * definitions and the secrets at hand. Missing or malformed secrets leave a live network without
 * URL or accounts (the config still loads; `preflightNetwork` names the secret when it is used).
 */
import type { NetworksUserConfig } from "hardhat/types";

import type { SecretReader } from "../secrets/reader";
import {
  DEV_MNEMONIC,
  HARDHAT_ACCOUNT_COUNT,
  LOCAL_ACCOUNT_COUNT,
  NETWORK_NAMES,
  type NetworkName,
} from "./network-definitions";
import { liveNamedAddresses, resolveNetwork, WITNESS_SLOTS } from "./resolve-network";

export interface BuildNetworksParameters {
  reader: SecretReader;
  /** The hardfork of the in-process chain. */
  hardfork: string;
}

/** The `networks` section. */
export function buildNetworksConfig(parameters: BuildNetworksParameters): NetworksUserConfig {
  const { reader } = parameters;
  const mnemonic = reader.optional("ANVIL_MNEMONIC") ?? DEV_MNEMONIC;
  const localhost = resolveNetwork("localhost", reader);
  const anvil = resolveNetwork("anvil", reader);
  const ecpForgeL2 = resolveNetwork("ecpForgeL2", reader);
  const opSepolia = resolveNetwork("opSepolia", reader);
  return {
    hardhat: {
      chainId: resolveNetwork("hardhat", reader).chainId,
      hardfork: parameters.hardfork,
      accounts: { mnemonic: DEV_MNEMONIC, count: HARDHAT_ACCOUNT_COUNT },
    },
    localhost: { url: localhost.url, accounts: { mnemonic, count: LOCAL_ACCOUNT_COUNT } },
    anvil: { url: anvil.url, accounts: { mnemonic, count: LOCAL_ACCOUNT_COUNT } },
    ecpForgeL2: {
      url: ecpForgeL2.url ?? "",
      chainId: ecpForgeL2.chainId,
      accounts: ecpForgeL2.privateKeys,
    },
    opSepolia: {
      url: opSepolia.url ?? "",
      chainId: opSepolia.chainId,
      accounts: opSepolia.privateKeys,
    },
  };
}

/** Indices of the named accounts among the dev accounts of `hardhat`, `localhost` and `anvil`. */
export const LOCAL_NAMED_ACCOUNT_INDEX: Readonly<Record<string, number>> = {
  deployer: 0,
  owner: 1,
  relayer: 2,
  publisher: 3,
  witness: 4,
  ...Object.fromEntries(
    Array.from({ length: WITNESS_SLOTS }, (_, i) => [`witness${i + 1}`, 4 + i] as const),
  ),
};

type NamedAccountSpec = Partial<Record<NetworkName, number | string>>;

/** The `namedAccounts` section (hardhat-deploy): dev account indices locally, secrets live. */
export function buildNamedAccountsConfig(reader: SecretReader): Record<string, NamedAccountSpec> {
  const live = {
    ecpForgeL2: resolveNetwork("ecpForgeL2", reader),
    opSepolia: resolveNetwork("opSepolia", reader),
  };
  const result: Record<string, NamedAccountSpec> = {};
  for (const [name, index] of Object.entries(LOCAL_NAMED_ACCOUNT_INDEX)) {
    const spec: NamedAccountSpec = {};
    for (const network of NETWORK_NAMES) {
      if (network === "hardhat" || network === "localhost" || network === "anvil") {
        spec[network] = index;
      } else {
        const accounts = live[network].accounts;
        const address = accounts === undefined ? undefined : liveNamedAddresses(accounts)[name];
        if (address !== undefined) spec[network] = address;
      }
    }
    result[name] = spec;
  }
  return result;
}
