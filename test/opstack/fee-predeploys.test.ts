// The project's L1 data fee model against the real OP Stack fee contracts: GasPriceOracle 1.3.0
// (Fjord) and L1Block of @eth-optimism/contracts-bedrock 0.17.3 at their predeploy addresses on the
// in-process chain, configured by the depositor account as an OP Stack node does.
import { expect } from "chai";
import fc from "fast-check";
import hre from "hardhat";
import {
  createPublicClient,
  custom,
  size,
  toHex,
  type EIP1193Provider,
  type Hex,
  type PublicClient,
} from "viem";

import { InvalidFieldError } from "../../lib/errors";
import {
  DEFAULT_FEE_PARAMETERS,
  GAS_PRICE_ORACLE_MAX_BASE_FEE_SCALAR,
  gasPriceOracleL1Fee,
  gasPriceOracleL1FeeUpperBound,
  gasPriceOracleL1GasUsed,
  l1DataFee,
  unsignedTransactionOf,
  type GasPriceOracleFormula,
  type L1FeeParameters,
} from "../../lib/opstack/fee-model";
import {
  DEPOSITOR_ACCOUNT,
  installFeePredeploys,
  L1_BLOCK_ADDRESS,
  l1BlockAbi,
  l1BlockValuesFor,
  readPredeployArtifact,
  setL1BlockValues,
  setL1BlockValuesEcotoneCalldata,
  type DevNodeRequest,
} from "../../lib/opstack/fee-predeploys";
import { GAS_PRICE_ORACLE_ADDRESS, gasPriceOracleAbi } from "../../lib/opstack/gas-price-oracle";
import { hardhatChain } from "../../scripts/bench/chain";
import { benchConfig } from "../../scripts/bench/config";
import { PATHS, runOnchain } from "../../scripts/bench/onchain";
import { underCoverage } from "../support/gas";

/**
 * Under solidity-coverage every EVM step is traced: the bench's batches and FastLZ over tens of KiB
 * run to millions of steps and exhaust the heap. Those two tests compare the TypeScript model with
 * the OP Stack's uninstrumented bytecode and cover no line of this project's contracts, so the
 * coverage run skips them and says so (README, "Coverage").
 */
function skipUnderCoverage(context: Mocha.Context): void {
  if (!underCoverage()) return;
  console.log(
    `      skipped under coverage (millions of traced EVM steps): ${context.test?.title ?? ""}`,
  );
  context.skip();
}

/** The edge cases; under coverage those of at most 1 KiB (the 32 KiB ones trace millions of steps). */
function edgeCases(): readonly [string, Hex][] {
  if (!underCoverage()) return EDGE_CASES;
  const small = EDGE_CASES.filter(([, bytes]) => size(bytes) <= 1024);
  const left = EDGE_CASES.filter((c) => !small.includes(c)).map(([label]) => label);
  console.log(`      under coverage without the inputs over 1 KiB: ${left.join(", ")}`);
  return small;
}

const provider = hre.network.provider as unknown as EIP1193Provider;
const request: DevNodeRequest = (method, params) => provider.request({ method, params } as never);
const hardhat = {
  request,
  prefix: "hardhat",
  depositor: { kind: "impersonate", prefix: "hardhat" },
} as const;

/** The oracle's three estimates of `unsigned`, read from the chain. */
async function oracle(client: PublicClient, unsigned: Hex, formula: GasPriceOracleFormula) {
  const read = (functionName: "getL1Fee" | "getL1GasUsed") =>
    client.readContract({
      address: GAS_PRICE_ORACLE_ADDRESS,
      abi: gasPriceOracleAbi,
      functionName,
      args: [unsigned],
    } as const);
  return {
    fee: await read("getL1Fee"),
    gasUsed: await read("getL1GasUsed"),
    upperBound:
      formula === "fjord"
        ? await client.readContract({
            address: GAS_PRICE_ORACLE_ADDRESS,
            abi: gasPriceOracleAbi,
            functionName: "getL1FeeUpperBound",
            args: [BigInt(size(unsigned))],
          })
        : undefined,
  };
}

