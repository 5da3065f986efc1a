import { expect } from "chai";
import hre from "hardhat";
import { encodeFunctionData, parseAbi, serializeTransaction, size, type Address } from "viem";

import { GAS_PRICE_ORACLE_ADDRESS } from "../../lib/opstack/gas-price-oracle";
import {
  CostEstimationError,
  estimateTransactionCost,
  formatTransactionCost,
  hasGasPriceOracle,
  NO_GAS_PRICE_ORACLE,
} from "../../lib/opstack/l1-fee";

const FEE_PER_BYTE = 1_000_000_000n;
const target = parseAbi(["function ping(bytes payload)"]);

describe("L1 data fee estimation", function () {
  let snapshot: string;

  beforeEach(async function () {
    snapshot = (await hre.network.provider.request({ method: "evm_snapshot" })) as string;
  });

  afterEach(async function () {
    await hre.network.provider.request({ method: "evm_revert", params: [snapshot] });
  });

  async function installOracle(ecotone: boolean, fjord: boolean): Promise<void> {
    const mock = await hre.viem.deployContract("GasPriceOracleMock");
    const client = await hre.viem.getPublicClient();
    const code = await client.getCode({ address: mock.address });
    await hre.network.provider.request({
      method: "hardhat_setCode",
      params: [GAS_PRICE_ORACLE_ADDRESS, code],
    });
    const predeploy = await hre.viem.getContractAt("GasPriceOracleMock", GAS_PRICE_ORACLE_ADDRESS);
    await predeploy.write.configure([ecotone, fjord, FEE_PER_BYTE]);
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
    await installOracle(true, true);
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
    const txSize = BigInt(bytes) + 68n;
    expect(estimate.l1).to.deep.equal({
      available: true,
      fee: BigInt(bytes) * FEE_PER_BYTE,
      upperBound: (txSize + txSize / 255n + 16n) * FEE_PER_BYTE,
      fork: "fjord",
      unsignedTxBytes: bytes,
    });
    expect(formatTransactionCost(estimate)[1]).to.match(
      /^L1 data fee: 0\.000000\d+ ETH \(GasPriceOracle getL1Fee, fjord formula, \d+-byte unsigned tx; upper bound /,
    );
  });

  it("asks for no upper bound before Fjord, where the predeploy has none", async function () {
    await installOracle(true, false);
    const client = await hre.viem.getPublicClient();
    const [wallet] = await hre.viem.getWalletClients();
    const account = wallet!.account.address;
    const estimate = await estimateTransactionCost({ client, account, to: account, data: "0x" });
    expect(estimate.l1).to.include({ available: true, fork: "ecotone", upperBound: undefined });
  });

  it("reports a transaction that would revert before anything is sent", async function () {
    const client = await hre.viem.getPublicClient();
    const [wallet] = await hre.viem.getWalletClients();
    const mock = await hre.viem.deployContract("GasPriceOracleMock");
    const data = encodeFunctionData({
      abi: parseAbi(["function getL1FeeUpperBound(uint256)"]),
      functionName: "getL1FeeUpperBound",
      args: [1n],
    });
    try {
      await estimateTransactionCost({
        client,
        account: wallet!.account.address,
        to: mock.address,
        data,
      });
    } catch (error) {
      expect(error).to.be.instanceOf(CostEstimationError);
      expect((error as Error).message).to.match(/^cannot estimate gas: /);
      return;
    }
    throw new Error("expected the estimate to fail");
  });
});
