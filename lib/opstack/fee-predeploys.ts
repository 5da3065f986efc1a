/**
 * The OP Stack fee predeploys on a development chain: the real `GasPriceOracle` (1.3.0, Fjord) and
 * `L1Block` (1.4.1-beta.1) of `@eth-optimism/contracts-bedrock` 0.17.3, their runtime bytecode put at
 * the predeploy addresses, and the L1 values set the way an OP Stack node sets them: by the
 * depositor account, calling `L1Block.setL1BlockValuesEcotone` with packed calldata, after
 * `GasPriceOracle.setEcotone()` and `setFjord()`.
 *
 * The depositor's calls are sent either as transactions of the impersonated depositor (the
 * in-process Hardhat network, anvil) or as deposit transactions (type 0x7e, which anvil accepts
 * with `--network optimism`, unsigned and from any address, as the OP Stack derivation produces
 * them). A node that runs the OP Stack itself (op-geth) has both predeploys in its genesis.
 */
import { createRequire } from "node:module";

import {
  concat,
  encodeFunctionData,
  encodePacked,
  keccak256,
  numberToHex,
  parseAbi,
  toFunctionSelector,
  toHex,
  type Abi,
  type Address,
  type Hex,
} from "viem";
import { z } from "zod";

import { EveryChannelError, InvalidFieldError } from "../errors";
import type { L1FeeParameters } from "./fee-model";
import { GAS_PRICE_ORACLE_ADDRESS } from "./gas-price-oracle";

export const L1_BLOCK_ADDRESS: Address = "0x4200000000000000000000000000000000000015";
/** The system address that sends the L1 attributes deposit of every L2 block. */
export const DEPOSITOR_ACCOUNT: Address = "0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001";
/** The npm release the bytecode comes from. */
export const CONTRACTS_BEDROCK_PACKAGE = "@eth-optimism/contracts-bedrock";

export const l1BlockAbi = parseAbi([
  "function setL1BlockValuesEcotone()",
  "function number() view returns (uint64)",
  "function timestamp() view returns (uint64)",
  "function basefee() view returns (uint256)",
  "function blobBaseFee() view returns (uint256)",
  "function hash() view returns (bytes32)",
  "function batcherHash() view returns (bytes32)",
  "function sequenceNumber() view returns (uint64)",
  "function baseFeeScalar() view returns (uint32)",
  "function blobBaseFeeScalar() view returns (uint32)",
  "function version() pure returns (string)",
]);

const forgeArtifact = z.object({
  abi: z.array(z.object({ type: z.string() }).passthrough()),
  deployedBytecode: z.object({
    object: z.string().regex(/^0x([0-9a-f]{2})+$/i, "expected 0x-prefixed runtime bytecode"),
    immutableReferences: z.record(z.unknown()).optional(),
    linkReferences: z.record(z.unknown()).optional(),
  }),
  metadata: z.object({ compiler: z.object({ version: z.string() }) }),
});

/** One contract of the npm release: its ABI, runtime bytecode and compiler. */
export interface PredeployArtifact {
  name: "GasPriceOracle" | "L1Block";
  abi: Abi;
  deployedBytecode: Hex;
  compiler: string;
  /** Path of the artifact file that was read. */
  file: string;
}

/** Reads a contract's forge artifact from `@eth-optimism/contracts-bedrock`. */
export function readPredeployArtifact(name: PredeployArtifact["name"]): PredeployArtifact {
  const require = createRequire(__filename);
  const file = require.resolve(
    `${CONTRACTS_BEDROCK_PACKAGE}/forge-artifacts/${name}.sol/${name}.json`,
  );
  const parsed = forgeArtifact.safeParse(require(file));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidFieldError(`${file}: ${issue.path.join(".")}`, undefined, issue.message);
  }
  const { deployedBytecode } = parsed.data;
  // Code copied to an address must not depend on its deployment: no immutables, no libraries.
  for (const key of ["immutableReferences", "linkReferences"] as const) {
    const references = deployedBytecode[key];
    if (references !== undefined && Object.keys(references).length > 0)
      throw new InvalidFieldError(
        `${file}: deployedBytecode.${key}`,
        references,
        "expected none (the runtime code is copied to the predeploy address as is)",
      );
  }
  return {
    name,
    abi: parsed.data.abi as unknown as Abi,
    deployedBytecode: deployedBytecode.object as Hex,
    compiler: parsed.data.metadata.compiler.version,
    file,
  };
}

