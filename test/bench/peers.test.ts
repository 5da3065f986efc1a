// The bench's co-signing peers are real: a Safe 3 of 5 and a Keystone DON of 7 (three signatures)
// record the observation in the recorder, the Safe's nonce advances, and a wrong signature reverts in
// each. Gas is measured by `npm run bench`, not here.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import hre from "hardhat";
import { encodeFunctionData, hashTypedData, type Abi, type AbiItem } from "viem";

import { observationHash, observationSlot } from "../../lib/commitments/observation";
import { DEFAULT_FEE_PARAMETERS } from "../../lib/opstack/fee-model";
import { benchAccount, fund, hardhatChain, send, witnessAccounts } from "../../scripts/bench/chain";
import { nextHeader } from "../../scripts/bench/headers";
import {
  keystoneForwarderArtifact,
  signReport,
  transmitReport,
} from "../../scripts/bench/keystone";
import {
  expectRecorded,
  keystonePeer,
  keystoneRecord,
  PeerNotRecordedError,
  recorderArtifact,
  safePeer,
  safeRecord,
  type PeerContext,
} from "../../scripts/bench/peers";
import {
  deploySafeSingletons,
  execSafeTransaction,
  SAFE_TX_TYPES,
  safeAbi,
  safeNonce,
  safeTransaction,
} from "../../scripts/bench/safe";
import { expectRevert } from "../support/revert";

const fees = DEFAULT_FEE_PARAMETERS;

