// The real OP Stack fee contracts (contracts-bedrock 0.17.3) on anvil: installed with
// anvil_setCode, configured by the impersonated depositor on a plain anvil and by deposit
// transactions on `anvil --network optimism`, and priced by the operators' estimate and the model.
import { expect } from "chai";
import {
  createPublicClient,
  encodeFunctionData,
  http,
  parseAbi,
  parseTransaction,
  toHex,
  type Hex,
  type PublicClient,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";

import { ECP_FORGE_L2_DEFAULT_CHAIN_ID } from "../../lib/config/chains";
import { DEV_MNEMONIC } from "../../lib/deploy/network-definitions";
import { startAnvil, type StartAnvilReturnType } from "../../lib/node/anvil";
import {
  DEFAULT_FEE_PARAMETERS,
  gasPriceOracleL1Fee,
  gasPriceOracleL1FeeUpperBound,
  gasPriceOracleL1GasUsed,
  l1DataFee,
  unsignedTransactionOf,
  type L1FeeParameters,
} from "../../lib/opstack/fee-model";
import {
  installFeePredeploys,
  L1_BLOCK_ADDRESS,
  l1BlockValuesFor,
  type DepositorCalls,
} from "../../lib/opstack/fee-predeploys";
import { GAS_PRICE_ORACLE_ADDRESS, gasPriceOracleAbi } from "../../lib/opstack/gas-price-oracle";
import { estimateTransactionCost, formatTransactionCost } from "../../lib/opstack/l1-fee";

const FEES: L1FeeParameters = {
  l1BaseFee: 7_000_000_000n,
  l1BlobBaseFee: 3n,
  l1BaseFeeScalar: DEFAULT_FEE_PARAMETERS.l1BaseFeeScalar,
  l1BlobBaseFeeScalar: DEFAULT_FEE_PARAMETERS.l1BlobBaseFeeScalar,
};
const ping = parseAbi(["function ping(bytes payload)"]);

const INPUTS: readonly Hex[] = [
  "0x",
  toHex(new Uint8Array(2048)),
  toHex(new Uint8Array(2048).fill(0xff)),
  toHex(Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)),
];

// A funded caller: with --network optimism, anvil charges even an eth_call the L1 data fee of its
// bytes once L1Block holds prices, so a call from the zero address fails for lack of funds.
const CALLER = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 2 }).address;

async function expectModelEqualsOracle(client: PublicClient, unsigned: Hex): Promise<void> {
  const read = (functionName: "getL1Fee" | "getL1GasUsed") =>
    client.readContract({
      account: CALLER,
      address: GAS_PRICE_ORACLE_ADDRESS,
      abi: gasPriceOracleAbi,
      functionName,
      args: [unsigned],
    } as const);
  expect(await read("getL1Fee")).to.equal(gasPriceOracleL1Fee(unsigned, FEES));
  expect(await read("getL1GasUsed")).to.equal(gasPriceOracleL1GasUsed(unsigned));
  expect(
    await client.readContract({
      account: CALLER,
      address: GAS_PRICE_ORACLE_ADDRESS,
      abi: gasPriceOracleAbi,
      functionName: "getL1FeeUpperBound",
      args: [BigInt((unsigned.length - 2) / 2)],
    }),
  ).to.equal(gasPriceOracleL1FeeUpperBound((unsigned.length - 2) / 2, FEES));
}