/** The model's three estimates of `unsigned`. */
function model(unsigned: Hex, fees: L1FeeParameters, formula: GasPriceOracleFormula) {
  return {
    fee: gasPriceOracleL1Fee(unsigned, fees, formula),
    gasUsed: gasPriceOracleL1GasUsed(unsigned, formula),
    upperBound:
      formula === "fjord" ? gasPriceOracleL1FeeUpperBound(size(unsigned), fees) : undefined,
  };
}

async function expectEqual(
  client: PublicClient,
  unsigned: Hex,
  fees: L1FeeParameters,
  formula: GasPriceOracleFormula,
  label: string,
): Promise<void> {
  expect(model(unsigned, fees, formula), `${label} (${size(unsigned)} bytes)`).to.deep.equal(
    await oracle(client, unsigned, formula),
  );
}

function repeated(byte: number, length: number): Hex {
  return toHex(new Uint8Array(length).fill(byte));
}

function counting(length: number): Hex {
  return toHex(Uint8Array.from({ length }, (_, i) => i));
}

/** Empty, all zero, all 0xff, around the 100-byte floor of the Fjord estimate, and large. */
const EDGE_CASES: readonly [string, Hex][] = [
  ["empty", "0x"],
  ["one zero byte", "0x00"],
  ["all zero, 1 KiB", repeated(0x00, 1024)],
  ["all 0xff, 1 KiB", repeated(0xff, 1024)],
  ["all 0xff, 32 KiB", repeated(0xff, 32 * 1024)],
  // 98 bytes that do not compress have FastLZ size 102: with the 68 bytes, 170, floored at 100
  // estimated bytes; 99 have 103 (171), the first size above the floor.
  ["98 bytes that do not compress", counting(98)],
  ["99 bytes that do not compress", counting(99)],
  [
    "pseudo-random, 32 KiB",
    toHex(Uint8Array.from({ length: 32768 }, (_, i) => (i * 2654435761) >>> 24)),
  ],
];

/**
 * L1 values within the types L1Block stores (uint32 scalars, uint256 prices kept realistic), the
 * base fee scalar below 2^28, from where the oracle itself overflows (tested on its own).
 */
const l1Fees: fc.Arbitrary<L1FeeParameters> = fc.record({
  l1BaseFee: fc.bigInt({ min: 0n, max: 10n ** 13n }),
  l1BlobBaseFee: fc.bigInt({ min: 0n, max: 10n ** 13n }),
  l1BaseFeeScalar: fc.bigInt({ min: 0n, max: GAS_PRICE_ORACLE_MAX_BASE_FEE_SCALAR }),
  l1BlobBaseFeeScalar: fc.bigInt({ min: 0n, max: 0xffff_ffffn }),
});

