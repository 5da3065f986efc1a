/**
 * ABI shapes of the ledger's relay structs (`contracts/interfaces/IEveryChannelObservationLedger.sol`),
 * `as const` so that viem derives their TypeScript types; `test/ledger/lib.test.ts` checks them
 * against the compiled artifact.
 */
import type { AbiParameter, AbiParameterToPrimitiveType } from "abitype";
import type { Hex } from "viem";

import { observationContentComponents, type ObservationContent } from "../types/abi";

export const witnessSignatureComponents = [
  { name: "witness", type: "address" },
  { name: "signature", type: "bytes" },
] as const;

export const signedObservationComponents = [
  { name: "content", type: "tuple", components: observationContentComponents },
  { name: "signatures", type: "tuple[]", components: witnessSignatureComponents },
] as const;

export const ledgerAbiParameters = {
  WitnessSignature: { type: "tuple", components: witnessSignatureComponents },
  SignedObservation: { type: "tuple", components: signedObservationComponents },
} as const satisfies Record<string, AbiParameter>;

/** One witness's EIP-712 signature over an observation content. */
export type WitnessSignature = AbiParameterToPrimitiveType<
  (typeof ledgerAbiParameters)["WitnessSignature"]
>;
/** A content with the witness signatures a relayer submits for it. */
export type SignedObservation = AbiParameterToPrimitiveType<
  (typeof ledgerAbiParameters)["SignedObservation"]
>;
/**
 * One item of `submitCompactAttestations`: a content with its witnesses' 64-byte EIP-2098 signatures,
 * concatenated. Not an ABI struct: `packCompactBatch` turns items into the call's two arguments.
 */
export interface CompactObservation {
  readonly content: ObservationContent;
  /** 64-byte compact signatures, concatenated (1 to 255 of them). */
  readonly signatures: Hex;
}