for (const variant of [
  { name: "anvil", optimism: false, depositor: { kind: "impersonate", prefix: "anvil" } },
  { name: "anvil --network optimism", optimism: true, depositor: { kind: "deposit" } },
] as const satisfies readonly { name: string; optimism: boolean; depositor: DepositorCalls }[]) {
  describe(`the real GasPriceOracle and L1Block on ${variant.name}`, function () {
    let node: StartAnvilReturnType;
    let client: PublicClient;

    before(async function () {
      node = await startAnvil({
        chainId: ECP_FORGE_L2_DEFAULT_CHAIN_ID,
        // The OP Stack hardfork with Prague's EVM (anvil names them apart in optimism mode).
        ...(variant.optimism ? { hardfork: "isthmus", extraArgs: ["--network", "optimism"] } : {}),
      });
      client = createPublicClient({ transport: http(node.url) });
    });

    after(async function () {
      await node?.stop();
    });

    it("starts without the fee predeploys", async function () {
      for (const address of [GAS_PRICE_ORACLE_ADDRESS, L1_BLOCK_ADDRESS])
        expect(await client.getCode({ address })).to.equal(undefined);
    });

    it("installs them and the model equals getL1Fee, getL1GasUsed and getL1FeeUpperBound", async function () {
      await installFeePredeploys({
        request: (method, params) => client.request({ method, params } as never),
        prefix: "anvil",
        depositor: variant.depositor,
        values: l1BlockValuesFor(FEES),
        formula: "fjord",
      });
      const version = await client.readContract({
        address: GAS_PRICE_ORACLE_ADDRESS,
        abi: gasPriceOracleAbi,
        functionName: "version",
        account: CALLER,
      });
      expect(version).to.equal("1.3.0");
      expect(
        await client.readContract({
          address: GAS_PRICE_ORACLE_ADDRESS,
          abi: gasPriceOracleAbi,
          functionName: "l1BaseFee",
          account: CALLER,
        }),
      ).to.equal(FEES.l1BaseFee);
      for (const input of INPUTS) await expectModelEqualsOracle(client, input);
    });

    it("prices a sent transaction's unsigned bytes as the operators' estimate reports them", async function () {
      const account = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 0 });
      const data = encodeFunctionData({
        abi: ping,
        functionName: "ping",
        args: [toHex(new Uint8Array(300).fill(0xab))],
      });
      const to = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 1 }).address;
      const estimate = await estimateTransactionCost({
        client,
        account: account.address,
        to,
        data,
      });
      if (!estimate.l1.available) throw new Error(`no L1 data fee: ${estimate.l1.reason}`);
      expect(estimate.l1.fork).to.equal("fjord");
      const unsigned = estimate.l1.unsignedTransaction;
      expect(estimate.l1.unsignedTxBytes).to.equal((unsigned.length - 2) / 2);
      expect(estimate.l1.fee).to.equal(gasPriceOracleL1Fee(unsigned, FEES));
      await expectModelEqualsOracle(client, unsigned);
      expect(formatTransactionCost(estimate)[1]).to.match(
        /^L1 data fee: 0\.\d+ ETH \(GasPriceOracle getL1Fee, fjord formula, \d+-byte unsigned tx; upper bound /,
      );
      // The estimate priced exactly the transaction that is sent.
      const signed = await account.signTransaction(parseTransaction(unsigned) as never);
      expect(unsignedTransactionOf(signed)).to.equal(unsigned);
      const before = await client.getBalance({ address: account.address });
      const hash = (await client.request({
        method: "eth_sendRawTransaction",
        params: [signed],
      } as never)) as Hex;
      let receipt: Record<string, Hex> | null = null;
      while (receipt === null) {
        receipt = (await client.request({
          method: "eth_getTransactionReceipt",
          params: [hash],
        } as never)) as Record<string, Hex> | null;
        if (receipt === null) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(receipt.status).to.equal("0x1");
      const paid = before - (await client.getBalance({ address: account.address }));
      const l2 = BigInt(receipt.gasUsed!) * BigInt(receipt.effectiveGasPrice!);
      if (!variant.optimism) {
        // Plain anvil charges no L1 data fee: L2 gas is all the sender pays.
        expect(receipt).to.not.have.property("l1Fee");
        expect(paid).to.equal(l2);
        return;
      }
      // anvil --network optimism charges the L1 data fee of the signed bytes from L1Block's values,
      // as op-geth does: the model's l1DataFee of the same bytes, not the oracle's estimate.
      const charged = l1DataFee({ signedTransaction: signed, fees: FEES });
      expect(paid - l2).to.equal(charged.l1Fee);
      if (receipt.l1Fee !== undefined) expect(BigInt(receipt.l1Fee)).to.equal(charged.l1Fee);
    });
  });
}