describe("bench peers: Safe and KeystoneForwarder", function () {
  async function peersFixture() {
    const chain = hardhatChain(hre.network.provider as never, hre.network.config.chainId ?? 31337);
    const deployer = benchAccount("peers test deployer");
    const relayer = benchAccount("peers test relayer");
    await fund(chain, [deployer.address, relayer.address]);
    const context: PeerContext = {
      chain,
      fees,
      deployer,
      relayer,
      recorder: await recorderArtifact(hre),
    };
    const singletons = await deploySafeSingletons(chain, deployer);
    const safe = await safePeer(context, singletons, 3, 5);
    const keystone = await keystonePeer(context, 2);
    return { context, safe, keystone };
  }

  describe("Safe 3 of 5", function () {
    it("records the observation and advances the nonce by one per execTransaction", async function () {
      const { context, safe } = await loadFixture(peersFixture);
      expect(await safeNonce(context.chain, safe.account.safe)).to.equal(0n);
      const header = nextHeader({ ...safe.cursor }).header;
      await safeRecord(context, safe, 1);
      expect(await safeNonce(context.chain, safe.account.safe)).to.equal(1n);
      const recorded = await context.chain.publicClient.readContract({
        address: safe.recorder,
        abi: context.recorder.abi,
        functionName: "recorded",
        args: [observationSlot(header.streamHash, header.epochHash)],
      });
      expect(recorded).to.equal(observationHash(header));
      await safeRecord(context, safe, 3);
      expect(await safeNonce(context.chain, safe.account.safe)).to.equal(2n);
    });

    it("signs the safeTxHash the Safe itself computes", async function () {
      const { context, safe } = await loadFixture(peersFixture);
      const transaction = safeTransaction(safe.recorder, "0x1234", 7n);
      const onChain = await context.chain.publicClient.readContract({
        address: safe.account.safe,
        abi: safeAbi,
        functionName: "getTransactionHash",
        args: [
          transaction.to,
          transaction.value,
          transaction.data,
          transaction.operation,
          transaction.safeTxGas,
          transaction.baseGas,
          transaction.gasPrice,
          transaction.gasToken,
          transaction.refundReceiver,
          transaction.nonce,
        ],
      });
      expect(onChain).to.equal(
        hashTypedData({
          domain: { chainId: context.chain.chain.id, verifyingContract: safe.account.safe },
          types: SAFE_TX_TYPES,
          primaryType: "SafeTx",
          message: transaction,
        }),
      );
    });

    it("reverts when a signature is not an owner's, and records nothing", async function () {
      const { context, safe } = await loadFixture(peersFixture);
      const header = nextHeader({ ...safe.cursor }).header;
      const data = encodeFunctionData({
        abi: context.recorder.abi,
        functionName: "record",
        args: [[header]],
      });
      const [stranger] = witnessAccounts(1, "not an owner");
      await expectRevert(
        execSafeTransaction(
          context.chain,
          safe.account,
          context.relayer,
          safe.recorder,
          data,
          fees,
          [...safe.account.owners.slice(0, 2), stranger!],
        ),
        safeAbi,
        "Error",
        ["GS026"],
      );
      await expectRevert(
        execSafeTransaction(
          context.chain,
          safe.account,
          context.relayer,
          safe.recorder,
          data,
          fees,
          safe.account.owners.slice(0, 2),
        ),
        safeAbi,
        "Error",
        ["GS020"],
      );
      expect(await safeNonce(context.chain, safe.account.safe)).to.equal(0n);
      const recorded = await context.chain.publicClient.readContract({
        address: safe.recorder,
        abi: context.recorder.abi,
        functionName: "recorded",
        args: [observationSlot(header.streamHash, header.epochHash)],
      });
      expect(BigInt(recorded as string)).to.equal(0n);
    });
  });

  describe("KeystoneForwarder, f = 2 (3 signatures of 7)", function () {
    it("is compiled from the package's source to the ABI the package publishes", function () {
      const require = createRequire(__filename);
      const published = JSON.parse(
        readFileSync(
          require.resolve("@chainlink/contracts/abi/v0.8/KeystoneForwarder.json"),
          "utf8",
        ),
      ) as AbiItem[];
      const key = (item: AbiItem) => JSON.stringify(item);
      expect(keystoneForwarderArtifact().abi.map(key).sort()).to.deep.equal(
        published.map(key).sort(),
      );
    });

    it("delivers a 3-signature report that the recorder records", async function () {
      const { context, keystone } = await loadFixture(peersFixture);
      const headers = [nextHeader({ ...keystone.cursor }).header];
      await keystoneRecord(context, keystone, 1);
      await expectRecorded(context, keystone.recorder, headers);
      const report = await signReport(keystone.deployment, headers, 99);
      expect(report.signatures).to.have.length(3);
    });

    it("reverts when a signer is not in the DON, or a signature is missing", async function () {
      const { context, keystone } = await loadFixture(peersFixture);
      const headers = [nextHeader({ ...keystone.cursor }).header];
      const [stranger] = witnessAccounts(1, "not in the DON");
      const forged = await signReport(keystone.deployment, headers, 0, [
        ...keystone.deployment.signers.slice(0, 2),
        stranger!,
      ]);
      const abi = keystone.deployment.abi;
      await expectRevert(
        transmitReport(
          context.chain,
          keystone.deployment,
          context.relayer,
          keystone.recorder,
          forged,
          fees,
        ),
        abi,
        "InvalidSigner",
        [stranger!.address],
      );
      const short = await signReport(
        keystone.deployment,
        headers,
        0,
        keystone.deployment.signers.slice(0, 2),
      );
      await expectRevert(
        transmitReport(
          context.chain,
          keystone.deployment,
          context.relayer,
          keystone.recorder,
          short,
          fees,
        ),
        abi,
        "InvalidSignatureCount",
        [3n, 2n],
      );
      const recorded = await context.chain.publicClient.readContract({
        address: keystone.recorder,
        abi: context.recorder.abi,
        functionName: "recorded",
        args: [observationSlot(headers[0]!.streamHash, headers[0]!.epochHash)],
      });
      expect(BigInt(recorded as string)).to.equal(0n);
    });
  });

  it("a report whose receiver reverts still succeeds, and the bench's check catches it", async function () {
    const { context, safe, keystone } = await loadFixture(peersFixture);
    // The Safe's recorder refuses the forwarder; KeystoneForwarder swallows the receiver's revert.
    const headers = [nextHeader({ ...keystone.cursor }).header];
    const report = await signReport(keystone.deployment, headers, 0);
    await transmitReport(
      context.chain,
      keystone.deployment,
      context.relayer,
      safe.recorder,
      report,
      fees,
    );
    let thrown: unknown;
    try {
      await expectRecorded(context, safe.recorder, headers);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).to.be.instanceOf(PeerNotRecordedError);
  });

  it("the recorder refuses anyone but its submitter", async function () {
    const { context, safe } = await loadFixture(peersFixture);
    const header = nextHeader({ ...safe.cursor }).header;
    await expectRevert(
      send({
        chain: context.chain,
        from: context.relayer,
        to: safe.recorder,
        abi: context.recorder.abi as Abi,
        functionName: "record",
        args: [[header]],
        fees,
      }),
      context.recorder.abi,
      "UnauthorizedSubmitter",
      [context.relayer.address, safe.account.safe],
    );
  });
});
