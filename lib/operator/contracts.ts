/**
 * The deployed contracts as the operator library uses them: address plus the ABI from the compiled
 * artifact (typed through Hardhat's generated `ArtifactsMap`; tasks obtain them with
 * `hre.viem.getContractAt`). Only types are imported here, so the library stays free of `hardhat`.
 */
import type { ArtifactsMap } from "hardhat/types/artifacts";
import type { Address } from "viem";

export type RegistryAbi = ArtifactsMap["EveryChannelWitnessRegistry"]["abi"];
export type LedgerAbi = ArtifactsMap["EveryChannelObservationLedger"]["abi"];
export type RailAbi = ArtifactsMap["EveryChannelRail"]["abi"];

export interface ContractRef<abi> {
  address: Address;
  abi: abi;
}

export type RegistryRef = ContractRef<RegistryAbi>;
export type LedgerRef = ContractRef<LedgerAbi>;
export type RailRef = ContractRef<RailAbi>;
