import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import hre from "hardhat";
import { size, type Address, type Hex } from "viem";

import { readObservationLedgerDomain } from "../../lib/ledger/domain";
import { reportOf, signReport } from "../../lib/ledger/report";
import { packReport, reportCalldataBytes } from "../../lib/ledger/reportCalldata";
import { expectGasSnapshot, underCoverage } from "../support/gas";
import { contentAt, hardhatAccount, runOf, streamOf } from "./fixture";

/**
 * Transaction gas (including the 21,000 base) and calldata of `submitReport` for a report of 50
 * consecutive epochs on a stream that already has a head, at quorum 3 of 5, 5 of 9 and 11 of 21.
 * Exact figures are committed in `test/gas/ledger.snap.json`; the budgets are asserted
 * beside them (per finalized observation: at most 32,000 gas and 240 calldata bytes at 3 of 5,
 * 34,000 at 5 of 9 and 11 of 21; the floor aimed at is 10,000 gas and 120 bytes).
 */
const measuring = !underCoverage();

/** A deployer per set size, used for nothing else, so that addresses (and signatures) never change. */
const DEPLOYERS: Record<number, Address> = {
  5: "0x00000000000000000000000000000000ec1e0005",
  9: "0x00000000000000000000000000000000ec1e0009",
  21: "0x00000000000000000000000000000000ec1e0021",
};

async function deploySet(witnessCount: number, quorum: number) {
  const [owner] = await hre.viem.getWalletClients();
  const witnesses = Array.from({ length: witnessCount }, (_, i) => hardhatAccount(100 + i));
  const deployer = DEPLOYERS[witnessCount]!;
  await hre.network.provider.send("hardhat_impersonateAccount", [deployer]);
  await hre.network.provider.send("hardhat_setBalance", [deployer, "0x56bc75e2d63100000"]);
  const wallet = await hre.viem.getWalletClient(deployer);
  const registry = await hre.viem.deployContract(
    "EveryChannelWitnessRegistry",
    [owner!.account.address, witnesses.map((w) => w.address), BigInt(quorum)],
    { client: { wallet } },
  );
  const deployed = await hre.viem.deployContract(
    "EveryChannelObservationLedger",
    [registry.address],
    { client: { wallet } },
  );
  await hre.network.provider.send("hardhat_stopImpersonatingAccount", [deployer]);
  const ledger = await hre.viem.getContractAt("EveryChannelObservationLedger", deployed.address, {
    client: { wallet: owner! },
  });
  const publicClient = await hre.viem.getPublicClient();
  const domain = await readObservationLedgerDomain(publicClient, ledger.address);
  const signers = witnesses.slice(0, quorum);
  const stream = streamOf(1);
  const send = async (contents: ReturnType<typeof runOf>) => {
    const report = reportOf(contents);
    const signatures = await Promise.all(signers.map((s) => signReport(s, domain, report)));
    const hash = await ledger.write.submitReport(packReport(report, signatures));
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    const tx = await publicClient.getTransaction({ hash });
    return { gas: receipt.gasUsed, calldata: size(tx.input as Hex) };
  };
  // The stream's head, as in the other budgets.
  await send([contentAt(stream, 100n)]);
  return { ledger, stream, send };
}

const SETS = [
  { witnesses: 5, quorum: 3, budget: 32_000, fixture: () => deploySet(5, 3) },
  { witnesses: 9, quorum: 5, budget: 34_000, fixture: () => deploySet(9, 5) },
  { witnesses: 21, quorum: 11, budget: 34_000, fixture: () => deploySet(21, 11) },
];
// loadFixture needs one function object per fixture.
const FIXTURES = SETS.map((set) => {
  const fixture = async function reportSet() {
    return set.fixture();
  };
  return { ...set, fixture };
});

describe("EveryChannelObservationLedger report gas", function () {
  for (const set of FIXTURES) {
    it(`submitReport: 50 consecutive epochs at quorum ${set.quorum} of ${set.witnesses} within ${set.budget.toLocaleString("en")} gas and 240 calldata bytes per observation`, async function () {
      const f = await loadFixture(set.fixture);
      const { gas, calldata } = await f.send(runOf(f.stream, 101n, 50));
      expect((await f.ledger.read.finalizedHead([f.stream]))[1]).to.equal(50n);
      expect(calldata).to.equal(reportCalldataBytes(50, set.quorum));
      expectGasSnapshot(
        "ledger",
        `submitReport: 50 entries, ${set.quorum} of ${set.witnesses} signatures, all finalize`,
        gas,
      );
      if (measuring) {
        expect(Number(gas) / 50).to.be.at.most(set.budget);
        // The floor this path reaches (docs/ledger.md, "Reports").
        expect(Number(gas) / 50).to.be.at.most(10_000);
      }
      expect(calldata / 50).to.be.at.most(240);
      expect(calldata / 50).to.be.at.most(set.quorum <= 5 ? 120 : 125);
    });
  }
});
