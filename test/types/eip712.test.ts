import { loadFixture } from "@nomicfoundation/hardhat-toolbox-viem/network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import hre from "hardhat";
import { getAddress, keccak256, toHex, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { manifestBodyHash, manifestEnvelopeHash } from "../../lib/commitments/manifest";
import {
  manifestBodyStructHash,
  manifestDigest,
  manifestTypeStrings,
  readManifestDomain,
  signManifestEip712,
  verifyManifestEip712,
  verifyManifestEip712Offline,
  type ManifestDomain,
} from "../../lib/eip712/manifest";
import {
  addEd25519Signature,
  addEip712Signature,
  createManifest,
  createManifestBody,
  verifyManifest,
} from "../../lib/manifest/envelope";
import { manifestId } from "../../lib/local/manifest-id";
import type { ManifestBody } from "../../lib/types/abi";
import * as arb from "./arbitraries";

const KEY_A = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const KEY_B = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
const ED_KEY = "0x9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const accountA = privateKeyToAccount(KEY_A);
const accountB = privateKeyToAccount(KEY_B);

async function deploy() {
  const verifier = await hre.viem.deployContract("ManifestSignatureVerifierHarness");
  const otherVerifier = await hre.viem.deployContract("ManifestSignatureVerifierHarness");
  const harness = await hre.viem.deployContract("CommitmentsHarness");
  const wallet = await hre.viem.deployContract("ERC1271WalletMock", [accountA.address]);
  const publicClient = await hre.viem.getPublicClient();
  const domain = await readManifestDomain(publicClient, verifier.address);
  return { verifier, otherVerifier, harness, wallet, publicClient, domain };
}

/** A copy of `body` differing in one field, picked by `which`. */
function changeOneField(body: ManifestBody, which: number): ManifestBody {
  const bump = (x: bigint) => (x === 2n ** 64n - 1n ? 0n : x + 1n);
  const flip = (x: Hex): Hex =>
    (x.endsWith("0") ? `${x.slice(0, -1)}1` : `${x.slice(0, -1)}0`) as Hex;
  switch (which % 8) {
    case 0:
      return { ...body, streamId: flip(body.streamId) };
    case 1:
      return { ...body, epochId: bump(body.epochId) };
    case 2:
      return { ...body, epochStartUnixMs: bump(body.epochStartUnixMs) };
    case 3:
      return {
        ...body,
        epochDurationMs: body.epochDurationMs === 1 ? 2 : body.epochDurationMs - 1,
      };
    case 4:
      return { ...body, psipBlake3: flip(body.psipBlake3) };
    case 5:
      return { ...body, merkleRoot: flip(body.merkleRoot) };
    case 6:
      return { ...body, publisher: { ...body.publisher, device: `${body.publisher.device}x` } };
    default: {
      const [first, ...rest] = body.variants;
      const [chunk, ...chunks] = first!.chunks;
      return {
        ...body,
        variants: [
          { ...first!, chunks: [{ ...chunk!, blake3: flip(chunk!.blake3) }, ...chunks] },
          ...rest,
        ],
      };
    }
  }
}

describe("EIP-712 manifest-body signatures", function () {
  it("reads the domain from the verifying contract: EveryChannelRail, version 1, chain id, address", async function () {
    const { verifier, domain } = await loadFixture(deploy);
    expect(domain).to.deep.equal({
      name: "EveryChannelRail",
      version: "1",
      chainId: 31337,
      verifyingContract: getAddress(verifier.address),
    });
  });

  it("uses the documented type strings on-chain and in TypeScript", async function () {
    const { harness } = await loadFixture(deploy);
    const [sourceId, chunkId, variant, body] = await harness.read.typeHashes();
    expect(sourceId).to.equal(keccak256(toHex(manifestTypeStrings.SourceId)));
    expect(chunkId).to.equal(keccak256(toHex(manifestTypeStrings.ChunkId)));
    expect(variant).to.equal(keccak256(toHex(manifestTypeStrings.ManifestVariant)));
    expect(body).to.equal(keccak256(toHex(manifestTypeStrings.ManifestBody)));
  });

  it("computes the same struct hashes and digest on-chain for every body, empty arrays included", async function () {
    const { verifier, harness, domain } = await loadFixture(deploy);
    await fc.assert(
      fc.asyncProperty(arb.manifestBody, async (body) => {
        expect(await harness.read.hashManifestBodyStruct([body])).to.equal(
          manifestBodyStructHash(body),
        );
        expect(await verifier.read.manifestDigest([body])).to.equal(manifestDigest(body, domain));
      }),
      { numRuns: 200 },
    );
  });

  it("signatures made in TypeScript verify on-chain and offline, and fail for a changed field", async function () {
    const { verifier, domain } = await loadFixture(deploy);
    await fc.assert(
      fc.asyncProperty(arb.wellFormedBody, fc.nat(), async (body, which) => {
        const signature = await signManifestEip712({ account: accountA, body, domain });
        const signer = accountA.address;
        expect(await verifier.read.verifyManifestSignature([body, signer, signature])).to.equal(
          true,
        );
        expect(await verifyManifestEip712Offline({ body, domain, signer, signature })).to.equal(
          true,
        );
        const changed = changeOneField(body, which);
        expect(await verifier.read.verifyManifestSignature([changed, signer, signature])).to.equal(
          false,
        );
        expect(
          await verifyManifestEip712Offline({ body: changed, domain, signer, signature }),
        ).to.equal(false);
        expect(
          await verifier.read.verifyManifestSignature([body, accountB.address, signature]),
        ).to.equal(false);
      }),
      { numRuns: 200 },
    );
  });

  it("a signature made for another chain id or another contract does not verify", async function () {
    const { verifier, otherVerifier, domain } = await loadFixture(deploy);
    await fc.assert(
      fc.asyncProperty(
        arb.wellFormedBody,
        fc.integer({ min: 1, max: 2 ** 40 }).filter((id) => id !== 31337),
        async (body, chainId) => {
          const signer = accountA.address;
          const otherChain: ManifestDomain = { ...domain, chainId };
          const forOtherChain = await signManifestEip712({
            account: accountA,
            body,
            domain: otherChain,
          });
          expect(
            await verifier.read.verifyManifestSignature([body, signer, forOtherChain]),
          ).to.equal(false);
          const forOtherContract = await signManifestEip712({
            account: accountA,
            body,
            domain: { ...domain, verifyingContract: otherVerifier.address },
          });
          expect(
            await verifier.read.verifyManifestSignature([body, signer, forOtherContract]),
          ).to.equal(false);
          expect(
            await otherVerifier.read.verifyManifestSignature([body, signer, forOtherContract]),
          ).to.equal(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("verifies ERC-1271 contract signers on-chain and through a client in TypeScript", async function () {
    const { verifier, wallet, publicClient, domain } = await loadFixture(deploy);
    await fc.assert(
      fc.asyncProperty(arb.wellFormedBody, fc.nat(), async (body, which) => {
        const signature = await signManifestEip712({ account: accountA, body, domain });
        expect(
          await verifier.read.verifyManifestSignature([body, wallet.address, signature]),
        ).to.equal(true);
        expect(
          await verifyManifestEip712({
            client: publicClient,
            body,
            domain,
            signer: wallet.address,
            signature,
          }),
        ).to.equal(true);
        const changed = changeOneField(body, which);
        expect(
          await verifier.read.verifyManifestSignature([changed, wallet.address, signature]),
        ).to.equal(false);
        expect(
          await verifyManifestEip712({
            client: publicClient,
            body: changed,
            domain,
            signer: wallet.address,
            signature,
          }),
        ).to.equal(false);
      }),
      { numRuns: 60 },
    );
  });
});

describe("dual-rail manifests", function () {
  it("carries Ed25519 and EIP-712 signatures that all verify, on-chain too", async function () {
    const { verifier, wallet, publicClient, domain } = await loadFixture(deploy);
    await fc.assert(
      fc.asyncProperty(arb.wellFormedBody, async (generated) => {
        const { merkleRoot: _ignored, ...parameters } = generated;
        const body = createManifestBody(parameters);
        let manifest = createManifest(body);
        manifest = addEd25519Signature(manifest, ED_KEY);
        manifest = await addEip712Signature(manifest, { account: accountA, domain });
        manifest = {
          ...manifest,
          signatures: [
            ...manifest.signatures,
            {
              scheme: 1,
              signer: wallet.address.toLowerCase() as Hex,
              signature: manifest.signatures[1]!.signature,
            },
          ],
        };
        const verdict = await verifyManifest(manifest, { domain, client: publicClient });
        expect(verdict.valid, JSON.stringify(verdict.signatures)).to.equal(true);
        expect(verdict.signatures.map((s) => s.valid)).to.deep.equal([true, true, true]);
        const eip712 = manifest.signatures[1]!;
        expect(
          await verifier.read.verifyManifestSignature([
            manifest.body,
            accountA.address,
            eip712.signature,
          ]),
        ).to.equal(true);
      }),
      { numRuns: 50 },
    );
  });

  it("appending a signature never changes what is signed, only the envelope hash", async function () {
    const { domain } = await loadFixture(deploy);
    const [generated] = fc.sample(arb.wellFormedBody, { numRuns: 1, seed: 42 });
    const { merkleRoot: _ignored, ...parameters } = generated!;
    const unsigned = createManifest(createManifestBody(parameters));
    const one = addEd25519Signature(unsigned, ED_KEY);
    const two = await addEip712Signature(one, { account: accountB, domain });
    for (const m of [one, two]) {
      expect(manifestId(m.body)).to.equal(unsigned.manifestId);
      expect(manifestBodyHash(m.body)).to.equal(manifestBodyHash(unsigned.body));
      expect(manifestDigest(m.body, domain)).to.equal(manifestDigest(unsigned.body, domain));
    }
    const envelopes = new Set([unsigned, one, two].map(manifestEnvelopeHash));
    expect(envelopes.size).to.equal(3);
    const verdict = await verifyManifest(two, { domain });
    expect(verdict.valid).to.equal(true);
  });

  it("reports a wrong manifest_id, a wrong merkleRoot and each bad signature", async function () {
    const { domain } = await loadFixture(deploy);
    const [generated] = fc.sample(arb.wellFormedBody, { numRuns: 1, seed: 43 });
    const { merkleRoot: _ignored, ...parameters } = generated!;
    const signed = await addEip712Signature(
      addEd25519Signature(createManifest(createManifestBody(parameters)), ED_KEY),
      { account: accountA, domain },
    );
    const tampered = {
      ...signed,
      body: { ...signed.body, epochId: signed.body.epochId ^ 1n },
    };
    const verdict = await verifyManifest(tampered, { domain });
    expect(verdict.valid).to.equal(false);
    expect(verdict.manifestIdValid).to.equal(false);
    expect(verdict.merkleRootValid).to.equal(true);
    expect(verdict.signatures.map((s) => s.valid)).to.deep.equal([false, false]);
    const noDomain = await verifyManifest(signed);
    expect(noDomain.signatures[1]).to.include({ valid: false, problem: "no EIP-712 domain given" });
    const flipped =
      `${signed.body.merkleRoot.slice(0, -2)}${signed.body.merkleRoot.endsWith("00") ? "01" : "00"}` as Hex;
    const badRoot = createManifest({ ...signed.body, merkleRoot: flipped });
    const badRootVerdict = await verifyManifest(badRoot, { domain });
    expect(badRootVerdict.manifestIdValid).to.equal(true);
    expect(badRootVerdict.merkleRootValid).to.equal(false);
    expect(badRootVerdict.valid).to.equal(false);
  });
});
