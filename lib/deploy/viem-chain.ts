/**
 * The viem chain of a live network. Hardhat's viem plugin recognises development nodes and the
 * chains viem knows by id; the ecp-forge L2 has its own id, so the live networks are defined here as
 * OP Stack chains with their GasPriceOracle predeploy.
 */
import { defineChain, type Chain } from "viem";

import { GAS_PRICE_ORACLE_ADDRESS } from "../opstack/gas-price-oracle";
import { isNetworkName, NETWORKS } from "./network-definitions";

const NAMES: Readonly<Record<string, string>> = {
  ecpForgeL2: "ecp-forge OP Stack L2",
  opSepolia: "OP Sepolia",
};

/** The chain to give viem clients on `network`, or undefined to let hardhat-viem detect it. */
export function viemChainFor(
  network: string,
  chainId: number | undefined,
  url: string | undefined,
): Chain | undefined {
  if (!isNetworkName(network) || chainId === undefined) return undefined;
  if (NETWORKS[network].kind !== "live") return undefined;
  return defineChain({
    id: chainId,
    name: NAMES[network] ?? network,
    nativeCurrency: { name: "Sepolia Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: url === undefined ? [] : [url] } },
    contracts: { gasPriceOracle: { address: GAS_PRICE_ORACLE_ADDRESS } },
    testnet: true,
  });
}
