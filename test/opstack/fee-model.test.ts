import { expect } from "chai";
import { hexToBytes, parseTransaction, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { InvalidFieldError } from "../../lib/errors";
import {
  DEFAULT_FEE_PARAMETERS,
  ecotoneL1Fee,
  fjordEstimatedSizeScaled,
  fjordL1Fee,
  fjordL1GasUsed,
  gasPriceOracleL1Fee,
  l1DataFee,
  operatorFee,
  unsignedTransactionOf,
  type L1FeeParameters,
} from "../../lib/opstack/fee-model";

// Parameters and expected fees from op-geth `core/types/rollup_cost_test.go`.
const OP_GETH_TEST_PARAMETERS: L1FeeParameters = {
  l1BaseFee: 1000n * 1_000_000n,
  l1BlobBaseFee: 10n * 1_000_000n,
  l1BaseFeeScalar: 2n,
  l1BlobBaseFeeScalar: 3n,
};
const EMPTY_LEGACY_TX: Hex = "0xdd80808094095e7baea6a6c7c4c2dfeb977efac326af552d878080808080";

describe("OP Stack L1 data fee model", function () {
  it("floors the estimated size at 100 bytes up to a FastLZ size of 170 (op-geth minimum-bound vectors)", function () {
    for (const fastLzSize of [0, 100, 150, 170]) {
      expect(fjordEstimatedSizeScaled(fastLzSize)).to.equal(100_000_000n);
      expect(fjordL1GasUsed(fastLzSize)).to.equal(1600n);
      expect(fjordL1Fee(fastLzSize, OP_GETH_TEST_PARAMETERS)).to.equal(3_203_000n);
    }
    for (const fastLzSize of [171, 175, 200]) {
      expect(fjordL1GasUsed(fastLzSize) > 1600n).to.equal(true);
      expect(fjordL1Fee(fastLzSize, OP_GETH_TEST_PARAMETERS) > 3_203_000n).to.equal(true);
    }
    expect(fjordEstimatedSizeScaled(200)).to.equal(124_714_400n);
  });

  it("matches the op-geth / GasPriceOracle parity vector (FastLZ size 235)", function () {
    const parameters: L1FeeParameters = {
      l1BaseFee: 2_000_000n,
      l1BlobBaseFee: 3_000_000n,
      l1BaseFeeScalar: 20n,
      l1BlobBaseFeeScalar: 15n,
    };
    expect(fjordL1GasUsed(235)).to.equal(2463n);
    expect(fjordL1Fee(235, parameters)).to.equal(105_484n);
  });

  it("prices the empty transaction under Ecotone as op-geth does (480 calldata gas)", function () {
    expect(ecotoneL1Fee(EMPTY_LEGACY_TX, OP_GETH_TEST_PARAMETERS)).to.equal(960_900n);
  });

  it("derives the fee of signed bytes from their FastLZ size", function () {
    const fee = l1DataFee({ signedTransaction: EMPTY_LEGACY_TX, fees: OP_GETH_TEST_PARAMETERS });
    expect(fee).to.deep.include({
      size: 30,
      zeroBytes: 0,
      nonZeroBytes: 30,
      fastLzSize: 31,
      estimatedSize: 100,
      estimatedSizeScaled: 100_000_000n,
      l1GasUsed: 1600n,
      l1Fee: 3_203_000n,
      ecotoneL1Fee: 960_900n,
    });
  });

  it("adds 68 bytes to an unsigned transaction as GasPriceOracle.getL1Fee does", function () {
    const bytes = new Uint8Array(400);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) % 256;
    const withoutPadding = l1DataFee({ signedTransaction: bytes, fees: DEFAULT_FEE_PARAMETERS });
    expect(gasPriceOracleL1Fee(bytes, DEFAULT_FEE_PARAMETERS)).to.equal(
      fjordL1Fee(withoutPadding.fastLzSize + 68, DEFAULT_FEE_PARAMETERS),
    );
  });

  it("uses OP Mainnet's Fjord scalars and an EIP-7918 blob price by default", function () {
    expect(DEFAULT_FEE_PARAMETERS).to.deep.equal({
      l1BaseFee: 1_000_000_000n,
      l1BlobBaseFee: 62_500_000n,
      l1BaseFeeScalar: 5227n,
      l1BlobBaseFeeScalar: 1_014_213n,
    });
    // 126_387_400 * (5227 * 1e9 * 16 + 1_014_213 * 62_500_000) / 1e12
    expect(fjordL1Fee(202, DEFAULT_FEE_PARAMETERS)).to.equal(18_581_515_044n);
  });

  it("rejects a scalar outside uint32 naming the field and value", function () {
    expect(() =>
      fjordL1Fee(200, { ...DEFAULT_FEE_PARAMETERS, l1BlobBaseFeeScalar: 0x1_0000_0000n }),
    )
      .to.throw(InvalidFieldError)
      .with.property("field", "l1BlobBaseFeeScalar");
    expect(() => fjordEstimatedSizeScaled(-1))
      .to.throw(InvalidFieldError)
      .with.property("field", "fastLzSize");
    expect(() => l1DataFee({ signedTransaction: hexToBytes("0x") })).to.not.throw();
  });

  it("computes the Isthmus operator fee as gasUsed × scalar / 1e6 + constant, the product saturating", function () {
    const parameters = { operatorFeeScalar: 1_000_000n, operatorFeeConstant: 5n };
    expect(operatorFee(100_000, parameters, "isthmus")).to.equal(100_005n);
    expect(operatorFee(0, parameters, "isthmus")).to.equal(5n);
    const max = 2n ** 256n - 1n;
    expect(
      operatorFee(2n ** 255n, { operatorFeeScalar: 4n, operatorFeeConstant: 0n }, "isthmus"),
    ).to.equal(max / 1_000_000n);
    expect(
      operatorFee(
        max,
        { operatorFeeScalar: 1_000_000n, operatorFeeConstant: 2n ** 64n - 1n },
        "isthmus",
      ),
    ).to.equal(max / 1_000_000n + 2n ** 64n - 1n);
  });

  it("computes the Jovian operator fee as gasUsed × scalar × 100 + constant", function () {
    expect(
      operatorFee(100_000, { operatorFeeScalar: 7n, operatorFeeConstant: 5n }, "jovian"),
    ).to.equal(70_000_005n);
    expect(() =>
      operatorFee(1, { operatorFeeScalar: 2n ** 32n, operatorFeeConstant: 0n }, "jovian"),
    )
      .to.throw(InvalidFieldError)
      .with.property("field", "operatorFeeScalar");
    expect(() =>
      operatorFee(1, { operatorFeeScalar: 0n, operatorFeeConstant: 2n ** 64n }, "isthmus"),
    )
      .to.throw(InvalidFieldError)
      .with.property("field", "operatorFeeConstant");
  });

  it("strips the signature of a signed transaction and nothing else", async function () {
    const account = privateKeyToAccount(`0x${"11".repeat(32)}`);
    const signed = await account.signTransaction({
      type: "eip1559",
      chainId: 920093,
      nonce: 7,
      gas: 90_000n,
      maxFeePerGas: 2_000_000_000n,
      maxPriorityFeePerGas: 1_000_000n,
      to: account.address,
      data: "0x12345678",
    });
    const unsigned = unsignedTransactionOf(signed);
    // yParity, r and s: at most the 68 bytes GasPriceOracle adds for them.
    expect((signed.length - unsigned.length) / 2).to.be.within(65, 68);
    const { r: _r, s: _s, v: _v, yParity: _y, ...fields } = parseTransaction(signed);
    expect(parseTransaction(unsigned)).to.deep.equal(fields);
  });
});
