/**
 * Writes `fixtures/vectors/rail-eip712.json`: one vector per rail EIP-712 message (domain, message,
 * type string, typehash, struct hash, digest, and the signature of a fixed test key), for other
 * implementations of the rail's signing to check themselves against.
 * `test/rail/vectors.test.ts` recomputes every field with `lib/rail`.
 *
 *   npx ts-node scripts/rail-vectors.ts
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { hashStruct, keccak256, toHex, type Hex, type TypedData } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { railDomain } from "../lib/rail/domain";
import { announcementPointer, manifestPointer } from "../lib/rail/pointer";
import {
  signAnnouncementPointer,
  signClaimStream,
  signManifestPointer,
  signPointerBatch,
  type SignedRailMessage,
} from "../lib/rail/sign";
import { railTypeStrings, railTypes, type RailPrimaryType } from "../lib/rail/typedData";

/** The vectors' signing key: keccak256("every.channel/rail/vectors"). A test key, never funded. */
export const VECTOR_PRIVATE_KEY: Hex = keccak256(toHex("every.channel/rail/vectors"));
export const VECTOR_DOMAIN = railDomain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3");

const w = (label: string): Hex => keccak256(toHex(label));

export async function railVectors() {
  const signer = privateKeyToAccount(VECTOR_PRIVATE_KEY);
  const common = { signer, domain: VECTOR_DOMAIN, nonce: 7n, deadline: 1_900_000_000n };
  const streamId = w("stream");
  const manifest = manifestPointer({
    streamId,
    epochId: 1_732_000_000n,
    manifestBodyHash: w("body"),
    manifestEnvelopeHash: w("envelope"),
    dataRoot: w("data"),
    manifestId: w("blake3"),
    revision: 1n,
  });
  const maxManifest = manifestPointer({
    ...manifest,
    epochId: 2n ** 64n - 1n,
    revision: 2n ** 64n - 1n,
  });
  const announcement = announcementPointer({
    streamId,
    announcementHash: w("announcement"),
    descriptorHash: w("descriptor"),
    sequence: 42n,
  });
  const signed: [string, RailPrimaryType, SignedRailMessage<Record<string, unknown>>][] = [
    ["claim", "ClaimStream", await signClaimStream({ ...common, streamId })],
    ["manifest", "PublishManifest", await signManifestPointer({ ...common, pointer: manifest })],
    [
      "manifest-max",
      "PublishManifest",
      await signManifestPointer({ ...common, pointer: maxManifest }),
    ],
    [
      "announcement",
      "PublishAnnouncement",
      await signAnnouncementPointer({ ...common, pointer: announcement }),
    ],
    [
      "batch",
      "PublishBatch",
      await signPointerBatch({
        ...common,
        manifests: [manifest, maxManifest],
        announcements: [announcement],
      }),
    ],
    [
      "batch-announcements-only",
      "PublishBatch",
      await signPointerBatch({ ...common, manifests: [], announcements: [announcement] }),
    ],
  ];
  return {
    signer: signer.address,
    domain: VECTOR_DOMAIN,
    vectors: signed.map(([name, primaryType, s]) => ({
      name,
      primaryType,
      typeString: railTypeStrings[primaryType],
      typeHash: keccak256(toHex(railTypeStrings[primaryType])),
      message: s.message,
      structHash: hashStruct({
        types: railTypes as unknown as TypedData,
        primaryType,
        data: s.message,
      }),
      digest: s.digest,
      signature: s.signature,
    })),
  };
}

/** JSON with bigints written as decimal strings. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`;
}

if (require.main === module) {
  void railVectors().then((vectors) => {
    const file = path.join(__dirname, "..", "fixtures", "vectors", "rail-eip712.json");
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, toJson(vectors));
    console.log(`wrote ${file}`);
  });
}
