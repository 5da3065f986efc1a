import { loadFixture } from "@nomicfoundation/hardhat-toolbox-viem/network-helpers";
import hre from "hardhat";
import { expect } from "chai";
import { privateKeyToAccount } from "viem/accounts";

import { manifestBodyHash, manifestDataRoot } from "../../lib/commitments/manifest";
import { merkleProof, merkleRoot } from "../../lib/commitments/merkle";
import {
  manifestBodyStructHash,
  readManifestDomain,
  signManifestEip712,
} from "../../lib/eip712/manifest";
import { createManifestBody } from "../../lib/manifest/envelope";
import { expectGasSnapshot } from "../support/gas";
import { label32 } from "../../scripts/vectors/build";

const SUITE = "types";
const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

const body = createManifestBody({
  streamId: label32("gas stream"),
  epochId: 289000000n,
  epochStartUnixMs: 1734000000000n,
  epochDurationMs: 6000,
  variants: [
    {
      name: "ts-original",
      chunks: Array.from({ length: 16 }, (_, index) => ({
        index,
        size: 1316000,
        blake3: label32(`gas chunk ${index}`),
      })),
    },
  ],
  psipBlake3: label32("gas psip"),
  publisher: { nodeId: label32("gas node"), device: "hdhomerun-10a2b3c4" },
  createdUnixMs: 1734000006123n,
});

async function deploy() {
  const gas = await hre.viem.deployContract("CommitmentsGasHarness");
  const verifier = await hre.viem.deployContract("ManifestSignatureVerifierHarness");
  const account = privateKeyToAccount(KEY);
  const wallet = await hre.viem.deployContract("ERC1271WalletMock", [account.address]);
  const publicClient = await hre.viem.getPublicClient();
  return { gas, verifier, wallet, account, publicClient };
}

describe("gas of the on-chain commitments (budget guard)", function () {
  it("Merkle root of 1, 16 and 64 leaves", async function () {
    const { gas } = await loadFixture(deploy);
    for (const n of [1, 16, 64]) {
      const leaves = Array.from({ length: n }, (_, i) => label32(`gas leaf ${i}`));
      const [root, used] = await gas.read.merkleRoot([leaves]);
      expect(root).to.equal(merkleRoot(leaves));
      expectGasSnapshot(SUITE, `merkleRoot/${n}`, used);
    }
  });

  it("Merkle proof verification in a 64-leaf tree", async function () {
    const { gas } = await loadFixture(deploy);
    const leaves = Array.from({ length: 64 }, (_, i) => label32(`gas leaf ${i}`));
    const proof = merkleProof(leaves, 37);
    const [valid, used] = await gas.read.verifyMerkleProof([
      proof.siblings,
      merkleRoot(leaves),
      leaves[37]!,
      37n,
      64n,
    ]);
    expect(valid).to.equal(true);
    expectGasSnapshot(SUITE, "verifyMerkleProof/64", used);
  });

  it("body hash, data root and EIP-712 struct hash of a 16-chunk manifest", async function () {
    const { gas } = await loadFixture(deploy);
    const [bodyHash, bodyGas] = await gas.read.manifestBodyHash([body]);
    expect(bodyHash).to.equal(manifestBodyHash(body));
    expectGasSnapshot(SUITE, "manifestBodyHash/16-chunks", bodyGas);
    const [dataRoot, dataGas] = await gas.read.manifestDataRoot([body]);
    expect(dataRoot).to.equal(manifestDataRoot(body));
    expectGasSnapshot(SUITE, "manifestDataRoot/16-chunks", dataGas);
    const [structHash, structGas] = await gas.read.hashManifestBody([body]);
    expect(structHash).to.equal(manifestBodyStructHash(body));
    expectGasSnapshot(SUITE, "hashManifestBody/16-chunks", structGas);
  });

  it("EIP-712 signature check of a 16-chunk manifest, EOA and ERC-1271 signer", async function () {
    const { verifier, wallet, account, publicClient } = await loadFixture(deploy);
    const domain = await readManifestDomain(publicClient, verifier.address);
    const signature = await signManifestEip712({ account, body, domain });
    for (const [name, signer] of [
      ["eoa", account.address],
      ["erc1271", wallet.address],
    ] as const) {
      const [valid, used] = await verifier.read.verifyManifestSignatureGas([
        body,
        signer,
        signature,
      ]);
      expect(valid, name).to.equal(true);
      expectGasSnapshot(SUITE, `verifyManifestSignature/${name}`, used);
    }
  });
});