/** The L1 attributes of one L2 block: L1 prices, the chain's scalars and the L1 origin. */
export interface L1BlockValues {
  fees: L1FeeParameters;
  /** L1 origin block number (uint64). */
  number: bigint;
  /** L1 origin timestamp (uint64). */
  timestamp: bigint;
  /** L1 origin block hash. */
  hash: Hex;
  /** L2 blocks since the epoch started (uint64). */
  sequenceNumber: bigint;
  /** Versioned hash of the batcher address. */
  batcherHash: Hex;
}

const SET_L1_BLOCK_VALUES_ECOTONE = toFunctionSelector("function setL1BlockValuesEcotone()");

/**
 * The calldata of `L1Block.setL1BlockValuesEcotone()`: the selector, then the values packed (not
 * ABI-encoded) in this order: baseFeeScalar (uint32), blobBaseFeeScalar (uint32), sequenceNumber,
 * timestamp, number (uint64 each), basefee, blobBaseFee (uint256 each), hash, batcherHash (bytes32).
 * 164 bytes, as in the OP Stack's L1 attributes deposit since Ecotone.
 */
export function setL1BlockValuesEcotoneCalldata(values: L1BlockValues): Hex {
  return concat([
    SET_L1_BLOCK_VALUES_ECOTONE,
    encodePacked(
      [
        "uint32",
        "uint32",
        "uint64",
        "uint64",
        "uint64",
        "uint256",
        "uint256",
        "bytes32",
        "bytes32",
      ],
      [
        Number(values.fees.l1BaseFeeScalar),
        Number(values.fees.l1BlobBaseFeeScalar),
        values.sequenceNumber,
        values.timestamp,
        values.number,
        values.fees.l1BaseFee,
        values.fees.l1BlobBaseFee,
        values.hash,
        values.batcherHash,
      ],
    ),
  ]);
}

/** The L1 origin used when only the fees matter: fixed, recognisable values. */
export function l1BlockValuesFor(fees: L1FeeParameters): L1BlockValues {
  return {
    fees,
    number: 20_000_000n,
    timestamp: 1_717_000_000n,
    hash: keccak256(toHex("every.channel L1 origin")),
    sequenceNumber: 0n,
    batcherHash: `0x${"00".repeat(12)}${"11".repeat(20)}`,
  };
}

/** Raw JSON-RPC of a development node. */
export type DevNodeRequest = (method: string, params: unknown[]) => Promise<unknown>;

/** How the depositor account's calls reach the chain. */
export type DepositorCalls =
  /** `<prefix>_impersonateAccount` and ordinary transactions from the depositor. */
  | { kind: "impersonate"; prefix: "hardhat" | "anvil" }
  /** Deposit transactions (type 0x7e): anvil with `--network optimism`. */
  | { kind: "deposit" };

export interface InstallFeePredeploysParameters {
  request: DevNodeRequest;
  /** Prefix of the node's `_setCode` / `_setBalance` methods. */
  prefix: "hardhat" | "anvil";
  depositor: DepositorCalls;
  /** The L1 values to set (`l1BlockValuesFor(fees)` for fixed origin fields). */
  values: L1BlockValues;
  /** The fee formula to activate: `fjord` calls `setEcotone()` then `setFjord()`. */
  formula: "ecotone" | "fjord";
}

/** A predeploy could not be installed or configured. */
export class PredeployInstallError extends EveryChannelError {
  override name = "PredeployInstallError";
}

const gasPriceOracleSetters = parseAbi(["function setEcotone()", "function setFjord()"]);

