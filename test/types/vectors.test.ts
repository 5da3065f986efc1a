import { loadFixture } from "@nomicfoundation/hardhat-toolbox-viem/network-helpers";
import { expect } from "chai";
import { readFileSync } from "node:fs";
import path from "node:path";
import hre from "hardhat";
import {
  compactSignatureToSignature,
  concatHex,
  encodeAbiParameters,
  encodeFunctionData,
  getAddress,
  hashStruct,
  keccak256,
  parseCompactSignature,
  parseEventLogs,
  parseSignature,
  recoverAddress,
  serializeSignature,
  slice,
  toHex,
  type Hex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { z } from "zod";

import {
  manifestBodyHash,
  manifestDataRoot,
  manifestEnvelopeHash,
} from "../../lib/commitments/manifest";
import { merkleRoot, verifyMerkleProof } from "../../lib/commitments/merkle";
import {
  contentHash,
  headerContent,
  observationHash,
  observationSlot,
} from "../../lib/commitments/observation";
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
import {
  packCompactBatch,
  toCompactSignature,
  unpackCompactBatch,
} from "../../lib/ledger/compactSignatures";
import { readObservationLedgerDomain } from "../../lib/ledger/domain";
import { REPORT_ENTRY_TYPE, REPORT_TYPE, reportDigest, signReport } from "../../lib/ledger/report";
import { packReport, packReportEntries } from "../../lib/ledger/reportCalldata";
import {
  OBSERVATION_TYPE,
  observationDigest,
  observationTypes,
  signObservation,
} from "../../lib/ledger/typedData";
import { ed25519PublicKey, verifyManifestIdEd25519 } from "../../lib/local/ed25519";
import { canonicalManifestBodyJson } from "../../lib/local/jcs";
import { manifestId } from "../../lib/local/manifest-id";
import { localMerkleRoot, verifyLocalMerkleProof } from "../../lib/local/merkle-blake3";
import { verifyManifest } from "../../lib/manifest/envelope";
import { abiParameters, type CanonicalTypeName } from "../../lib/types/abi";
import { InvalidCanonicalValueError } from "../../lib/validation/errors";
import { fromJson } from "../../lib/validation/json-form";
import {
  buildVectors,
  LEDGER_VECTOR_ADDRESS_LABEL,
  ledgerVectorKeyLabel,
  renderVectorFile,
  submitReportAbi,
} from "../../scripts/vectors/build";

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
const ledgerFile = z.object({
  commitments: z.array(z.string()),
  keys: z.array(z.object({ label: z.string(), privateKey: hex32, address: z.string() })),
  domain: z.object({
    name: z.string(),
    version: z.string(),
    chainId: z.number(),
    verifyingContract: z.string(),
    verifyingContractLabel: z.string(),
  }),
  domainSeparator: hex32,
  typeString: z.string(),
  typeHash: hex32,
  maxFutureMs: z.number(),
  contents: z.array(
    z.object({
      name: z.string(),
      json: z.unknown(),
      abiEncoded: hex,
      contentHash: hex32,
      observationSlot: hex32,
      structHash: hex32,
      digest: hex32,
      signatures: z.array(z.object({ witness: z.string(), signature: hex, compact: hex })),
    }),
  ),
  finalized: z.array(
    z.object({
      name: z.string(),
      content: z.number(),
      parentObservationHash: hex32,
      sequence: z.string().transform(BigInt),
      header: z.unknown(),
      abiEncoded: hex,
      observationHash: hex32,
    }),
  ),
  compactBatch: z.object({
    contents: z.array(z.unknown()),
    signatures: hex,
    calldata: hex,
    finalizes: z.array(z.number()),
  }),
});
const invalidFile = z.object({
  cases: z.array(
    z.object({ name: z.string(), type: z.string(), json: z.unknown(), field: z.string() }),
  ),
});

const reportFile = z.object({
  domainSeparator: hex32,
  typeString: z.string(),
  typeHash: hex32,
  entryTypeString: z.string(),
  entryTypeHash: hex32,
  entryBytes: z.literal(104),
  maxEntries: z.number().int(),
  reports: z.array(
    z.object({
      name: z.string(),
      streamHash: hex32,
      entries: z.array(
        z.object({
          epochHash: hex32,
          dataRoot: hex32,
          locatorHash: hex32,
          observedUnixMs: z.string().regex(/^[0-9]+$/),
        }),
      ),
      packedEntries: z
        .string()
        .startsWith("0x")
        .transform((x) => x as Hex),
      entryStructHashes: z.array(hex32),
      entriesHash: hex32,
      structHash: hex32,
      digest: hex32,
      signatures: z.array(
        z.object({
          witness: z.string(),
          signature: z.string().transform((x) => x as Hex),
          compact: z.string().transform((x) => x as Hex),
        }),
      ),
      calldata: z.string().transform((x) => x as Hex),
      finalizes: z.array(z.number().int()),
    }),
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

/**
 * An observation ledger at the ledger vectors' `verifyingContract` (its runtime code placed there:
 * the EIP-712 domain follows the address), over a registry of the vectors' keys at quorum 2.
 */
async function deployVectorLedger() {
  const file = read("ledger-eip712.json", ledgerFile);
  const [owner] = await hre.viem.getWalletClients();
  const registry = await hre.viem.deployContract("EveryChannelWitnessRegistry", [
    owner!.account.address,
    file.keys.map((k) => getAddress(k.address)),
    2n,
  ]);
  const deployed = await hre.viem.deployContract("EveryChannelObservationLedger", [
    registry.address,
  ]);
  const publicClient = await hre.viem.getPublicClient();
  const code = await publicClient.getCode({ address: deployed.address });
  const address = getAddress(file.domain.verifyingContract);
  await hre.network.provider.send("hardhat_setCode", [address, code]);
  const ledger = await hre.viem.getContractAt("EveryChannelObservationLedger", address);
  const harness = await hre.viem.deployContract("CommitmentsHarness");
  return { file, ledger, harness, publicClient };
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

  it("ledger-eip712.json: domain, typehash, content hashes, digests, signatures, finalized headers and the compact batch check out in TypeScript and on the ledger at the vectors' address", async function () {
    const { file, ledger, harness, publicClient } = await loadFixture(deployVectorLedger);
    const halfN = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;
    // Keys and address come from their labels.
    file.keys.forEach((k, i) => {
      expect(k.label).to.equal(ledgerVectorKeyLabel(i));
      expect(k.privateKey).to.equal(keccak256(toHex(k.label)));
      expect(privateKeyToAccount(k.privateKey).address).to.equal(k.address);
    });
    expect(file.domain.verifyingContractLabel).to.equal(LEDGER_VECTOR_ADDRESS_LABEL);
    expect(file.domain.verifyingContract).to.equal(
      getAddress(slice(keccak256(toHex(LEDGER_VECTOR_ADDRESS_LABEL)), 12)),
    );
    // The domain is the contract's (ERC-5267), the separator its EIP-712 hash.
    const domain = await readObservationLedgerDomain(publicClient, ledger.address);
    expect(domain).to.deep.equal({
      name: file.domain.name,
      version: file.domain.version,
      chainId: BigInt(file.domain.chainId),
      verifyingContract: file.domain.verifyingContract,
    });
    expect(file.domain.version).to.equal("2");
    expect(file.typeString).to.equal(OBSERVATION_TYPE);
    expect(file.typeHash).to.equal(keccak256(toHex(file.typeString)));
    expect(await ledger.read.OBSERVATION_TYPEHASH()).to.equal(file.typeHash);
    expect(await ledger.read.MAX_FUTURE_MS()).to.equal(BigInt(file.maxFutureMs));
    const contents = [];
    for (const v of file.contents) {
      const content = fromJson("ObservationContent", v.json);
      contents.push(content);
      expect(encodeAbiParameters([abiParameters.ObservationContent], [content]), v.name).to.equal(
        v.abiEncoded,
      );
      expect(keccak256(v.abiEncoded)).to.equal(v.contentHash);
      expect(contentHash(content)).to.equal(v.contentHash);
      expect(await harness.read.contentHash([content])).to.equal(v.contentHash);
      expect(observationSlot(content.streamHash, content.epochHash)).to.equal(v.observationSlot);
      expect(await harness.read.observationSlot([content.streamHash, content.epochHash])).to.equal(
        v.observationSlot,
      );
      // hashStruct = keccak256(typeHash ‖ abi.encode(content)): every field is one static word.
      expect(keccak256(concatHex([file.typeHash, v.abiEncoded]))).to.equal(v.structHash);
      expect(
        hashStruct({ types: observationTypes, primaryType: "Observation", data: content }),
      ).to.equal(v.structHash);
      expect(keccak256(concatHex(["0x1901", file.domainSeparator, v.structHash]))).to.equal(
        v.digest,
      );
      expect(observationDigest(domain, content)).to.equal(v.digest);
      expect(await ledger.read.observationDigest([content])).to.equal(v.digest);
      expect(v.signatures.map((s) => s.witness)).to.deep.equal(file.keys.map((k) => k.address));
      for (const [i, s] of v.signatures.entries()) {
        // 65 bytes r ‖ s ‖ v, v = 27 or 28, s in the lower half order; deterministic (RFC 6979).
        const account = privateKeyToAccount(file.keys[i]!.privateKey);
        expect(await signObservation(account, domain, content)).to.equal(s.signature);
        const { r, s: sValue, v: vValue, yParity } = parseSignature(s.signature);
        expect(s.signature.length).to.equal(2 + 130);
        expect([27n, 28n]).to.include(vValue);
        expect(BigInt(sValue) <= halfN).to.equal(true);
        expect(await recoverAddress({ hash: v.digest, signature: s.signature })).to.equal(
          s.witness,
        );
        // EIP-2098: r ‖ (yParity << 255 | s).
        expect(s.compact).to.equal(
          concatHex([r, toHex((BigInt(yParity!) << 255n) | BigInt(sValue), { size: 32 })]),
        );
        expect(toCompactSignature(s.signature)).to.equal(s.compact);
        const expanded = serializeSignature(
          compactSignatureToSignature(parseCompactSignature(s.compact)),
        );
        expect(expanded).to.equal(s.signature);
        expect(await recoverAddress({ hash: v.digest, signature: expanded })).to.equal(s.witness);
      }
    }
    for (const v of file.finalized) {
      const header = fromJson("ObservationHeader", v.header);
      expect(headerContent(header), v.name).to.deep.equal(contents[v.content]);
      expect(header.parentObservationHash).to.equal(v.parentObservationHash);
      expect(header.sequence).to.equal(v.sequence);
      expect(encodeAbiParameters([abiParameters.ObservationHeader], [header])).to.equal(
        v.abiEncoded,
      );
      expect(observationHash(header)).to.equal(v.observationHash);
      expect(await harness.read.observationHash([header])).to.equal(v.observationHash);
    }
    expect(file.finalized[1]!.parentObservationHash).to.equal(file.finalized[0]!.observationHash);
    // The compact batch: packed by the library, encoded as the contract's ABI says, and finalized by
    // the ledger as the vectors' headers.
    const batch = file.compactBatch;
    const batchContents = batch.contents.map((c) => fromJson("ObservationContent", c));
    const items = unpackCompactBatch(batchContents, batch.signatures);
    expect(packCompactBatch(items)).to.deep.equal([batchContents, batch.signatures]);
    expect(
      encodeFunctionData({
        abi: ledger.abi,
        functionName: "submitCompactAttestations",
        args: [batchContents, batch.signatures],
      }),
    ).to.equal(batch.calldata);
    expect(
      (await ledger.simulate.submitCompactAttestations([batchContents, batch.signatures])).result,
    ).to.equal(BigInt(batch.finalizes.length));
    const receipt = await publicClient.waitForTransactionReceipt({
      hash: await ledger.write.submitCompactAttestations([batchContents, batch.signatures]),
    });
    const finalizedHashes = parseEventLogs({
      abi: ledger.abi,
      logs: receipt.logs,
      eventName: "ObservationProposedAndFinalized",
    }).map((e) => e.args.observationHash);
    expect(finalizedHashes).to.deep.equal(
      batch.finalizes.map((i) => file.finalized[i]!.observationHash),
    );
  });

  it("ledger-report-eip712.json: type hashes, entry hashes, digests, signatures and calldata check out in TypeScript and on the ledger at the vectors' address, and the report finalizes the ledger vectors' headers", async function () {
    const { file: ledgerVectors, ledger, publicClient } = await loadFixture(deployVectorLedger);
    const file = read("ledger-report-eip712.json", reportFile);
    const domain = await readObservationLedgerDomain(publicClient, ledger.address);
    expect(file.domainSeparator).to.equal(ledgerVectors.domainSeparator);
    expect(file.typeString).to.equal(REPORT_TYPE);
    expect(file.entryTypeString).to.equal(REPORT_ENTRY_TYPE);
    expect(file.typeHash).to.equal(keccak256(toHex(file.typeString)));
    expect(file.entryTypeHash).to.equal(keccak256(toHex(file.entryTypeString)));
    expect(await ledger.read.REPORT_TYPEHASH()).to.equal(file.typeHash);
    expect(await ledger.read.REPORT_ENTRY_TYPEHASH()).to.equal(file.entryTypeHash);
    expect(await ledger.read.MAX_REPORT_ENTRIES()).to.equal(BigInt(file.maxEntries));
    // The vectors' calldata encoder is the artifact's function.
    const artifact = ledger.abi.find((x) => x.type === "function" && x.name === "submitReport");
    const shape = (f: { inputs: readonly { name?: string; type: string }[] } | undefined) =>
      f?.inputs.map(({ name, type }) => ({ name, type }));
    expect(shape(artifact as { inputs: { name: string; type: string }[] })).to.deep.equal(
      shape(submitReportAbi[0]),
    );
    for (const v of file.reports) {
      const report = {
        streamHash: v.streamHash,
        entries: v.entries.map((e) => ({ ...e, observedUnixMs: BigInt(e.observedUnixMs) })),
      };
      // Packed entries: epochHash ‖ dataRoot ‖ locatorHash ‖ uint64 big-endian, 104 bytes each.
      expect(v.packedEntries, v.name).to.equal(
        concatHex(
          report.entries.map((e) =>
            concatHex([
              e.epochHash,
              e.dataRoot,
              e.locatorHash,
              toHex(e.observedUnixMs, { size: 8 }),
            ]),
          ),
        ),
      );
      expect(packReportEntries(report)).to.equal(v.packedEntries);
      // hashStruct(entry) = keccak256(entryTypeHash ‖ the four fields as words).
      report.entries.forEach((e, i) => {
        expect(
          keccak256(
            concatHex([
              file.entryTypeHash,
              e.epochHash,
              e.dataRoot,
              e.locatorHash,
              toHex(e.observedUnixMs, { size: 32 }),
            ]),
          ),
        ).to.equal(v.entryStructHashes[i]);
      });
      expect(keccak256(concatHex(v.entryStructHashes))).to.equal(v.entriesHash);
      expect(keccak256(concatHex([file.typeHash, v.streamHash, v.entriesHash]))).to.equal(
        v.structHash,
      );
      expect(keccak256(concatHex(["0x1901", file.domainSeparator, v.structHash]))).to.equal(
        v.digest,
      );
      expect(reportDigest(domain, report)).to.equal(v.digest);
      expect(await ledger.read.reportDigest([v.streamHash, v.packedEntries])).to.equal(v.digest);
      for (const [i, s] of v.signatures.entries()) {
        const account = privateKeyToAccount(ledgerVectors.keys[i]!.privateKey);
        expect(s.witness).to.equal(account.address);
        expect(await signReport(account, domain, report)).to.equal(s.signature);
        expect(await recoverAddress({ hash: v.digest, signature: s.signature })).to.equal(
          s.witness,
        );
        expect(toCompactSignature(s.signature)).to.equal(s.compact);
      }
      const args = packReport(
        report,
        v.signatures.map((s) => s.signature),
      );
      expect(encodeFunctionData({ abi: ledger.abi, functionName: "submitReport", args })).to.equal(
        v.calldata,
      );
    }
    // The first report, on the vectors' ledger (the three keys at quorum 2), finalizes `finalized[0]`
    // and `finalized[1]` of ledger-eip712.json.
    const first = file.reports[0]!;
    const receipt = await publicClient.waitForTransactionReceipt({
      hash: await (
        await hre.viem.getWalletClients()
      )[0]!.sendTransaction({
        to: ledger.address,
        data: first.calldata,
      }),
    });
    const finalizedHashes = parseEventLogs({
      abi: ledger.abi,
      logs: receipt.logs,
      eventName: "ObservationProposedAndFinalized",
    }).map((e) => e.args.observationHash);
    expect(finalizedHashes).to.deep.equal(
      first.finalizes.map((i) => ledgerVectors.finalized[i]!.observationHash),
    );
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
