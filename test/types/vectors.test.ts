import { loadFixture } from "@nomicfoundation/hardhat-toolbox-viem/network-helpers";
import { expect } from "chai";
import { readFileSync } from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { encodeAbiParameters, getAddress, keccak256, toHex, type Hex } from "viem";
import { z } from "zod";

import {
  manifestBodyHash,
  manifestDataRoot,
  manifestEnvelopeHash,
} from "../../lib/commitments/manifest";
import { merkleRoot, verifyMerkleProof } from "../../lib/commitments/merkle";
import { observationHash, observationSlot } from "../../lib/commitments/observation";
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
  verifyManifestEip712Offline,
} from "../../lib/eip712/manifest";
import { ed25519PublicKey, verifyManifestIdEd25519 } from "../../lib/local/ed25519";
import { canonicalManifestBodyJson } from "../../lib/local/jcs";
import { manifestId } from "../../lib/local/manifest-id";
import { localMerkleRoot, verifyLocalMerkleProof } from "../../lib/local/merkle-blake3";
import { verifyManifest } from "../../lib/manifest/envelope";
import { abiParameters, type CanonicalTypeName } from "../../lib/types/abi";
import { InvalidCanonicalValueError } from "../../lib/validation/errors";
import { fromJson } from "../../lib/validation/json-form";
import { buildVectors, renderVectorFile } from "../../scripts/vectors/build";

const DIR = path.join(__dirname, "..", "..", "fixtures", "vectors");
const hex = z.string().regex(/^0x([0-9a-f]{2})*$/) as unknown as z.ZodType<Hex>;
const hex32 = z.string().regex(/^0x[0-9a-f]{64}$/) as unknown as z.ZodType<Hex>;
const named = { name: z.string(), json: z.unknown(), abiEncoded: hex };

const streamFile = z.object({
  streamKeys: z.array(z.object({ ...named, streamId: hex32 })),
  streamDescriptors: z.array(z.object({ ...named, streamDescriptorHash: hex32 })),
  controlAnnouncements: z.array(z.object({ ...named, controlAnnouncementHash: hex32 })),
  epochs: z.array(
    z.object({
      name: z.string(),
      input: z.object({
        streamHash: hex32,
        epochId: z.string().transform(BigInt),
        startUnixMs: z.string().transform(BigInt),
        durationMs: z.number().int(),
      }),
      epochHash: hex32,
    }),
  ),
});
const manifestFile = z.object({
  keys: z.object({ ed25519PublicKey: hex32, secp256k1Address: z.string() }),
  eip712: z.object({
    domain: z.object({
      name: z.string(),
      version: z.string(),
      chainId: z.number(),
      verifyingContract: z.string().transform((a) => getAddress(a)),
    }),
    domainSeparator: hex32,
    typeStrings: z.record(z.string()),
    typeHashes: z.record(hex32),
  }),
  manifests: z.array(
    z.object({
      name: z.string(),
      body: z.unknown(),
      canonicalJson: z.string(),
      manifestId: hex32,
      localMerkleRoot: hex32,
      variantLocalRoots: z.array(hex32),
      dataRoot: hex32,
      variantDataRoots: z.array(hex32),
      bodyAbiEncoded: hex,
      manifestBodyHash: hex32,
      eip712StructHash: hex32,
      eip712Digest: hex32,
      ed25519Signature: hex,
      eip712Signature: hex,
      manifest: z.unknown(),
      manifestEnvelopeHash: hex32,
      unsignedManifestEnvelopeHash: hex32,
    }),
  ),
});
const merkleFile = z.object({
  trees: z.array(
    z.object({
      treeSize: z.number(),
      leaves: z.array(hex32),
      keccak256Root: hex32,
      blake3Root: hex32,
      proofs: z.array(
        z.object({
          index: z.number(),
          keccak256Siblings: z.array(hex32),
          blake3Siblings: z.array(hex32),
        }),
      ),
    }),
  ),
});
const observationFile = z.object({
  headers: z.array(z.object({ ...named, observationHash: hex32, observationSlot: hex32 })),
});
const invalidFile = z.object({
  cases: z.array(
    z.object({ name: z.string(), type: z.string(), json: z.unknown(), field: z.string() }),
  ),
});

function read<T extends z.ZodTypeAny>(name: string, schema: T): z.output<T> {
  return schema.parse(JSON.parse(readFileSync(path.join(DIR, name), "utf8")));
}