/** The receipt of `hash`, polled for up to 30 s (anvil mines a moment after it answers). */
async function waitForReceipt(
  request: DevNodeRequest,
  hash: Hex,
): Promise<{ status?: string } | null> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const receipt = (await request("eth_getTransactionReceipt", [hash])) as {
      status?: string;
    } | null;
    if (receipt !== null || Date.now() > deadline) return receipt;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * One call by the depositor account, mined: a transaction of the impersonated depositor, or a
 * deposit transaction whose source hash is derived from the label and the block it goes into.
 */
async function depositorCall(
  parameters: Pick<InstallFeePredeploysParameters, "request" | "prefix" | "depositor">,
  label: string,
  to: Address,
  data: Hex,
): Promise<void> {
  const { request, prefix, depositor } = parameters;
  const transaction: Record<string, string | boolean> = {
    from: DEPOSITOR_ACCOUNT,
    to,
    data,
    gas: numberToHex(1_000_000n),
  };
  if (depositor.kind === "deposit") {
    const block = (await request("eth_blockNumber", [])) as Hex;
    transaction.type = "0x7e";
    transaction.sourceHash = keccak256(concat([toHex(`every.channel ${label}`), block]));
    transaction.mint = "0x0";
    transaction.isSystemTx = false;
  } else {
    await request(`${depositor.prefix}_impersonateAccount`, [DEPOSITOR_ACCOUNT]);
    await request(`${prefix}_setBalance`, [DEPOSITOR_ACCOUNT, numberToHex(10n ** 20n)]);
  }
  try {
    const hash = (await request("eth_sendTransaction", [transaction])) as Hex;
    const receipt = await waitForReceipt(request, hash);
    if (receipt === null || receipt.status !== "0x1")
      throw new PredeployInstallError(
        `depositor call ${label} did not succeed (tx ${hash}, status ${receipt?.status ?? "not mined"})`,
        { label, hash },
      );
  } finally {
    if (depositor.kind === "impersonate")
      await request(`${depositor.prefix}_stopImpersonatingAccount`, [DEPOSITOR_ACCOUNT]);
  }
}

/**
 * Puts the real `GasPriceOracle` and `L1Block` at their predeploy addresses and configures them as
 * an OP Stack chain after Ecotone (and Fjord) does. Returns the artifacts that were installed.
 */
export async function installFeePredeploys(
  parameters: InstallFeePredeploysParameters,
): Promise<{ gasPriceOracle: PredeployArtifact; l1Block: PredeployArtifact }> {
  const { request, prefix } = parameters;
  const gasPriceOracle = readPredeployArtifact("GasPriceOracle");
  const l1Block = readPredeployArtifact("L1Block");
  await request(`${prefix}_setCode`, [GAS_PRICE_ORACLE_ADDRESS, gasPriceOracle.deployedBytecode]);
  await request(`${prefix}_setCode`, [L1_BLOCK_ADDRESS, l1Block.deployedBytecode]);
  await setL1BlockValues(parameters);
  const setter = (functionName: "setEcotone" | "setFjord") =>
    depositorCall(
      parameters,
      `GasPriceOracle.${functionName}`,
      GAS_PRICE_ORACLE_ADDRESS,
      encodeFunctionData({ abi: gasPriceOracleSetters, functionName }),
    );
  await setter("setEcotone");
  if (parameters.formula === "fjord") await setter("setFjord");
  return { gasPriceOracle, l1Block };
}

/**
 * Sets new L1 values on an installed `L1Block`, as the L1 attributes deposit at the start of each
 * L2 block does, without touching the fork flags.
 */
export async function setL1BlockValues(
  parameters: Omit<InstallFeePredeploysParameters, "formula">,
): Promise<void> {
  await depositorCall(
    parameters,
    "L1Block.setL1BlockValuesEcotone",
    L1_BLOCK_ADDRESS,
    setL1BlockValuesEcotoneCalldata(parameters.values),
  );
}
