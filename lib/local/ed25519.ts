/**
 * Local-rail manifest signatures (scheme `ed25519-blake3`, code 0): Ed25519 (RFC 8032, pure
 * Ed25519, no context or prehash) over the 32 bytes of the BLAKE3 `manifest_id`. Verification is
 * strict RFC 8032 (canonical encodings only, `zip215: false`).
 */
import { ed25519 } from "@noble/curves/ed25519";
import { bytesToHex, hexToBytes, type Hex } from "viem";

import { InvalidFieldError } from "../errors";

function bytesOf(value: unknown, size: number, field: string): Uint8Array {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]*$/.test(value) || value.length !== 2 + 2 * size)
    throw new InvalidFieldError(field, value, `expected ${size} bytes of 0x-prefixed hex`);
  return hexToBytes(value as Hex);
}

/** The 32-byte Ed25519 public key of a 32-byte private key (seed). */
export function ed25519PublicKey(privateKey: Hex): Hex {
  return bytesToHex(ed25519.getPublicKey(bytesOf(privateKey, 32, "privateKey")));
}

/** A fresh random Ed25519 private key. */
export function generateEd25519PrivateKey(): Hex {
  return bytesToHex(ed25519.utils.randomPrivateKey());
}

/** The 64-byte Ed25519 signature of `privateKey` over the 32 bytes of `manifestId`. */
export function signManifestIdEd25519(manifestId: Hex, privateKey: Hex): Hex {
  return bytesToHex(
    ed25519.sign(bytesOf(manifestId, 32, "manifestId"), bytesOf(privateKey, 32, "privateKey")),
  );
}

/**
 * Whether `signature` is `publicKey`'s Ed25519 signature over `manifestId`. Malformed lengths
 * throw; a wrong, non-canonical or otherwise invalid signature returns false.
 */
export function verifyManifestIdEd25519(parameters: {
  manifestId: Hex;
  signature: Hex;
  publicKey: Hex;
}): boolean {
  const message = bytesOf(parameters.manifestId, 32, "manifestId");
  const signature = bytesOf(parameters.signature, 64, "signature");
  const publicKey = bytesOf(parameters.publicKey, 32, "publicKey");
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}
