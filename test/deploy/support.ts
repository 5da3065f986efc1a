import { expect } from "chai";
import hre from "hardhat";
import type { Address } from "viem";

import { DEPLOYMENTS, type DeploymentTag } from "../../lib/deploy/context";

/** Runs the deploy scripts of `tags` on a fresh in-process chain (hardhat-deploy fixture). */
export async function deployFixture(tags: readonly DeploymentTag[]): Promise<void> {
  await hre.deployments.fixture([...tags]);
}

/** The address and deploy gas of a deployment made by the scripts. */
export async function deployed(tag: DeploymentTag): Promise<{ address: Address; gasUsed: bigint }> {
  const deployment = await hre.deployments.get(DEPLOYMENTS[tag]);
  const gasUsed = deployment.receipt?.gasUsed;
  expect(gasUsed, `${tag} has a deploy receipt`).to.not.equal(undefined);
  return { address: deployment.address as Address, gasUsed: BigInt(gasUsed!.toString()) };
}

/** Runs the scripts of `tags` again and asserts that no block was mined and no nonce moved. */
export async function expectRedeploySendsNothing(tags: readonly DeploymentTag[]): Promise<void> {
  const client = await hre.viem.getPublicClient();
  const { deployer } = await hre.getNamedAccounts();
  const before = {
    block: await client.getBlockNumber(),
    nonce: await client.getTransactionCount({ address: deployer as Address }),
    addresses: await Promise.all(
      tags.map(async (tag) => (await hre.deployments.get(DEPLOYMENTS[tag])).address),
    ),
  };
  await hre.deployments.run([...tags], {
    resetMemory: false,
    deletePreviousDeployments: false,
    writeDeploymentsToFiles: false,
  });
  const after = {
    block: await client.getBlockNumber(),
    nonce: await client.getTransactionCount({ address: deployer as Address }),
    addresses: await Promise.all(
      tags.map(async (tag) => (await hre.deployments.get(DEPLOYMENTS[tag])).address),
    ),
  };
  expect(after).to.deep.equal(before);
}
