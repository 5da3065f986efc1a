/**
 * What `deploy` is about to send, before it sends it: per contract, whether hardhat-deploy will
 * reuse the recorded deployment (same bytecode and arguments: no transaction) or deploy it, and for
 * each deployment its L2 gas and L1 data fee (GasPriceOracle predeploy where the chain has one).
 * Constructor arguments come from the same validated parameters as the deploy scripts; the
 * ledger's registry address is the recorded one, or the address the registry will get. A record
 * whose address holds no code (the chain was reset under it) is refused, naming the record.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import {
  encodeDeployData,
  getContractAddress,
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";

import {
  estimateTransactionCost,
  formatTransactionCost,
  type TransactionCostEstimate,
} from "../opstack/l1-fee";
import { EveryChannelError } from "../errors";
import {
  deployContext,
  deploymentRecord,
  deploymentRecordPath,
  DEPLOYMENTS,
  type DeploymentTag,
} from "./context";

export interface PlannedDeployment {
  tag: DeploymentTag;
  name: string;
  /** Recorded and unchanged: hardhat-deploy sends nothing for it. */
  reused: boolean;
  address: Address;
  estimate?: TransactionCostEstimate;
}

export async function planDeployments(
  hre: HardhatRuntimeEnvironment,
  client: PublicClient,
): Promise<PlannedDeployment[]> {
  const { deployer, parameters } = await deployContext(hre);
  const network = hre.network.name;
  let nonce = await client.getTransactionCount({ address: deployer, blockTag: "pending" });
  const plans: PlannedDeployment[] = [];
  const plan = async (tag: DeploymentTag, args: readonly unknown[]): Promise<Address> => {
    const name = DEPLOYMENTS[tag];
    const record = await deploymentRecord(hre, tag);
    if (record !== undefined) {
      // After a chain reset the records outlive the contracts; hardhat-deploy would then fail
      // looking for the deploy transaction, or reuse an address that holds nothing.
      const code = await client.getCode({ address: record.address as Address });
      if (code === undefined || code === "0x") {
        const file = deploymentRecordPath(hre, tag);
        throw new EveryChannelError(
          `${network}: the ${name} deployment record (${file}) names ${record.address}, but there is no contract code at ${record.address} on network ${network}; delete the record (after a chain reset: the network's whole folder) to deploy anew`,
          { network, tag, address: record.address },
        );
      }
    }
    const { differences, address } = await hre.deployments.fetchIfDifferent(name, {
      from: deployer,
      args: args.map((arg) => (typeof arg === "bigint" ? arg.toString() : arg)),
    });
    if (!differences && address !== undefined) {
      plans.push({ tag, name, reused: true, address: address as Address });
      return address as Address;
    }
    const artifact = await hre.artifacts.readArtifact(name);
    const data = encodeDeployData({
      abi: artifact.abi as Abi,
      bytecode: artifact.bytecode as Hex,
      args: args as unknown[],
    });
    const estimate = await estimateTransactionCost({
      client,
      account: deployer,
      data,
      abi: artifact.abi as Abi,
    });
    const predicted = getContractAddress({ from: deployer, nonce: BigInt(nonce) });
    nonce += 1;
    plans.push({ tag, name, reused: false, address: predicted, estimate });
    return predicted;
  };
  const registry = await plan("WitnessRegistry", [
    parameters.owner,
    parameters.witnesses,
    parameters.quorum,
  ]);
  await plan("ObservationLedger", [registry]);
  await plan("Rail", []);
  return plans;
}

export function formatDeploymentPlan(
  network: string,
  plans: readonly PlannedDeployment[],
): string[] {
  const lines = [`deploy plan on ${network}:`];
  for (const p of plans) {
    if (p.reused) {
      lines.push(`  ${p.name}: unchanged at ${p.address} (no transaction)`);
    } else {
      lines.push(`  ${p.name}: deploy to ${p.address}`);
      if (p.estimate !== undefined)
        for (const line of formatTransactionCost(p.estimate)) lines.push(`    ${line}`);
    }
  }
  return lines;
}