async function deploy() {
  const harness = await hre.viem.deployContract("CommitmentsHarness");
  const verifier = await hre.viem.deployContract("ManifestSignatureVerifierHarness");
  return { harness, verifier };
}

describe("conformance vectors (fixtures/vectors)", function () {
  it("are exactly what scripts/generate-vectors.ts produces", async function () {
    const files = await buildVectors();
    for (const [name, content] of Object.entries(files)) {
      const onDisk = readFileSync(path.join(DIR, name), "utf8");
      expect(onDisk, `fixtures/vectors/${name} is stale: run npm run vectors`).to.equal(
        renderVectorFile(content),
      );
    }
  });

  it("stream.json: stream ids, descriptor, announcement and epoch hashes match in TypeScript and on-chain", async function () {
    const { harness } = await loadFixture(deploy);
    const file = read("stream.json", streamFile);
    for (const v of file.streamKeys) {
      const key = fromJson("StreamKey", v.json);
      expect(encodeAbiParameters([abiParameters.StreamKey], [key]), v.name).to.equal(v.abiEncoded);
      expect(streamId(key), v.name).to.equal(v.streamId);
      expect(keccak256(v.abiEncoded)).to.equal(v.streamId);
      expect(await harness.read.streamId([key]), v.name).to.equal(v.streamId);
    }
    for (const v of file.streamDescriptors) {
      const d = fromJson("StreamDescriptor", v.json);
      expect(encodeAbiParameters([abiParameters.StreamDescriptor], [d])).to.equal(v.abiEncoded);
      expect(streamDescriptorHash(d), v.name).to.equal(v.streamDescriptorHash);
      expect(await harness.read.streamDescriptorHash([d])).to.equal(v.streamDescriptorHash);
    }
    for (const v of file.controlAnnouncements) {
      const a = fromJson("StreamControlAnnouncement", v.json);
      expect(encodeAbiParameters([abiParameters.StreamControlAnnouncement], [a])).to.equal(
        v.abiEncoded,
      );
      expect(controlAnnouncementHash(a), v.name).to.equal(v.controlAnnouncementHash);
      expect(await harness.read.controlAnnouncementHash([a])).to.equal(v.controlAnnouncementHash);
    }
    for (const v of file.epochs) {
      const { streamHash, epochId, startUnixMs, durationMs } = v.input;
      expect(epochHash(v.input), v.name).to.equal(v.epochHash);
      expect(await harness.read.epochHash([streamHash, epochId, startUnixMs, durationMs])).to.equal(
        v.epochHash,
      );
    }
  });

  it("manifest.json: local and Ethereum commitments and both signatures check out in TypeScript and on-chain", async function () {
    const { harness, verifier } = await loadFixture(deploy);
    const file = read("manifest.json", manifestFile);
    const domain = file.eip712.domain;
    expect(manifestDomainSeparator(domain)).to.equal(file.eip712.domainSeparator);
    for (const [name, typeString] of Object.entries(file.eip712.typeStrings))
      expect(keccak256(toHex(typeString))).to.equal(file.eip712.typeHashes[name]);
    for (const v of file.manifests) {
      const body = fromJson("ManifestBody", v.body, "body");
      expect(canonicalManifestBodyJson(body), v.name).to.equal(v.canonicalJson);
      expect(manifestId(body)).to.equal(v.manifestId);
      expect(
        localMerkleRoot(
          body.variants.length === 1
            ? body.variants[0]!.chunks.map((c) => c.blake3)
            : v.variantLocalRoots,
        ),
      ).to.equal(v.localMerkleRoot);
      expect(body.merkleRoot).to.equal(v.localMerkleRoot);
      expect(manifestDataRoot(body)).to.equal(v.dataRoot);
      expect(await harness.read.manifestDataRoot([body])).to.equal(v.dataRoot);
      body.variants.forEach((variant, i) =>
        expect(merkleRoot(variant.chunks.map((c) => c.blake3))).to.equal(v.variantDataRoots[i]),
      );
      expect(encodeAbiParameters([abiParameters.ManifestBody], [body])).to.equal(v.bodyAbiEncoded);
      expect(manifestBodyHash(body)).to.equal(v.manifestBodyHash);
      expect(await harness.read.manifestBodyHash([body])).to.equal(v.manifestBodyHash);
      expect(manifestBodyStructHash(body)).to.equal(v.eip712StructHash);
      expect(await harness.read.hashManifestBodyStruct([body])).to.equal(v.eip712StructHash);
      expect(manifestDigest(body, domain)).to.equal(v.eip712Digest);
      expect(
        await verifier.read.manifestDigestForDomain([file.eip712.domainSeparator, body]),
      ).to.equal(v.eip712Digest);
      expect(
        verifyManifestIdEd25519({
          manifestId: v.manifestId,
          signature: v.ed25519Signature,
          publicKey: file.keys.ed25519PublicKey,
        }),
      ).to.equal(true);
      const signer = getAddress(file.keys.secp256k1Address);
      expect(
        await verifyManifestEip712Offline({ body, domain, signer, signature: v.eip712Signature }),
      ).to.equal(true);
      expect(
        await verifier.read.verifyManifestSignatureForDomain([
          file.eip712.domainSeparator,
          body,
          signer,
          v.eip712Signature,
        ]),
      ).to.equal(true);
      const manifest = fromJson("Manifest", v.manifest, "manifest");
      expect(manifest.body).to.deep.equal(body);
      expect(manifestEnvelopeHash(manifest)).to.equal(v.manifestEnvelopeHash);
      expect(await harness.read.manifestEnvelopeHash([manifest])).to.equal(v.manifestEnvelopeHash);
      expect(manifestEnvelopeHash({ body, manifestId: v.manifestId, signatures: [] })).to.equal(
        v.unsignedManifestEnvelopeHash,
      );
      const verdict = await verifyManifest(manifest, { domain });
      expect(verdict.valid, v.name).to.equal(true);
    }
    expect(
      ed25519PublicKey("0x9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"),
    ).to.equal(file.keys.ed25519PublicKey);
  });

  it("merkle.json: roots and every proof verify in TypeScript and on-chain", async function () {
    const { harness } = await loadFixture(deploy);
    const file = read("merkle.json", merkleFile);
    for (const tree of file.trees) {
      expect(merkleRoot(tree.leaves)).to.equal(tree.keccak256Root);
      expect(localMerkleRoot(tree.leaves)).to.equal(tree.blake3Root);
      expect(await harness.read.merkleRoot([tree.leaves])).to.equal(tree.keccak256Root);
      for (const p of tree.proofs) {
        const leaf = tree.leaves[p.index]!;
        const proof = { index: p.index, treeSize: tree.treeSize, siblings: p.keccak256Siblings };
        expect(verifyMerkleProof({ root: tree.keccak256Root, leaf, proof })).to.equal(true);
        expect(
          verifyLocalMerkleProof({
            root: tree.blake3Root,
            leaf,
            proof: { ...proof, siblings: p.blake3Siblings },
          }),
        ).to.equal(true);
        expect(
          await harness.read.verifyMerkleProof([
            p.keccak256Siblings,
            tree.keccak256Root,
            leaf,
            BigInt(p.index),
            BigInt(tree.treeSize),
          ]),
        ).to.equal(true);
      }
    }
  });

  it("observation.json: observation hashes and slots match in TypeScript and on-chain", async function () {
    const { harness } = await loadFixture(deploy);
    for (const v of read("observation.json", observationFile).headers) {
      const header = fromJson("ObservationHeader", v.json);
      expect(encodeAbiParameters([abiParameters.ObservationHeader], [header])).to.equal(
        v.abiEncoded,
      );
      expect(observationHash(header)).to.equal(v.observationHash);
      expect(await harness.read.observationHash([header])).to.equal(v.observationHash);
      expect(observationSlot(header.streamHash, header.epochHash)).to.equal(v.observationSlot);
      expect(await harness.read.observationSlot([header.streamHash, header.epochHash])).to.equal(
        v.observationSlot,
      );
    }
  });

  it("invalid.json: every case is rejected naming the recorded field", function () {
    for (const v of read("invalid.json", invalidFile).cases) {
      let error: unknown;
      try {
        fromJson(v.type as CanonicalTypeName, v.json, "");
      } catch (e) {
        error = e;
      }
      expect(error, v.name).to.be.instanceOf(InvalidCanonicalValueError);
      expect((error as InvalidCanonicalValueError).field, v.name).to.equal(v.field);
    }
  });
});
