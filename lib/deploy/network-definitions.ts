/**
 * The networks this project deploys to and how each finds its RPC URL, chain id and accounts.
 * `hardhat` is the in-process chain; `localhost` and `anvil` are local nodes with anvil's dev
 * accounts; `ecpForgeL2` (the ecp-forge OP Stack L2, Sepolia-anchored) and `opSepolia` are live and
 * take their URL and keys from secrets.
 */
import {
  ECP_FORGE_L2_DEFAULT_CHAIN_ID,
  HARDHAT_CHAIN_ID,
  OP_SEPOLIA_CHAIN_ID,
} from "../config/chains";
import type { SecretName } from "../secrets/names";

/** anvil's and Hardhat's default dev mnemonic (public test accounts, no value on any real chain). */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";
/** The default URL of `localhost` and `anvil`. */
export const LOCAL_RPC_URL = "http://127.0.0.1:8545";
/** Funded accounts on the in-process chain (one per witness plus relayer for the smoke runs). */
export const HARDHAT_ACCOUNT_COUNT = 40;
/** Accounts derived from the dev mnemonic on `localhost`/`anvil` (anvil funds 10 by default). */
export const LOCAL_ACCOUNT_COUNT = 20;

export type NetworkName = "hardhat" | "localhost" | "anvil" | "ecpForgeL2" | "opSepolia";
export const NETWORK_NAMES = [
  "hardhat",
  "localhost",
  "anvil",
  "ecpForgeL2",
  "opSepolia",
] as const satisfies readonly NetworkName[];

export type NetworkDefinition =
  | { kind: "in-process"; chainId: number }
  | { kind: "local"; defaultUrl: string; urlSecret?: SecretName }
  | {
      kind: "live";
      urlSecret: SecretName;
      /** A fixed chain id, or a default overridable by `chainIdSecret`. */
      chainId: number;
      chainIdSecret?: SecretName;
      /** Block confirmations to wait for after each deploy transaction. */
      confirmations: number;
    };

export const NETWORKS: Readonly<Record<NetworkName, NetworkDefinition>> = {
  hardhat: { kind: "in-process", chainId: HARDHAT_CHAIN_ID },
  localhost: { kind: "local", defaultUrl: LOCAL_RPC_URL },
  anvil: { kind: "local", defaultUrl: LOCAL_RPC_URL, urlSecret: "ANVIL_RPC_URL" },
  ecpForgeL2: {
    kind: "live",
    urlSecret: "ECP_FORGE_L2_RPC_URL",
    chainId: ECP_FORGE_L2_DEFAULT_CHAIN_ID,
    chainIdSecret: "ECP_FORGE_L2_CHAIN_ID",
    confirmations: 1,
  },
  opSepolia: {
    kind: "live",
    urlSecret: "OP_SEPOLIA_RPC_URL",
    chainId: OP_SEPOLIA_CHAIN_ID,
    confirmations: 2,
  },
};

/** True for a network this project knows. */
export function isNetworkName(name: string): name is NetworkName {
  return (NETWORK_NAMES as readonly string[]).includes(name);
}

/** True for the networks that need secrets (`ecpForgeL2`, `opSepolia`). */
export function isLiveNetwork(name: string): boolean {
  return isNetworkName(name) && NETWORKS[name].kind === "live";
}

/** Renders a URL for messages without credentials, path or query (API keys often live there). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const hidden = parsed.pathname.length > 1 || parsed.search !== "" || parsed.username !== "";
    return `${parsed.protocol}//${parsed.host}${hidden ? "/…" : ""}`;
  } catch {
    return "(not a URL)";
  }
}
