/**
 * Chainlink's `KeystoneForwarder` beside our ledger, on the same chain. `@chainlink/contracts` 1.2.0
 * ships the forwarder's source and ABI but no bytecode, and its source pins `pragma solidity 0.8.24`
 * exactly while this project compiles only with the pinned solc 0.8.30 npm package (no compiler
 * downloads). So the forwarder is compiled here from the package's own files by that compiler, with
 * one change, checked to be the only one: the exact pragma becomes `^0.8.24`. The settings are
 * Chainlink's foundry defaults (optimizer, 1,000,000 runs, no metadata hash) on this project's EVM
 * target, so the forwarder runs on the same EVM as the ledger it is compared with.
 *
 * A DON of 3f+1 signers with fault tolerance f accepts a report carrying exactly f+1 signatures:
 * f = 2 (7 signers) gives the 3-signature report compared with quorum 3. The report body is
 * `abi.encode(ObservationHeader[])`, delivered to `PeerObservationRecorder.onReport`.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

import {
  concat,
  encodeAbiParameters,
  keccak256,
  numberToHex,
  parseSignature,
  toHex,
  type Abi,
  type Address,
  type Hex,
} from "viem";
import type { PrivateKeyAccount } from "viem/accounts";

import { EVM_VERSION, SOLC_VERSION } from "../../lib/config/solc";
import type { L1FeeParameters } from "../../lib/opstack/fee-model";
import { abiParameters, type ObservationHeader } from "../../lib/types/abi";
import { deploy, send, type BenchChain, type TxCost } from "./chain";

const requireFromHere = createRequire(__filename);

/** The package directory the forwarder's sources are read from. */
const CHAINLINK_SRC = path.join(
  path.dirname(requireFromHere.resolve("@chainlink/contracts/package.json")),
  "src",
  "v0.8",
);
const FORWARDER_SOURCE = "keystone/KeystoneForwarder.sol";
const EXACT_PRAGMA = "pragma solidity 0.8.24;";
const RELAXED_PRAGMA = "pragma solidity ^0.8.24;";

/** Chainlink's foundry default profile, on this project's EVM target. */
export const KEYSTONE_COMPILER_SETTINGS = {
  optimizer: { enabled: true, runs: 1_000_000 },
  evmVersion: EVM_VERSION,
  metadata: { bytecodeHash: "none" },
} as const;

export interface KeystoneArtifact {
  abi: Abi;
  bytecode: Hex;
  /** The solc version that compiled it. */
  compiler: string;
}

export class KeystoneCompileError extends Error {
  override name = "KeystoneCompileError";
}

let compiled: KeystoneArtifact | undefined;

/** Compiles `KeystoneForwarder` from `@chainlink/contracts` with the project's solc (once per process). */
export function keystoneForwarderArtifact(): KeystoneArtifact {
  if (compiled) return compiled;
  const original = readFileSync(path.join(CHAINLINK_SRC, FORWARDER_SOURCE), "utf8");
  if (original.split(EXACT_PRAGMA).length !== 2)
    throw new KeystoneCompileError(
      `${FORWARDER_SOURCE}: expected one "${EXACT_PRAGMA}" line (is @chainlink/contracts 1.2.0 installed?)`,
    );
  const solc = requireFromHere("solc") as {
    compile(input: string, callbacks: object): string;
    version(): string;
  };
  const input = {
    language: "Solidity",
    sources: { [FORWARDER_SOURCE]: { content: original.replace(EXACT_PRAGMA, RELAXED_PRAGMA) } },
    settings: {
      ...KEYSTONE_COMPILER_SETTINGS,
      outputSelection: {
        [FORWARDER_SOURCE]: { KeystoneForwarder: ["abi", "evm.bytecode.object"] },
      },
    },
  };
  // Imports resolve inside the package's `src/v0.8`, as its own remappings do.
  const findImports = (importPath: string) => {
    const file = path.resolve(CHAINLINK_SRC, importPath);
    if (!file.startsWith(CHAINLINK_SRC + path.sep))
      return { error: `${importPath}: outside the package` };
    try {
      return { contents: readFileSync(file, "utf8") };
    } catch {
      return { error: `${importPath}: not found in ${CHAINLINK_SRC}` };
    }
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports })) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  const contract = output.contracts?.[FORWARDER_SOURCE]?.KeystoneForwarder;
  if (errors.length > 0 || !contract)
    throw new KeystoneCompileError(
      `${FORWARDER_SOURCE}: ${errors.map((e) => e.formattedMessage.split("\n")[0]).join("; ") || "no output"}`,
    );
  const version = solc.version().split("+")[0] ?? "";
  if (version !== SOLC_VERSION)
    throw new KeystoneCompileError(`solc: expected the pinned ${SOLC_VERSION}, found ${version}`);
  compiled = {
    abi: contract.abi,
    bytecode: `0x${contract.evm.bytecode.object}`,
    compiler: version,
  };
  return compiled;
}

