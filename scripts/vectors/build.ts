/**
 * Builds the conformance vectors of `fixtures/vectors/*.json` (see `docs/vectors.md`). Pure and
 * deterministic: fixed inputs, fixed test keys, RFC 6979 ECDSA and RFC 8032 Ed25519 signatures, so
 * a rebuild reproduces the checked-in files byte for byte (`test/types/vectors.test.ts` checks it).
 */
import { blake3 } from "@noble/hashes/blake3";
import {
  bytesToHex,
  concatHex,
  encodeAbiParameters,
  encodeFunctionData,
  getAddress,
  hashDomain,
  hashStruct,
  keccak256,
  slice,
  toHex,
  type Address,
  type Hex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { commitmentIds } from "../../lib/commitments/ids";
import {
  manifestBodyHash,
  manifestDataRoot,
  manifestEnvelopeHash,
} from "../../lib/commitments/manifest";
import { merkleProof, merkleRoot } from "../../lib/commitments/merkle";
import { contentHash, observationHash, observationSlot } from "../../lib/commitments/observation";
import {
  controlAnnouncementHash,
  epochHash,
  streamDescriptorHash,
  streamId,
} from "../../lib/commitments/stream";
import {
  manifestBodyStructHash,
  manifestDigest,
  manifestDomainSeparator,
  manifestTypeStrings,
  RAIL_DOMAIN_NAME,
  RAIL_DOMAIN_VERSION,
  type ManifestDomain,
} from "../../lib/eip712/manifest";
import { packCompactBatch, toCompactSignature } from "../../lib/ledger/compactSignatures";
import {
  REPORT_ENTRY_TYPE,
  REPORT_TYPE,
  reportDigest,
  reportOf,
  reportTypes,
  signReport,
} from "../../lib/ledger/report";
import { packReport, packReportEntries } from "../../lib/ledger/reportCalldata";
import {
  OBSERVATION_LEDGER_DOMAIN_NAME,
  OBSERVATION_LEDGER_DOMAIN_VERSION,
  OBSERVATION_TYPE,
  observationDigest,
  observationTypes,
  signObservation,
  type ObservationLedgerDomain,
} from "../../lib/ledger/typedData";
import { ed25519PublicKey } from "../../lib/local/ed25519";
import { canonicalManifestBodyJson } from "../../lib/local/jcs";
import { localMerkleProof, localMerkleRoot } from "../../lib/local/merkle-blake3";
import {
  addEd25519Signature,
  addEip712Signature,
  createManifest,
  createManifestBody,
  type ManifestBodyParameters,
} from "../../lib/manifest/envelope";
import {
  abiParameters,
  type ManifestVariant,
  type ObservationContent,
  type ObservationHeader,
  type StreamControlAnnouncement,
  type StreamDescriptor,
  type StreamKey,
} from "../../lib/types/abi";
import { toJson } from "../../lib/validation/json-form";

/** RFC 8032 section 7.1 test 1 secret key: a published test key, never a real one. */
export const VECTOR_ED25519_PRIVATE_KEY: Hex =
  "0x9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
/** The first well-known Hardhat/Anvil development key: a published test key, never a real one. */
export const VECTOR_SECP256K1_PRIVATE_KEY: Hex =
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
/** The fixed EIP-712 domain of the vectors (the first contract address Hardhat deploys). */
export const VECTOR_DOMAIN: ManifestDomain = {
  name: RAIL_DOMAIN_NAME,
  version: RAIL_DOMAIN_VERSION,
  chainId: 31337,
  verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
};

const UINT64_MAX = 2n ** 64n - 1n;
const UINT32_MAX = 2 ** 32 - 1;
const ZERO32: Hex = `0x${"00".repeat(32)}`;

/** A deterministic 32-byte value: BLAKE3 of a label. */
export function label32(label: string): Hex {
  return bytesToHex(blake3(new TextEncoder().encode(`every.channel vectors: ${label}`)));
}

const abi = (name: keyof typeof abiParameters, value: unknown): Hex =>
  encodeAbiParameters([abiParameters[name]], [value as never]);

const streamKeys: { name: string; value: StreamKey }[] = [
  {
    name: "atsc1 KGO-HD 7.1, ts-original",
    value: {
      broadcast: {
        standard: 0,
        region: "0x5553",
        rfChannel: 7,
        transportStreamId: 2113,
        programNumber: 3,
        majorChannel: 7,
        minorChannel: 1,
        callsign: "KGO-HD",
      },
      profile: "ts-original",
    },
  },
  {
    name: "atsc3, every uint16 at its maximum, empty callsign and profile",
    value: {
      broadcast: {
        standard: 1,
        region: "0x5a5a",
        rfChannel: 65535,
        transportStreamId: 65535,
        programNumber: 65535,
        majorChannel: 65535,
        minorChannel: 65535,
        callsign: "",
      },
      profile: "",
    },
  },
  {
    name: "dvb-t2, zero ids, non-ASCII callsign",
    value: {
      broadcast: {
        standard: 3,
        region: "0x4742",
        rfChannel: 0,
        transportStreamId: 0,
        programNumber: 0,
        majorChannel: 0,
        minorChannel: 0,
        callsign: "BBC One – Ünïcödé 📺",
      },
      profile: "hls-720p",
    },
  },
  {
    name: "ip source, 128-character callsign",
    value: {
      broadcast: {
        standard: 5,
        region: "0x4445",
        rfChannel: 0,
        transportStreamId: 1,
        programNumber: 1,
        majorChannel: 0,
        minorChannel: 0,
        callsign: "X".repeat(128),
      },
      profile: "ts-original",
    },
  },
];

const kgo = streamKeys[0]!.value;
const kgoId = streamId(kgo);

const descriptors: { name: string; value: StreamDescriptor }[] = [
  {
    name: "KGO-HD served in two variants",
    value: {
      stream: kgo,
      source: { nodeId: label32("node a"), device: "hdhomerun-10a2b3c4" },
      epochDurationMs: 6000,
      variants: ["ts-original", "hls-720p"],
      describedUnixMs: 1734000000000n,
    },
  },
  {
    name: "boundaries: no variants, maximum duration and time, empty device",
    value: {
      stream: streamKeys[1]!.value,
      source: { nodeId: ZERO32, device: "" },
      epochDurationMs: UINT32_MAX,
      variants: [],
      describedUnixMs: UINT64_MAX,
    },
  },
];

const announcements: { name: string; value: StreamControlAnnouncement }[] = [
  {
    name: "KGO-HD announced through two relays",
    value: {
      streamId: kgoId,
      source: descriptors[0]!.value.source,
      descriptorHash: streamDescriptorHash(descriptors[0]!.value),
      relayUrls: ["https://relay-1.every.channel./", "https://relay-2.every.channel./"],
      sequence: 1n,
      issuedUnixMs: 1734000000000n,
      expiresUnixMs: 1734000600000n,
    },
  },
  {
    name: "boundaries: no relays, maximum sequence and expiry",
    value: {
      streamId: streamId(streamKeys[1]!.value),
      source: { nodeId: `0x${"ff".repeat(32)}`, device: "tuner-0" },
      descriptorHash: streamDescriptorHash(descriptors[1]!.value),
      relayUrls: [],
      sequence: UINT64_MAX,
      issuedUnixMs: 0n,
      expiresUnixMs: UINT64_MAX,
    },
  },
];

const epochs = [
  {
    name: "KGO-HD epoch 289000000",
    value: {
      streamHash: kgoId,
      epochId: 289000000n,
      startUnixMs: 1734000000000n,
      durationMs: 6000,
    },
  },
  { name: "all zero", value: { streamHash: ZERO32, epochId: 0n, startUnixMs: 0n, durationMs: 0 } },
  {
    name: "all maximum",
    value: {
      streamHash: `0x${"ff".repeat(32)}` as Hex,
      epochId: UINT64_MAX,
      startUnixMs: UINT64_MAX,
      durationMs: UINT32_MAX,
    },
  },
];

function chunks(prefix: string, sizes: readonly number[]) {
  return sizes.map((size, index) => ({ index, size, blake3: label32(`${prefix} chunk ${index}`) }));
}

const manifestInputs: { name: string; value: ManifestBodyParameters }[] = [
  {
    name: "KGO-HD epoch 289000000, one variant of two chunks, with PSIP",
    value: {
      streamId: kgoId,
      epochId: 289000000n,
      epochStartUnixMs: 1734000000000n,
      epochDurationMs: 6000,
      variants: [{ name: "ts-original", chunks: chunks("kgo 289000000", [1316000, 1315812]) }],
      psipBlake3: label32("kgo 289000000 psip"),
      publisher: { nodeId: label32("node a"), device: "hdhomerun-10a2b3c4" },
      createdUnixMs: 1734000006123n,
    },
  },
  {
    name: "one variant of one chunk, no PSIP",
    value: {
      streamId: streamId(streamKeys[3]!.value),
      epochId: 0n,
      epochStartUnixMs: 0n,
      epochDurationMs: 1,
      variants: [{ name: "ts-original", chunks: chunks("single", [1]) }],
      psipBlake3: ZERO32,
      publisher: { nodeId: label32("node b"), device: "" },
      createdUnixMs: 0n,
    },
  },
  {
    name: "three variants of 1, 5 and 17 chunks",
    value: {
      streamId: kgoId,
      epochId: 289000001n,
      epochStartUnixMs: 1734000006000n,
      epochDurationMs: 6000,
      variants: [
        { name: "ts-original", chunks: chunks("multi a", [188]) },
        { name: "hls-720p", chunks: chunks("multi b", [1000, 2000, 3000, 4000, 5000]) },
        {
          name: "hls-360p",
          chunks: chunks(
            "multi c",
            Array.from({ length: 17 }, (_, i) => 500 + i),
          ),
        },
      ],
      psipBlake3: label32("multi psip"),
      publisher: { nodeId: label32("node c"), device: "tuner-2" },
      createdUnixMs: 1734000012000n,
    },
  },
  {
    name: "boundaries: maximum integers, non-ASCII names",
    value: {
      streamId: `0x${"ff".repeat(32)}`,
      epochId: UINT64_MAX,
      epochStartUnixMs: UINT64_MAX,
      epochDurationMs: UINT32_MAX,
      variants: [
        { name: "répétition ✓", chunks: chunks("max", [UINT32_MAX, UINT32_MAX, UINT32_MAX]) },
      ],
      psipBlake3: `0x${"ff".repeat(32)}`,
      publisher: { nodeId: `0x${"ff".repeat(32)}`, device: "设备-𝟘" },
      createdUnixMs: UINT64_MAX,
    },
  },
];

function header(): string {
  return "scripts/generate-vectors.ts";
}

/** The label whose keccak256 is the ledger vectors' witness key `i` (test keys, never funded). */
export function ledgerVectorKeyLabel(i: number): string {
  return `every.channel/ledger/vectors/witness-${i}`;
}

/** The ledger vectors' `verifyingContract`: the last 20 bytes of keccak256 of this label. */
export const LEDGER_VECTOR_ADDRESS_LABEL = "every.channel/ledger/vectors";

/** The fixed EIP-712 domain of the ledger vectors. */
export const LEDGER_VECTOR_DOMAIN: ObservationLedgerDomain = {
  name: OBSERVATION_LEDGER_DOMAIN_NAME,
  version: OBSERVATION_LEDGER_DOMAIN_VERSION,
  chainId: 31337n,
  verifyingContract: getAddress(slice(keccak256(toHex(LEDGER_VECTOR_ADDRESS_LABEL)), 12)),
};

/** `submitCompactAttestations` of `EveryChannelObservationLedger` (checked against the artifact). */
const submitCompactAttestationsAbi = [
  {
    type: "function",
    name: "submitCompactAttestations",
    stateMutability: "nonpayable",
    inputs: [
      {
        name: "contents",
        type: "tuple[]",
        components: abiParameters.ObservationContent.components,
      },
      { name: "signatures", type: "bytes" },
    ],
    outputs: [{ name: "finalizedCount", type: "uint256" }],
  },
] as const;

/** `submitReport` of `EveryChannelObservationLedger` (checked against the artifact). */
export const submitReportAbi = [
  {
    type: "function",
    name: "submitReport",
    stateMutability: "nonpayable",
    inputs: [
      { name: "streamHash", type: "bytes32" },
      { name: "entries", type: "bytes" },
      { name: "signatures", type: "bytes" },
    ],
    outputs: [{ name: "finalizedCount", type: "uint256" }],
  },
] as const;

export type VectorFiles = Record<string, unknown>;

/** Builds every vector file's content, keyed by file name. */
export async function buildVectors(): Promise<VectorFiles> {
  const account = privateKeyToAccount(VECTOR_SECP256K1_PRIVATE_KEY);

  const stream = {
    schema: "every.channel/vectors/stream/v1",
    generatedBy: header(),
    commitments: [
      commitmentIds.streamId,
      commitmentIds.streamDescriptor,
      commitmentIds.controlAnnouncement,
      commitmentIds.epoch,
    ],
    streamKeys: streamKeys.map(({ name, value }) => ({
      name,
      json: toJson("StreamKey", value),
      abiEncoded: abi("StreamKey", value),
      streamId: streamId(value),
    })),
    streamDescriptors: descriptors.map(({ name, value }) => ({
      name,
      json: toJson("StreamDescriptor", value),
      abiEncoded: abi("StreamDescriptor", value),
      streamDescriptorHash: streamDescriptorHash(value),
    })),
    controlAnnouncements: announcements.map(({ name, value }) => ({
      name,
      json: toJson("StreamControlAnnouncement", value),
      abiEncoded: abi("StreamControlAnnouncement", value),
      controlAnnouncementHash: controlAnnouncementHash(value),
    })),
    epochs: epochs.map(({ name, value }) => ({
      name,
      input: {
        streamHash: value.streamHash,
        epochId: value.epochId.toString(),
        startUnixMs: value.startUnixMs.toString(),
        durationMs: value.durationMs,
      },
      epochHash: epochHash(value),
    })),
  };

  const manifests = [];
  for (const { name, value } of manifestInputs) {
    const body = createManifestBody(value);
    const unsigned = createManifest(body);
    const withEd25519 = addEd25519Signature(unsigned, VECTOR_ED25519_PRIVATE_KEY);
    const signed = await addEip712Signature(withEd25519, { account, domain: VECTOR_DOMAIN });
    manifests.push({
      name,
      body: toJson("ManifestBody", body),
      canonicalJson: canonicalManifestBodyJson(body),
      manifestId: unsigned.manifestId,
      localMerkleRoot: body.merkleRoot,
      variantLocalRoots: body.variants.map((v) => localMerkleRoot(v.chunks.map((c) => c.blake3))),
      dataRoot: manifestDataRoot(body),
      variantDataRoots: body.variants.map((v) => merkleRoot(v.chunks.map((c) => c.blake3))),
      bodyAbiEncoded: abi("ManifestBody", body),
      manifestBodyHash: manifestBodyHash(body),
      eip712StructHash: manifestBodyStructHash(body),
      eip712Digest: manifestDigest(body, VECTOR_DOMAIN),
      ed25519Signature: withEd25519.signatures[0]!.signature,
      eip712Signature: signed.signatures[1]!.signature,
      manifest: toJson("Manifest", signed),
      manifestEnvelopeHash: manifestEnvelopeHash(signed),
      unsignedManifestEnvelopeHash: manifestEnvelopeHash(unsigned),
    });
  }
  const manifestFile = {
    schema: "every.channel/vectors/manifest/v1",
    generatedBy: header(),
    commitments: [
      commitmentIds.manifestId,
      commitmentIds.localMerkle,
      commitmentIds.manifestDataMerkle,
      commitmentIds.manifestBody,
      commitmentIds.manifestEnvelope,
      commitmentIds.ed25519Signature,
      commitmentIds.eip712Signature,
    ],
    keys: {
      ed25519PrivateKey: VECTOR_ED25519_PRIVATE_KEY,
      ed25519PublicKey: ed25519PublicKey(VECTOR_ED25519_PRIVATE_KEY),
      secp256k1PrivateKey: VECTOR_SECP256K1_PRIVATE_KEY,
      secp256k1Address: account.address,
    },
    eip712: {
      domain: VECTOR_DOMAIN,
      domainSeparator: manifestDomainSeparator(VECTOR_DOMAIN),
      typeStrings: manifestTypeStrings,
      typeHashes: Object.fromEntries(
        Object.entries(manifestTypeStrings).map(([k, v]) => [k, keccak256(toHex(v))]),
      ),
    },
    manifests,
  };

  const sizes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 17, 33];
  const merkle = {
    schema: "every.channel/vectors/merkle/v1",
    generatedBy: header(),
    commitments: [commitmentIds.manifestDataMerkle, commitmentIds.localMerkle],
    trees: sizes.map((size) => {
      const leaves = Array.from({ length: size }, (_, i) => label32(`merkle leaf ${i}`));
      return {
        treeSize: size,
        leaves,
        keccak256Root: merkleRoot(leaves),
        blake3Root: localMerkleRoot(leaves),
        proofs: leaves.map((_, index) => ({
          index,
          keccak256Siblings: merkleProof(leaves, index).siblings,
          blake3Siblings: localMerkleProof(leaves, index).siblings,
        })),
      };
    }),
  };

  const body0 = createManifestBody(manifestInputs[0]!.value);
  const headers: { name: string; value: ObservationHeader }[] = [
    {
      name: "first observation of KGO-HD epoch 289000000",
      value: {
        streamHash: kgoId,
        epochHash: epochHash(epochs[0]!.value),
        parentObservationHash: ZERO32,
        dataRoot: manifestDataRoot(body0),
        locatorHash: label32("kgo 289000000 locator"),
        observedUnixMs: 1734000000000n,
        sequence: 0n,
      },
    },
    {
      name: "all maximum",
      value: {
        streamHash: `0x${"ff".repeat(32)}`,
        epochHash: `0x${"ff".repeat(32)}`,
        parentObservationHash: `0x${"ff".repeat(32)}`,
        dataRoot: `0x${"ff".repeat(32)}`,
        locatorHash: `0x${"ff".repeat(32)}`,
        observedUnixMs: UINT64_MAX,
        sequence: UINT64_MAX,
      },
    },
  ];
  const observation = {
    schema: "every.channel/vectors/observation/v1",
    generatedBy: header(),
    commitments: [commitmentIds.observation, commitmentIds.observationSlot],
    headers: headers.map(({ name, value }) => ({
      name,
      json: toJson("ObservationHeader", value),
      abiEncoded: abi("ObservationHeader", value),
      observationHash: observationHash(value),
      observationSlot: observationSlot(value.streamHash, value.epochHash),
    })),
  };

  const kgoJson = toJson("StreamKey", kgo) as Record<string, unknown> & {
    broadcast: Record<string, unknown>;
  };
  const bodyJson = toJson("ManifestBody", body0) as unknown as Record<string, unknown> & {
    variants: { chunks: Record<string, unknown>[] }[];
  };
  const withChunk = (patch: (c: Record<string, unknown>) => void) => {
    const copy = JSON.parse(JSON.stringify(bodyJson)) as typeof bodyJson;
    patch(copy.variants[0]!.chunks[1]!);
    return copy;
  };
  const invalid = {
    schema: "every.channel/vectors/invalid/v1",
    generatedBy: header(),
    cases: [
      {
        name: "unknown broadcast standard",
        type: "StreamKey",
        json: { ...kgoJson, broadcast: { ...kgoJson.broadcast, standard: "atsc9" } },
        field: "broadcast.standard",
      },
      {
        name: "uint16 out of range",
        type: "StreamKey",
        json: { ...kgoJson, broadcast: { ...kgoJson.broadcast, rfChannel: 65536 } },
        field: "broadcast.rfChannel",
      },
      {
        name: "region not two upper-case letters",
        type: "StreamKey",
        json: { ...kgoJson, broadcast: { ...kgoJson.broadcast, region: "us" } },
        field: "broadcast.region",
      },
      {
        name: "missing field",
        type: "StreamKey",
        json: { broadcast: kgoJson.broadcast },
        field: "profile",
      },
      {
        name: "chunk hash one byte short",
        type: "ManifestBody",
        json: withChunk((c) => (c.blake3 = (c.blake3 as string).slice(2))),
        field: "variants[0].chunks[1].blake3",
      },
      {
        name: "hex with 0x prefix",
        type: "ManifestBody",
        json: { ...bodyJson, streamId: `0x${bodyJson.streamId as string}` },
        field: "streamId",
      },
      {
        name: "uint64 beyond 2^64 - 1",
        type: "ManifestBody",
        json: { ...bodyJson, epochId: "18446744073709551616" },
        field: "epochId",
      },
      {
        name: "uint64 with a leading zero",
        type: "ManifestBody",
        json: { ...bodyJson, epochId: "0289000000" },
        field: "epochId",
      },
      {
        name: "chunk index out of order",
        type: "ManifestBody",
        json: withChunk((c) => (c.index = 2)),
        field: "variants[0].chunks[1].index",
      },
      {
        name: "unknown field",
        type: "ManifestBody",
        json: { ...bodyJson, extra: true },
        field: "extra",
      },
      {
        name: "no variants",
        type: "ManifestBody",
        json: { ...bodyJson, variants: [] },
        field: "variants",
      },
      {
        name: "unknown signature scheme",
        type: "ManifestSignature",
        json: { scheme: "rsa", signer: "00".repeat(32), signature: "00".repeat(64) },
        field: "scheme",
      },
    ],
  };

  const ledgerKeys = [0, 1, 2].map((i) => {
    const privateKey = keccak256(toHex(ledgerVectorKeyLabel(i)));
    return { label: ledgerVectorKeyLabel(i), privateKey, account: privateKeyToAccount(privateKey) };
  });
  const body2 = createManifestBody(manifestInputs[2]!.value);
  const epoch1 = { ...epochs[0]!.value, epochId: 289000001n, startUnixMs: 1734000006000n };
  const ledgerContents: { name: string; value: ObservationContent }[] = [
    {
      name: "KGO-HD epoch 289000000",
      value: {
        streamHash: kgoId,
        epochHash: epochHash(epochs[0]!.value),
        dataRoot: manifestDataRoot(body0),
        locatorHash: label32("kgo 289000000 locator"),
        observedUnixMs: 1734000000000n,
      },
    },
    {
      name: "KGO-HD epoch 289000001",
      value: {
        streamHash: kgoId,
        epochHash: epochHash(epoch1),
        dataRoot: manifestDataRoot(body2),
        locatorHash: label32("kgo 289000001 locator"),
        observedUnixMs: 1734000006000n,
      },
    },
    {
      name: "KGO-HD epoch 289000000 from a damaged capture (same slot, another content)",
      value: {
        streamHash: kgoId,
        epochHash: epochHash(epochs[0]!.value),
        dataRoot: label32("kgo 289000000 damaged data"),
        locatorHash: label32("kgo 289000000 damaged locator"),
        observedUnixMs: 1734000000000n,
      },
    },
    {
      name: "all zero",
      value: {
        streamHash: ZERO32,
        epochHash: ZERO32,
        dataRoot: ZERO32,
        locatorHash: ZERO32,
        observedUnixMs: 0n,
      },
    },
    {
      name: "all maximum",
      value: {
        streamHash: `0x${"ff".repeat(32)}`,
        epochHash: `0x${"ff".repeat(32)}`,
        dataRoot: `0x${"ff".repeat(32)}`,
        locatorHash: `0x${"ff".repeat(32)}`,
        observedUnixMs: UINT64_MAX,
      },
    },
  ];
  const ledgerDomain = LEDGER_VECTOR_DOMAIN;
  const contentVectors = [];
  /** Signatures by content index and key index. */
  const ledgerSignatures: Hex[][] = [];
  for (const { name, value } of ledgerContents) {
    const signatures: Hex[] = [];
    for (const key of ledgerKeys)
      signatures.push(await signObservation(key.account, ledgerDomain, value));
    ledgerSignatures.push(signatures);
    contentVectors.push({
      name,
      json: toJson("ObservationContent", value),
      abiEncoded: abi("ObservationContent", value),
      contentHash: contentHash(value),
      observationSlot: observationSlot(value.streamHash, value.epochHash),
      structHash: hashStruct({ types: observationTypes, primaryType: "Observation", data: value }),
      digest: observationDigest(ledgerDomain, value),
      signatures: signatures.map((signature, i) => ({
        witness: ledgerKeys[i]!.account.address,
        signature,
        compact: toCompactSignature(signature),
      })),
    });
  }
  const firstHeader: ObservationHeader = {
    ...ledgerContents[0]!.value,
    parentObservationHash: ZERO32,
    sequence: 0n,
  };
  const secondHeader: ObservationHeader = {
    ...ledgerContents[1]!.value,
    parentObservationHash: observationHash(firstHeader),
    sequence: 1n,
  };
  const maxHeader: ObservationHeader = {
    ...ledgerContents[4]!.value,
    parentObservationHash: `0x${"ff".repeat(32)}`,
    sequence: UINT64_MAX,
  };
  const finalized = [
    { name: "the stream's first observation", content: 0, header: firstHeader },
    { name: "the next epoch, on the first", content: 1, header: secondHeader },
    { name: "all maximum", content: 4, header: maxHeader },
  ].map(({ name, content, header: value }) => ({
    name,
    content,
    parentObservationHash: value.parentObservationHash,
    sequence: value.sequence.toString(),
    header: toJson("ObservationHeader", value),
    abiEncoded: abi("ObservationHeader", value),
    observationHash: observationHash(value),
  }));
  const [batchContents, batchSignatures] = packCompactBatch([
    {
      content: ledgerContents[0]!.value,
      signatures: concatHex(ledgerSignatures[0]!.map((sig) => toCompactSignature(sig))),
    },
    {
      content: ledgerContents[1]!.value,
      signatures: concatHex(ledgerSignatures[1]!.slice(1).map((sig) => toCompactSignature(sig))),
    },
  ]);
  const ledger = {
    schema: "every.channel/vectors/ledger-eip712/v1",
    generatedBy: header(),
    commitments: [
      commitmentIds.observationContent,
      commitmentIds.observation,
      commitmentIds.observationSlot,
    ],
    keys: ledgerKeys.map((k) => ({
      label: k.label,
      privateKey: k.privateKey,
      address: k.account.address,
    })),
    domain: {
      name: ledgerDomain.name,
      version: ledgerDomain.version,
      chainId: Number(ledgerDomain.chainId),
      verifyingContract: ledgerDomain.verifyingContract,
      verifyingContractLabel: LEDGER_VECTOR_ADDRESS_LABEL,
    },
    domainSeparator: domainSeparatorOf(ledgerDomain),
    typeString: OBSERVATION_TYPE,
    typeHash: keccak256(toHex(OBSERVATION_TYPE)),
    maxFutureMs: 300000,
    contents: contentVectors,
    finalized,
    compactBatch: {
      name: "epoch 289000000 signed by keys 0, 1, 2 and epoch 289000001 by keys 1, 2 (quorum 2 of the 3 keys: both finalize, as `finalized[0]` and `finalized[1]`)",
      contents: batchContents.map((c) => toJson("ObservationContent", c)),
      signatures: batchSignatures,
      calldata: encodeFunctionData({
        abi: submitCompactAttestationsAbi,
        functionName: "submitCompactAttestations",
        args: [batchContents, batchSignatures],
      }),
      finalizes: [0, 1],
    },
  };

  // Co-signed reports over the same keys and domain: a run of two epochs of the first stream, and
  // one entry at the uint64 bounds.
  const reportRuns = [
    {
      name: "epochs 289000000 and 289000001 (the first two contents), signed by keys 0, 1, 2: on an empty stream both finalize, as `finalized[0]` and `finalized[1]`",
      contents: [ledgerContents[0]!.value, ledgerContents[1]!.value],
      finalizes: [0, 1],
    },
    {
      name: "all maximum, one entry",
      contents: [ledgerContents[4]!.value],
      finalizes: [],
    },
  ];
  const reports = [];
  for (const { name, contents, finalizes } of reportRuns) {
    const report = reportOf(contents);
    const entryStructHashes = report.entries.map((entry) =>
      hashStruct({ types: reportTypes, primaryType: "ReportEntry", data: entry }),
    );
    const signatures: Hex[] = [];
    for (const key of ledgerKeys)
      signatures.push(await signReport(key.account, ledgerDomain, report));
    const args = packReport(report, signatures);
    reports.push({
      name,
      streamHash: report.streamHash,
      entries: report.entries.map((e) => ({ ...e, observedUnixMs: e.observedUnixMs.toString() })),
      packedEntries: packReportEntries(report),
      entryStructHashes,
      entriesHash: keccak256(concatHex(entryStructHashes)),
      structHash: hashStruct({
        types: reportTypes,
        primaryType: "ObservationReport",
        data: report,
      }),
      digest: reportDigest(ledgerDomain, report),
      signatures: signatures.map((signature, i) => ({
        witness: ledgerKeys[i]!.account.address,
        signature,
        compact: toCompactSignature(signature),
      })),
      calldata: encodeFunctionData({ abi: submitReportAbi, functionName: "submitReport", args }),
      finalizes,
    });
  }
  const ledgerReport = {
    schema: "every.channel/vectors/ledger-report-eip712/v1",
    generatedBy: header(),
    keys: "the keys of ledger-eip712.json",
    domain: "the domain of ledger-eip712.json",
    domainSeparator: domainSeparatorOf(ledgerDomain),
    typeString: REPORT_TYPE,
    typeHash: keccak256(toHex(REPORT_TYPE)),
    entryTypeString: REPORT_ENTRY_TYPE,
    entryTypeHash: keccak256(toHex(REPORT_ENTRY_TYPE)),
    entryBytes: 104,
    maxEntries: 256,
    reports,
  };

  return {
    "ledger-report-eip712.json": ledgerReport,
    "stream.json": stream,
    "manifest.json": manifestFile,
    "merkle.json": merkle,
    "observation.json": observation,
    "invalid.json": invalid,
    "ledger-eip712.json": ledger,
  };
}

/** The EIP-712 domain separator of the ledger `domain`. */
function domainSeparatorOf(domain: ObservationLedgerDomain): Hex {
  return hashDomain({
    domain: { ...domain },
    types: {
      EIP712Domain: [
        { name: "name", type: "string" },
        { name: "version", type: "string" },
        { name: "chainId", type: "uint256" },
        { name: "verifyingContract", type: "address" },
      ],
    },
  });
}

/** The checked-in text of a vector file: two-space JSON, bigints never appear (all stringified). */
export function renderVectorFile(content: unknown): string {
  return `${JSON.stringify(content, null, 2)}\n`;
}
