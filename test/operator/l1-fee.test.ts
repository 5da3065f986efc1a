import { expect } from "chai";
import hre from "hardhat";
import { encodeFunctionData, parseAbi, serializeTransaction, size, type Address } from "viem";

import {
  DEFAULT_FEE_PARAMETERS,
  gasPriceOracleL1Fee,
  gasPriceOracleL1FeeUpperBound,
} from "../../lib/opstack/fee-model";
import { installFeePredeploys, l1BlockValuesFor } from "../../lib/opstack/fee-predeploys";
import { GAS_PRICE_ORACLE_ADDRESS } from "../../lib/opstack/gas-price-oracle";
import {
  CostEstimationError,
  estimateTransactionCost,
  formatTransactionCost,
  hasGasPriceOracle,
  operatorFeeNote,
  NO_GAS_PRICE_ORACLE,
} from "../../lib/opstack/l1-fee";

const target = parseAbi(["function ping(bytes payload)"]);

describe("L1 data fee estimation", function () {
  let snapshot: string;

  beforeEach(async function () {
    snapshot = (await hre.network.provider.request({ method: "evm_snapshot" })) as string;
  });

  afterEach(async function () {
    await hre.network.provider.request({ method: "evm_revert", params: [snapshot] });
  });

  /** The real GasPriceOracle and L1Block (contracts-bedrock 0.17.3), set up by the depositor. */
  async function installOracle(formula: "ecotone" | "fjord"): Promise<void> {
    await installFeePredeploys({
      request: (method, params) => hre.network.provider.request({ method, params }),
      prefix: "hardhat",
      depositor: { kind: "impersonate", prefix: "hardhat" },
      values: l1BlockValuesFor(DEFAULT_FEE_PARAMETERS),
      formula,
    });
  }

  it("says there is no GasPriceOracle predeploy on a chain without code at its address", async function () {
    const client = await hre.viem.getPublicClient();
    const [wallet] = await hre.viem.getWalletClients();
    const account = wallet!.account.address;
    expect(await hasGasPriceOracle(client)).to.equal(false);
    const estimate = await estimateTransactionCost({ client, account, to: account, data: "0x" });
    expect(Number(estimate.gas)).to.be.within(21_000, 21_100);
    expect(estimate.l1).to.deep.equal({ available: false, reason: NO_GAS_PRICE_ORACLE });
    expect(formatTransactionCost(estimate)[1]).to.equal(
      "L1 data fee: none expected (no GasPriceOracle predeploy on this chain)",
    );
  });

  it("prices exactly the unsigned transaction that would be sent, with the Fjord upper bound", async function () {
    await installOracle("fjord");
    const client = await hre.viem.getPublicClient();
    const [wallet, other] = await hre.viem.getWalletClients();
    const account = wallet!.account.address;
    const to = other!.account.address as Address;
    const data = encodeFunctionData({
      abi: target,
      functionName: "ping",
      args: [`0x${"ab".repeat(300)}`],
    });
    const estimate = await estimateTransactionCost({ client, account, to, data });
    const fees = await client.estimateFeesPerGas();
    const unsigned = serializeTransaction({
      type: "eip1559",
      chainId: 31337,
      nonce: await client.getTransactionCount({ address: account }),
      gas: estimate.gas,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
      to,
      data,
    });
    const bytes = size(unsigned);
    expect(estimate.l1).to.deep.equal({
      available: true,
      fee: gasPriceOracleL1Fee(unsigned, DEFAULT_FEE_PARAMETERS),
      upperBound: gasPriceOracleL1FeeUpperBound(bytes, DEFAULT_FEE_PARAMETERS),
      fork: "fjord",
      unsignedTxBytes: bytes,
      unsignedTransaction: unsigned,
      oracleVersion: "1.3.0",
    });
    expect(formatTransactionCost(estimate)[1]).to.match(
      /^L1 data fee: 0\.000000\d+ ETH \(GasPriceOracle getL1Fee, fjord formula, \d+-byte unsigned tx; upper bound /,
    );
  });

  it("asks for no upper bound before Fjord, where the predeploy has none", async function () {
    await installOracle("ecotone");
    const client = await hre.viem.getPublicClient();
    const [wallet] = await hre.viem.getWalletClients();
    const account = wallet!.account.address;
    const estimate = await estimateTransactionCost({ client, account, to: account, data: "0x" });
    expect(estimate.l1).to.include({ available: true, fork: "ecotone", upperBound: undefined });
    if (!estimate.l1.available) throw new Error("expected an L1 data fee");
    expect(estimate.l1.fee).to.equal(
      gasPriceOracleL1Fee(estimate.l1.unsignedTransaction, DEFAULT_FEE_PARAMETERS, "ecotone"),
    );
  });

  it("reports a transaction that would revert before anything is sent", async function () {
    await installOracle("ecotone");
    const client = await hre.viem.getPublicClient();
    const [wallet] = await hre.viem.getWalletClients();
    const data = encodeFunctionData({
      abi: parseAbi(["function getL1FeeUpperBound(uint256)"]),
      functionName: "getL1FeeUpperBound",
      args: [1n],
    });
    try {
      await estimateTransactionCost({
        client,
        account: wallet!.account.address,
        to: GAS_PRICE_ORACLE_ADDRESS,
        data,
      });
    } catch (error) {
      expect(error).to.be.instanceOf(CostEstimationError);
      expect((error as Error).message).to.match(
        /^cannot estimate gas: .*GasPriceOracle: getL1FeeUpperBound only supports Fjord/,
      );
      return;
    }
    throw new Error("expected the estimate to fail");
  });

  it("notes the operator fee it leaves out only for oracles newer than 1.3.0", function () {
    for (const version of ["1.3.0", "1.2.0", "1.1.0-beta.1"])
      expect(operatorFeeNote(version), version).to.equal(undefined);
    for (const version of ["1.4.0", "1.6.0", "2.0.0", "unknown"])
      expect(operatorFeeNote(version), version).to.equal(
        `operator fee not included: GasPriceOracle ${version} may charge one (getOperatorFee)`,
      );
  });
});