export interface KeystoneDeployment {
  forwarder: Address;
  abi: Abi;
  donId: number;
  configVersion: number;
  /** Fault tolerance: a report carries exactly f + 1 signatures. */
  f: number;
  signers: readonly PrivateKeyAccount[];
}

/** Deploys a forwarder and configures a DON of `3f + 1` signers with fault tolerance `f`. */
export async function deployKeystone(
  chain: BenchChain,
  owner: PrivateKeyAccount,
  signers: readonly PrivateKeyAccount[],
  f: number,
  fees: L1FeeParameters,
): Promise<KeystoneDeployment> {
  const { abi, bytecode } = keystoneForwarderArtifact();
  const forwarder = await deploy(chain, owner, abi, bytecode, []);
  const deployment = { forwarder, abi, donId: 1, configVersion: 1, f, signers };
  await send({
    chain,
    from: owner,
    to: forwarder,
    abi,
    functionName: "setConfig",
    args: [deployment.donId, deployment.configVersion, f, signers.map((s) => s.address)],
    fees,
  });
  return deployment;
}

/** The 109-byte metadata prefix of a Keystone report (`KeystoneForwarder._getMetadata`). */
export function reportMetadata(parameters: {
  workflowExecutionId: Hex;
  timestamp: number;
  donId: number;
  configVersion: number;
  reportId: Hex;
}): Hex {
  return concat([
    "0x01", // version
    parameters.workflowExecutionId, // 32
    numberToHex(parameters.timestamp, { size: 4 }),
    numberToHex(parameters.donId, { size: 4 }),
    numberToHex(parameters.configVersion, { size: 4 }),
    keccak256(toHex("every.channel bench workflow")), // workflow_cid, 32
    toHex("ecobserve", { size: 10 }), // workflow_name, 10
    "0x00000000000000000000000000000000000000ec", // workflow_owner, 20
    parameters.reportId, // 2
  ]);
}

/** The report body: the headers the recorder decodes. */
export function encodeReportBody(headers: readonly ObservationHeader[]): Hex {
  return encodeAbiParameters(
    [{ type: "tuple[]", components: abiParameters.ObservationHeader.components }],
    [headers],
  );
}

export interface KeystoneReport {
  rawReport: Hex;
  reportContext: Hex;
  signatures: Hex[];
  workflowExecutionId: Hex;
}

/**
 * A signed report of `headers`: each of the first f + 1 signers signs
 * keccak256(keccak256(rawReport) ‖ reportContext) and sends r ‖ s ‖ yParity (65 bytes).
 */
export async function signReport(
  deployment: KeystoneDeployment,
  headers: readonly ObservationHeader[],
  nonce: number,
  signers: readonly PrivateKeyAccount[] = deployment.signers.slice(0, deployment.f + 1),
): Promise<KeystoneReport> {
  const workflowExecutionId = keccak256(toHex(`every.channel bench execution ${nonce}`));
  const rawReport = concat([
    reportMetadata({
      workflowExecutionId,
      timestamp: 1_734_000_000 + nonce,
      donId: deployment.donId,
      configVersion: deployment.configVersion,
      reportId: "0x0001",
    }),
    encodeReportBody(headers),
  ]);
  // OCR3's report context: config digest, sequence number, and a zero word.
  const reportContext = concat([
    keccak256(toHex(`every.channel bench config ${deployment.forwarder}`)),
    numberToHex(nonce, { size: 32 }),
    numberToHex(0, { size: 32 }),
  ]);
  const completeHash = keccak256(concat([keccak256(rawReport), reportContext]));
  const signatures: Hex[] = [];
  for (const signer of signers) {
    const { r, s, yParity } = parseSignature(await signer.sign({ hash: completeHash }));
    signatures.push(concat([r, s, numberToHex(yParity, { size: 1 })]));
  }
  return { rawReport, reportContext, signatures, workflowExecutionId };
}

/**
 * Gas limit of a transmission. Not estimated: the forwarder catches the receiver's failure, so the
 * lowest gas at which `report` succeeds can be one at which the receiver ran out of gas.
 */
export const TRANSMISSION_GAS_LIMIT = 20_000_000n;

/** Delivers a signed report through the forwarder, sent by `transmitter`; returns its cost. */
export async function transmitReport(
  chain: BenchChain,
  deployment: KeystoneDeployment,
  transmitter: PrivateKeyAccount,
  receiver: Address,
  report: KeystoneReport,
  fees: L1FeeParameters,
): Promise<TxCost> {
  return await send({
    chain,
    from: transmitter,
    to: deployment.forwarder,
    abi: deployment.abi,
    functionName: "report",
    args: [receiver, report.rawReport, report.reportContext, report.signatures],
    fees,
    gas: TRANSMISSION_GAS_LIMIT,
  });
}
