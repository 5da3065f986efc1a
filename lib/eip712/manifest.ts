/**
 * Ethereum-rail manifest signatures (scheme `eip712-secp256k1`, code 1): EIP-712 typed data over
 * the `ManifestBody` (never the envelope, so appending signatures never changes what is signed).
 * The domain is the verifying contract's, read through ERC-5267 `eip712Domain()`; for the rail it is
 * name "EveryChannelRail", version "1", the chain id and the contract address. Solidity twin:
 * `contracts/libraries/EveryChannelManifestTypedData.sol`.
 */
import {
  domainSeparator,
  getAddress,
  hashStruct,
  hashTypedData,
  isAddress,
  recoverTypedDataAddress,
  type Address,
  type Client,
  type Hex,
  type LocalAccount,
  type Transport,
  type TypedDataDomain,
} from "viem";
import { getEip712Domain, verifyTypedData } from "viem/actions";

import { InvalidFieldError } from "../errors";
import type { ManifestBody } from "../types/abi";
import { assertCanonicalValue } from "../validation/values";
import { typedDataDefinition } from "./typedData";

/** The EIP-712 types of `ManifestBody` and the structs it nests (field order = the Solidity structs). */
export const manifestBodyTypes = {
  ManifestBody: [
    { name: "streamId", type: "bytes32" },
    { name: "epochId", type: "uint64" },
    { name: "epochStartUnixMs", type: "uint64" },
    { name: "epochDurationMs", type: "uint32" },
    { name: "variants", type: "ManifestVariant[]" },
    { name: "psipBlake3", type: "bytes32" },
    { name: "merkleRoot", type: "bytes32" },
    { name: "publisher", type: "SourceId" },
    { name: "createdUnixMs", type: "uint64" },
  ],
  ManifestVariant: [
    { name: "name", type: "string" },
    { name: "chunks", type: "ChunkId[]" },
  ],
  ChunkId: [
    { name: "index", type: "uint32" },
    { name: "size", type: "uint32" },
    { name: "blake3", type: "bytes32" },
  ],
  SourceId: [
    { name: "nodeId", type: "bytes32" },
    { name: "device", type: "string" },
  ],
} as const;

/** The EIP-712 type strings (`encodeType`), as in the Solidity typehash comments. */
export const manifestTypeStrings = {
  SourceId: "SourceId(bytes32 nodeId,string device)",
  ChunkId: "ChunkId(uint32 index,uint32 size,bytes32 blake3)",
  ManifestVariant:
    "ManifestVariant(string name,ChunkId[] chunks)ChunkId(uint32 index,uint32 size,bytes32 blake3)",
  ManifestBody:
    "ManifestBody(bytes32 streamId,uint64 epochId,uint64 epochStartUnixMs,uint32 epochDurationMs," +
    "ManifestVariant[] variants,bytes32 psipBlake3,bytes32 merkleRoot,SourceId publisher," +
    "uint64 createdUnixMs)ChunkId(uint32 index,uint32 size,bytes32 blake3)" +
    "ManifestVariant(string name,ChunkId[] chunks)SourceId(bytes32 nodeId,string device)",
} as const;

/** The EIP-712 domain of the rail contract, before the chain id and address are known. */
export const RAIL_DOMAIN_NAME = "EveryChannelRail";
export const RAIL_DOMAIN_VERSION = "1";

/** A fully specified EIP-712 domain (ERC-5267 fields name, version, chainId, verifyingContract). */
export type ManifestDomain = {
  name: string;
  version: string;
  chainId: number;
  verifyingContract: Address;
  salt?: Hex;
};

/** The domain the verifying contract reports through ERC-5267 `eip712Domain()`. */
export async function readManifestDomain(
  client: Client<Transport>,
  verifyingContract: Address,
): Promise<ManifestDomain> {
  const { domain, fields } = await getEip712Domain(client, { address: verifyingContract });
  const bits = Number(BigInt(fields));
  // ERC-5267: bit 0 name, 1 version, 2 chainId, 3 verifyingContract, 4 salt.
  if ((bits & 0x0f) !== 0x0f)
    throw new InvalidFieldError(
      "eip712Domain.fields",
      fields,
      "the verifying contract must report name, version, chainId and verifyingContract",
    );
  return {
    name: domain.name,
    version: domain.version,
    chainId: Number(domain.chainId),
    verifyingContract: getAddress(domain.verifyingContract),
    ...((bits & 0x10) !== 0 ? { salt: domain.salt } : {}),
  };
}

/** The EIP-712 domain separator of `domain` (what OZ `_domainSeparatorV4()` returns on-chain). */
export function manifestDomainSeparator(domain: ManifestDomain): Hex {
  return domainSeparator({ domain: domain as TypedDataDomain });
}

/** The typed-data object viem signs and hashes for `body` under `domain`. */
export function manifestTypedData(body: ManifestBody, domain: ManifestDomain) {
  assertCanonicalValue("ManifestBody", body, "body");
  return typedDataDefinition(domain, manifestBodyTypes, "ManifestBody", body);
}

/** EIP-712 `hashStruct(body)`: the message part of the digest, independent of the domain. */
export function manifestBodyStructHash(body: ManifestBody): Hex {
  assertCanonicalValue("ManifestBody", body, "body");
  return hashStruct({ data: body, primaryType: "ManifestBody", types: manifestBodyTypes });
}

/** The EIP-712 digest keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(body)) a signer signs. */
export function manifestDigest(body: ManifestBody, domain: ManifestDomain): Hex {
  return hashTypedData(manifestTypedData(body, domain));
}

/** Signs `body` under `domain` with a viem local account (secp256k1 EIP-712). */
export async function signManifestEip712(parameters: {
  account: Pick<LocalAccount, "address" | "signTypedData">;
  body: ManifestBody;
  domain: ManifestDomain;
}): Promise<Hex> {
  return parameters.account.signTypedData(manifestTypedData(parameters.body, parameters.domain));
}

function checkSigner(signer: unknown): Address {
  if (typeof signer !== "string" || !isAddress(signer, { strict: false }))
    throw new InvalidFieldError("signer", signer, "expected a 20-byte address");
  return getAddress(signer);
}

/**
 * Offline check that `signature` is the EOA `signer`'s EIP-712 signature over `body` (ECDSA
 * recovery). Contract signers (ERC-1271) need {@link verifyManifestEip712}.
 */
export async function verifyManifestEip712Offline(parameters: {
  body: ManifestBody;
  domain: ManifestDomain;
  signer: Address;
  signature: Hex;
}): Promise<boolean> {
  const signer = checkSigner(parameters.signer);
  try {
    const recovered = await recoverTypedDataAddress({
      ...manifestTypedData(parameters.body, parameters.domain),
      signature: parameters.signature,
    });
    return recovered === signer;
  } catch (error) {
    if (error instanceof InvalidFieldError) throw error;
    return false;
  }
}

/**
 * Checks `signature` against `signer` through a chain client, as the rail contract does: ECDSA for
 * an EOA, ERC-1271 `isValidSignature` for a contract signer (viem `verifyTypedData`).
 */
export async function verifyManifestEip712(parameters: {
  client: Client<Transport>;
  body: ManifestBody;
  domain: ManifestDomain;
  signer: Address;
  signature: Hex;
}): Promise<boolean> {
  const signer = checkSigner(parameters.signer);
  // Chain errors (unreachable node, ...) propagate: they say nothing about the signature.
  return verifyTypedData(parameters.client, {
    ...manifestTypedData(parameters.body, parameters.domain),
    address: signer,
    signature: parameters.signature,
  });
}
