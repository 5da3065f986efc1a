/**
 * Signed manifests carrying both signature families: Ed25519 over the BLAKE3 `manifest_id`
 * (scheme 0) and secp256k1 EIP-712 over the typed `ManifestBody` (scheme 1). Both sign the body
 * only, so signatures can be appended in any order without invalidating one another.
 */
import {
  getAddress,
  type Address,
  type Client,
  type Hex,
  type LocalAccount,
  type Transport,
} from "viem";

import {
  signManifestEip712,
  verifyManifestEip712,
  verifyManifestEip712Offline,
  type ManifestDomain,
} from "../eip712/manifest";
import { ed25519PublicKey, signManifestIdEd25519, verifyManifestIdEd25519 } from "../local/ed25519";
import { manifestId } from "../local/manifest-id";
import { localManifestMerkleRoot } from "../local/merkle-blake3";
import {
  SignatureScheme,
  type Manifest,
  type ManifestBody,
  type ManifestSignature,
} from "../types/abi";
import { assertCanonicalValue, assertProtocolValue } from "../validation/values";

/** A manifest body before its local Merkle root is filled in. */
export type ManifestBodyParameters = Omit<ManifestBody, "merkleRoot">;

/**
 * A body with `merkleRoot` set to its `merkle+blake3` root, checked against the protocol rules
 * (at least one variant, chunks 0..n-1, sizes and duration > 0).
 */
export function createManifestBody(parameters: ManifestBodyParameters): ManifestBody {
  const body: ManifestBody = {
    ...parameters,
    merkleRoot: localManifestMerkleRoot(parameters),
  };
  assertProtocolValue("ManifestBody", body, "body");
  return body;
}

/** An unsigned manifest envelope: the body and its `manifest_id`. */
export function createManifest(body: ManifestBody): Manifest {
  assertProtocolValue("ManifestBody", body, "body");
  return { body, manifestId: manifestId(body), signatures: [] };
}

/** The manifest with an Ed25519 signature (over `manifest_id`) appended. */
export function addEd25519Signature(manifest: Manifest, privateKey: Hex): Manifest {
  const signature: ManifestSignature = {
    scheme: SignatureScheme.Ed25519Blake3,
    signer: ed25519PublicKey(privateKey),
    signature: signManifestIdEd25519(manifest.manifestId, privateKey),
  };
  return { ...manifest, signatures: [...manifest.signatures, signature] };
}

/** The manifest with an EIP-712 signature (over the typed body, under `domain`) appended. */
export async function addEip712Signature(
  manifest: Manifest,
  parameters: { account: Pick<LocalAccount, "address" | "signTypedData">; domain: ManifestDomain },
): Promise<Manifest> {
  const signature: ManifestSignature = {
    scheme: SignatureScheme.Eip712Secp256k1,
    signer: parameters.account.address.toLowerCase() as Hex,
    signature: await signManifestEip712({ ...parameters, body: manifest.body }),
  };
  return { ...manifest, signatures: [...manifest.signatures, signature] };
}

/** The verdict on one signature of a manifest. */
export type SignatureVerdict = {
  index: number;
  scheme: SignatureScheme;
  signer: Hex;
  valid: boolean;
  /** Why the signature is not valid (absent when valid). */
  problem?: string;
};

/** The verdict on a manifest: its local commitments and every signature. */
export type ManifestVerdict = {
  /** `manifestId` equals BLAKE3(JCS(body)). */
  manifestIdValid: boolean;
  /** `body.merkleRoot` equals the body's `merkle+blake3` root. */
  merkleRootValid: boolean;
  signatures: SignatureVerdict[];
  /** Everything above holds and there is at least one signature. */
  valid: boolean;
};

export type VerifyManifestParameters = {
  /** The EIP-712 domain of the verifying contract (see `readManifestDomain`); needed for scheme 1. */
  domain?: ManifestDomain;
  /** A chain client: with it scheme-1 signers may be contracts (ERC-1271); without, EOAs only. */
  client?: Client<Transport>;
};

/**
 * Checks a manifest: the body against the protocol rules (throws a typed error if it breaks them),
 * `manifestId` and `merkleRoot` against the body, and every signature by its scheme.
 */
export async function verifyManifest(
  manifest: Manifest,
  parameters: VerifyManifestParameters = {},
): Promise<ManifestVerdict> {
  assertCanonicalValue("Manifest", manifest, "manifest");
  assertProtocolValue("ManifestBody", manifest.body, "manifest.body");
  const expectedId = manifestId(manifest.body);
  const manifestIdValid = expectedId === manifest.manifestId.toLowerCase();
  const merkleRootValid =
    localManifestMerkleRoot(manifest.body) === manifest.body.merkleRoot.toLowerCase();
  const signatures: SignatureVerdict[] = [];
  for (const [index, sig] of manifest.signatures.entries()) {
    const verdict = { index, scheme: sig.scheme as SignatureScheme, signer: sig.signer };
    if (sig.scheme === SignatureScheme.Ed25519Blake3) {
      const valid = verifyManifestIdEd25519({
        manifestId: expectedId,
        signature: sig.signature,
        publicKey: sig.signer,
      });
      signatures.push(
        valid
          ? { ...verdict, valid }
          : { ...verdict, valid, problem: "Ed25519 signature over manifest_id does not verify" },
      );
      continue;
    }
    if (!parameters.domain) {
      signatures.push({ ...verdict, valid: false, problem: "no EIP-712 domain given" });
      continue;
    }
    const signer: Address = getAddress(sig.signer);
    const args = {
      body: manifest.body,
      domain: parameters.domain,
      signer,
      signature: sig.signature,
    };
    const valid = parameters.client
      ? await verifyManifestEip712({ ...args, client: parameters.client })
      : await verifyManifestEip712Offline(args);
    signatures.push(
      valid
        ? { ...verdict, valid }
        : { ...verdict, valid, problem: "EIP-712 signature over the body does not verify" },
    );
  }
  return {
    manifestIdValid,
    merkleRootValid,
    signatures,
    valid:
      manifestIdValid &&
      merkleRootValid &&
      signatures.length > 0 &&
      signatures.every((s) => s.valid),
  };
}
