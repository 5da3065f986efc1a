/**
 * EIP-712 typed data of the witness signature over an observation content
 * (`EveryChannelObservationLedger.observationDigest`).
 */
import { hashTypedData, type Address, type Hex, type TypedDataDefinition } from "viem";

import { signTypedDataWith, typedDataDefinition, type TypedDataSigner } from "../eip712/typedData";
import { observationContentComponents, type ObservationContent } from "../types/abi";

/** The EIP-712 domain name of the ledger (ERC-5267 `eip712Domain().name`). */
export const OBSERVATION_LEDGER_DOMAIN_NAME = "EveryChannelObservationLedger";
/** The EIP-712 domain version of the ledger. */
export const OBSERVATION_LEDGER_DOMAIN_VERSION = "2";

/**
 * The EIP-712 type string whose keccak256 is `OBSERVATION_TYPEHASH`:
 * `Observation(bytes32 streamHash,bytes32 epochHash,bytes32 dataRoot,bytes32 locatorHash,uint64 observedUnixMs)`,
 * written from the content's components (`test/types/abi-mirror.test.ts` pins it; `test/ledger/views.test.ts` hashes it to the contract's typehash).
 */
export const OBSERVATION_TYPE = `Observation(${observationContentComponents
  .map(({ type, name }) => `${type} ${name}`)
  .join(",")})`;

/** The EIP-712 `types` of an observation signature. */
export const observationTypes = {
  Observation: observationContentComponents,
} as const;

/** The ledger's EIP-712 domain: read it from the contract with `readObservationLedgerDomain`. */
export interface ObservationLedgerDomain {
  readonly name: string;
  readonly version: string;
  readonly chainId: bigint;
  readonly verifyingContract: Address;
}

export type ObservationTypedData = TypedDataDefinition<typeof observationTypes, "Observation">;

/** The typed data a witness signs for `content` under `domain`. */
export function observationTypedData(
  domain: ObservationLedgerDomain,
  content: ObservationContent,
): ObservationTypedData {
  return typedDataDefinition(domain, observationTypes, "Observation", { ...content });
}

/** The EIP-712 digest of `content` under `domain` (equals the contract's `observationDigest`). */
export function observationDigest(
  domain: ObservationLedgerDomain,
  content: ObservationContent,
): Hex {
  return hashTypedData(observationTypedData(domain, content));
}

/** Signs with a local account (private key, mnemonic) or with a wallet client that holds an account. */
export type ObservationSigner = TypedDataSigner;

/** A witness's 65-byte EIP-712 signature over `content` (or whatever an ERC-1271 wallet's key signs). */
export async function signObservation(
  signer: ObservationSigner,
  domain: ObservationLedgerDomain,
  content: ObservationContent,
): Promise<Hex> {
  return signTypedDataWith(signer, observationTypedData(domain, content));
}