describe("L1 data fee model against the real GasPriceOracle (contracts-bedrock 0.17.3)", function () {
  let client: PublicClient;
  let snapshot: string;

  before(async function () {
    client = createPublicClient({ transport: custom(provider) });
  });

  beforeEach(async function () {
    snapshot = (await request("evm_snapshot", [])) as string;
  });

  afterEach(async function () {
    await request("evm_revert", [snapshot]);
  });

  async function install(fees: L1FeeParameters, formula: GasPriceOracleFormula) {
    return await installFeePredeploys({ ...hardhat, values: l1BlockValuesFor(fees), formula });
  }

  it("installs GasPriceOracle 1.3.0 and L1Block 1.4.1-beta.1 with the depositor's L1 values", async function () {
    const installed = await install(DEFAULT_FEE_PARAMETERS, "fjord");
    expect(installed.gasPriceOracle.compiler).to.equal("0.8.15+commit.e14f2714");
    const code = await client.getCode({ address: GAS_PRICE_ORACLE_ADDRESS });
    expect(code).to.equal(installed.gasPriceOracle.deployedBytecode);
    const gpo = (
      functionName:
        | "version"
        | "isEcotone"
        | "isFjord"
        | "l1BaseFee"
        | "blobBaseFee"
        | "baseFeeScalar"
        | "blobBaseFeeScalar",
    ) =>
      client.readContract({
        address: GAS_PRICE_ORACLE_ADDRESS,
        abi: gasPriceOracleAbi,
        functionName,
      });
    expect(await gpo("version")).to.equal("1.3.0");
    expect(await gpo("isEcotone")).to.equal(true);
    expect(await gpo("isFjord")).to.equal(true);
    expect(await gpo("l1BaseFee")).to.equal(DEFAULT_FEE_PARAMETERS.l1BaseFee);
    expect(await gpo("blobBaseFee")).to.equal(DEFAULT_FEE_PARAMETERS.l1BlobBaseFee);
    expect(BigInt(await gpo("baseFeeScalar"))).to.equal(DEFAULT_FEE_PARAMETERS.l1BaseFeeScalar);
    expect(BigInt(await gpo("blobBaseFeeScalar"))).to.equal(
      DEFAULT_FEE_PARAMETERS.l1BlobBaseFeeScalar,
    );
    const values = l1BlockValuesFor(DEFAULT_FEE_PARAMETERS);
    const l1Block = <
      F extends "version" | "number" | "timestamp" | "hash" | "batcherHash" | "sequenceNumber",
    >(
      functionName: F,
    ) => client.readContract({ address: L1_BLOCK_ADDRESS, abi: l1BlockAbi, functionName });
    expect(await l1Block("version")).to.equal("1.4.1-beta.1");
    expect(await l1Block("number")).to.equal(values.number);
    expect(await l1Block("timestamp")).to.equal(values.timestamp);
    expect(await l1Block("hash")).to.equal(values.hash);
    expect(await l1Block("batcherHash")).to.equal(values.batcherHash);
    expect(await l1Block("sequenceNumber")).to.equal(values.sequenceNumber);
  });

  it("types only functions the real GasPriceOracle and L1Block have", function () {
    for (const [name, typed] of [
      ["GasPriceOracle", gasPriceOracleAbi],
      ["L1Block", l1BlockAbi],
    ] as const) {
      const real = readPredeployArtifact(name).abi;
      for (const fragment of typed) {
        const match = real.find(
          (f) =>
            f.type === "function" &&
            f.name === fragment.name &&
            JSON.stringify(f.inputs.map((i) => i.type)) ===
              JSON.stringify(fragment.inputs.map((i) => i.type)) &&
            JSON.stringify(f.outputs.map((o) => o.type)) ===
              JSON.stringify(fragment.outputs.map((o) => o.type)),
        );
        expect(match, `${name}.${fragment.name}`).to.not.equal(undefined);
      }
    }
  });

  it("refuses L1 values from any account but the depositor (NotDepositor)", async function () {
    await install(DEFAULT_FEE_PARAMETERS, "fjord");
    const [wallet] = await hre.viem.getWalletClients();
    const data = setL1BlockValuesEcotoneCalldata(l1BlockValuesFor(DEFAULT_FEE_PARAMETERS));
    expect(size(data)).to.equal(164);
    let reverted: unknown;
    try {
      await client.call({ account: wallet!.account.address, to: L1_BLOCK_ADDRESS, data });
    } catch (error) {
      reverted = error;
    }
    expect(String(reverted)).to.include("0x3cc50b45"); // NotDepositor()
    await client.call({ account: DEPOSITOR_ACCOUNT, to: L1_BLOCK_ADDRESS, data });
  });

  it("equals getL1Fee, getL1GasUsed and getL1FeeUpperBound on every transaction of the bench's paths", async function () {
    skipUnderCoverage(this);
    const fees = DEFAULT_FEE_PARAMETERS;
    await install(fees, "fjord");
    const chain = hardhatChain(provider, 31337);
    const sent: { functionName: string; signed: Hex }[] = [];
    chain.onSigned = (transaction) => sent.push(transaction);
    // The bench's entry points at quorum 3, batches of 1, 10 and 50 (its batches of 200 are the
    // same entry points, longer; random lengths and 32 KiB inputs are covered below).
    const config = {
      ...benchConfig({}),
      sections: ["paths" as const, "batch" as const],
      quorums: [3],
      batchSizes: [1, 10, 50],
      fees,
    };
    const measured = await runOnchain(hre, chain, config, () => {});
    const paths = [...measured.results.headline!, ...measured.results.batch!].map((f) => f.path);
    for (const path of [
      PATHS.ledgerAttest,
      PATHS.ledgerRelayed,
      PATHS.ledgerBatch(50),
      PATHS.ledgerCompact,
      PATHS.ledgerCompactBatch(50),
      PATHS.easDelegatedBatch(50),
      PATHS.easAttest,
      PATHS.easDelegated,
    ])
      expect(paths).to.include(path);
    const functions = new Set(sent.map((t) => t.functionName));
    for (const name of [
      "attest",
      "submitSignedAttestations",
      "submitCompactAttestations",
      "multiAttestByDelegation",
    ])
      expect([...functions]).to.include(name);
    expect(sent.length).to.be.greaterThan(20);
    for (const { functionName, signed } of sent) {
      const unsigned = unsignedTransactionOf(signed);
      await expectEqual(client, unsigned, fees, "fjord", functionName);
    }
  });

  it("equals them on random byte strings under random L1 values (fast-check)", async function () {
    await install(DEFAULT_FEE_PARAMETERS, "fjord");
    await fc.assert(
      fc.asyncProperty(
        l1Fees,
        fc.array(fc.uint8Array({ maxLength: 2048 }), { minLength: 1, maxLength: 4 }),
        async (fees, inputs) => {
          await setL1BlockValues({ ...hardhat, values: l1BlockValuesFor(fees) });
          for (const bytes of inputs)
            await expectEqual(client, toHex(bytes), fees, "fjord", "random");
        },
      ),
      { numRuns: 40 },
    );
  });

  it("equals them on empty, all-zero, all-0xff, floor-crossing and large inputs", async function () {
    const fees: L1FeeParameters = {
      l1BaseFee: 30_000_000_000n,
      l1BlobBaseFee: 1n,
      l1BaseFeeScalar: GAS_PRICE_ORACLE_MAX_BASE_FEE_SCALAR,
      l1BlobBaseFeeScalar: 0xffff_ffffn,
    };
    await install(fees, "fjord");
    for (const [label, bytes] of edgeCases())
      await expectEqual(client, bytes, fees, "fjord", label);
    expect(gasPriceOracleL1GasUsed(counting(98))).to.equal(1600n);
    expect(gasPriceOracleL1GasUsed(counting(99))).to.equal(1607n);
  });

  it("overflows in the oracle from a base fee scalar of 2^28 on, where the model refuses to mirror it", async function () {
    const fees = {
      ...DEFAULT_FEE_PARAMETERS,
      l1BaseFeeScalar: GAS_PRICE_ORACLE_MAX_BASE_FEE_SCALAR + 1n,
    };
    await install(fees, "fjord");
    let reverted: unknown;
    try {
      await oracle(client, "0x", "fjord");
    } catch (error) {
      reverted = error;
    }
    expect(String(reverted)).to.include("panic code 0x11");
    expect(() => gasPriceOracleL1Fee("0x", fees))
      .to.throw(InvalidFieldError)
      .with.property("field", "l1BaseFeeScalar");
    expect(() => gasPriceOracleL1FeeUpperBound(0, fees)).to.throw(InvalidFieldError);
    // op-geth charges in arbitrary precision: the node's fee exists.
    expect(l1DataFee({ signedTransaction: "0x", fees }).l1Fee > 0n).to.equal(true);
  });

  it("equals the Ecotone formula before Fjord, where getL1FeeUpperBound reverts", async function () {
    const fees = DEFAULT_FEE_PARAMETERS;
    await install(fees, "ecotone");
    for (const [label, bytes] of edgeCases())
      await expectEqual(client, bytes, fees, "ecotone", label);
    let reverted: unknown;
    try {
      await client.readContract({
        address: GAS_PRICE_ORACLE_ADDRESS,
        abi: gasPriceOracleAbi,
        functionName: "getL1FeeUpperBound",
        args: [100n],
      });
    } catch (error) {
      reverted = error;
    }
    expect(String(reverted)).to.include("GasPriceOracle: getL1FeeUpperBound only supports Fjord");
  });
});
