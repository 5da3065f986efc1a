/**
 * Exact gas of every state-changing entry point of the production rail on a representative path,
 * compared with `test/gas/rail.snap.json`, and the calldata each path carries (what the L2 posts to
 * L1), compared with the figures quoted in `docs/rail.md`.
 */
import { expect } from "chai";
import { encodeFunctionData, hexToBytes, type Hex, type TransactionReceipt } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import {
  signAnnouncementPointer,
  signClaimStream,
  signManifestPointer,
  signPointerBatch,
} from "../../lib/rail/sign";
import { readManifestDomain, signManifestEip712 } from "../../lib/eip712/manifest";
import type { ManifestBody } from "../../lib/types/abi";
import { expectGasSnapshot } from "../support/gas";
import {
  FAR_DEADLINE,
  productionRailFixture,
  sampleAnnouncementPointer,
  sampleManifestPointer,
  sampleStreamKey,
  streamIdOf,
  word,
} from "./support";

/** Calldata of each path: total bytes and zero bytes (the rest are non-zero). */
const CALLDATA: Record<string, { bytes: number; zeroBytes: number }> = {
  claimStream: { bytes: 484, zeroBytes: 449 },
  claimStreamWithSig: { bytes: 740, zeroBytes: 616 },
  publishManifest: { bytes: 228, zeroBytes: 65 },
  "publishManifest (newer revision)": { bytes: 228, zeroBytes: 63 },
  publishManifestWithSig: { bytes: 484, zeroBytes: 229 },
  publishAnnouncement: { bytes: 132, zeroBytes: 33 },
  "publishAnnouncement (newer sequence)": { bytes: 132, zeroBytes: 32 },
  publishAnnouncementWithSig: { bytes: 388, zeroBytes: 198 },
  "publishBatch (4 manifests, 1 announcement)": { bytes: 1156, zeroBytes: 407 },
  "publishBatchWithSig (4 manifests, 1 announcement)": { bytes: 1412, zeroBytes: 572 },
  proposePublisher: { bytes: 68, zeroBytes: 13 },
  acceptPublisher: { bytes: 36, zeroBytes: 1 },
  cancelNonce: { bytes: 4, zeroBytes: 0 },
};

type Measured = { name: string; receipt: TransactionReceipt; input: Hex };

describe("EveryChannelRail gas", function () {
  it("costs the snapshotted gas and carries the documented calldata on every path", async function () {
    const f = await productionRailFixture();
    const measured: Measured[] = [];
    async function measure(name: string, hash: Promise<Hex>): Promise<void> {
      const h = await hash;
      const receipt = await f.publicClient.waitForTransactionReceipt({ hash: h });
      expect(receipt.status, name).to.equal("success");
      const tx = await f.publicClient.getTransaction({ hash: h });
      measured.push({ name, receipt, input: tx.input });
    }
    const publisher = f.publisher.account;
    const key = sampleStreamKey(0);
    const streamId = streamIdOf(key);
    const key2 = sampleStreamKey(1);
    const streamId2 = streamIdOf(key2);

    await measure("claimStream", f.rail.write.claimStream([key], { account: publisher }));
    const claim = await signClaimStream({
      signer: f.publisher,
      domain: f.domain,
      streamId: streamId2,
      nonce: 0n,
      deadline: FAR_DEADLINE,
    });
    await measure(
      "claimStreamWithSig",
      f.rail.write.claimStreamWithSig(
        [key2, publisher.address, 0n, FAR_DEADLINE, claim.signature],
        { account: f.relayer.account },
      ),
    );

    await measure(
      "publishManifest",
      f.rail.write.publishManifest([sampleManifestPointer(streamId, { epochId: 1n })], {
        account: publisher,
      }),
    );
    await measure(
      "publishManifest (newer revision)",
      f.rail.write.publishManifest(
        [sampleManifestPointer(streamId, { epochId: 1n, revision: 2n })],
        { account: publisher },
      ),
    );
    const manifest = sampleManifestPointer(streamId, { epochId: 2n });
    const signedManifest = await signManifestPointer({
      signer: f.publisher,
      domain: f.domain,
      pointer: manifest,
      nonce: 1n,
      deadline: FAR_DEADLINE,
    });
    await measure(
      "publishManifestWithSig",
      f.rail.write.publishManifestWithSig(
        [publisher.address, manifest, 1n, FAR_DEADLINE, signedManifest.signature],
        { account: f.relayer.account },
      ),
    );

    await measure(
      "publishAnnouncement",
      f.rail.write.publishAnnouncement([sampleAnnouncementPointer(streamId)], {
        account: publisher,
      }),
    );
    await measure(
      "publishAnnouncement (newer sequence)",
      f.rail.write.publishAnnouncement([sampleAnnouncementPointer(streamId, { sequence: 2n })], {
        account: publisher,
      }),
    );
    const announcement = sampleAnnouncementPointer(streamId2);
    const signedAnnouncement = await signAnnouncementPointer({
      signer: f.publisher,
      domain: f.domain,
      pointer: announcement,
      nonce: 2n,
      deadline: FAR_DEADLINE,
    });
    await measure(
      "publishAnnouncementWithSig",
      f.rail.write.publishAnnouncementWithSig(
        [publisher.address, announcement, 2n, FAR_DEADLINE, signedAnnouncement.signature],
        { account: f.relayer.account },
      ),
    );

    // A representative batch: one epoch's manifests of two streams in two epochs, plus one announcement.
    const batch = (epoch: bigint) => ({
      manifests: [
        sampleManifestPointer(streamId, { epochId: epoch }),
        sampleManifestPointer(streamId2, { epochId: epoch }),
        sampleManifestPointer(streamId, { epochId: epoch + 1n }),
        sampleManifestPointer(streamId2, { epochId: epoch + 1n }),
      ],
      announcements: [sampleAnnouncementPointer(streamId, { sequence: epoch })],
    });
    const direct = batch(10n);
    await measure(
      "publishBatch (4 manifests, 1 announcement)",
      f.rail.write.publishBatch([direct.manifests, direct.announcements], { account: publisher }),
    );
    const relayed = batch(20n);
    const signedBatch = await signPointerBatch({
      signer: f.publisher,
      domain: f.domain,
      ...relayed,
      nonce: 3n,
      deadline: FAR_DEADLINE,
    });
    await measure(
      "publishBatchWithSig (4 manifests, 1 announcement)",
      f.rail.write.publishBatchWithSig(
        [
          publisher.address,
          relayed.manifests,
          relayed.announcements,
          3n,
          FAR_DEADLINE,
          signedBatch.signature,
        ],
        { account: f.relayer.account },
      ),
    );

    await measure(
      "proposePublisher",
      f.rail.write.proposePublisher([streamId, f.successor.account.address], {
        account: publisher,
      }),
    );
    await measure(
      "acceptPublisher",
      f.rail.write.acceptPublisher([streamId], { account: f.successor.account }),
    );
    await measure("cancelNonce", f.rail.write.cancelNonce({ account: publisher }));

    // The two manifest-signature views, as eth_call gas (a contract calling them pays about this).
    const body: ManifestBody = {
      streamId,
      epochId: 1n,
      epochStartUnixMs: 1_732_000_000_000n,
      epochDurationMs: 2000,
      variants: [
        {
          name: "ts-original",
          chunks: [0, 1, 2, 3].map((index) => ({
            index,
            size: 1 << 20,
            blake3: word(`c${index}`),
          })),
        },
      ],
      psipBlake3: word("psip"),
      merkleRoot: word("root"),
      publisher: { nodeId: word("node"), device: "hdhomerun-10a2b3c4" },
      createdUnixMs: 1_732_000_002_000n,
    };
    const bodySigner = privateKeyToAccount(word("rail/gas/manifest-signer"));
    const manifestSignature = await signManifestEip712({
      account: bodySigner,
      body,
      domain: await readManifestDomain(f.publicClient, f.rail.address),
    });
    const views = {
      "manifestBodyDigest (1 variant, 4 chunks)": await f.publicClient.estimateGas({
        to: f.rail.address,
        data: encodeFunctionData({
          abi: f.rail.abi,
          functionName: "manifestBodyDigest",
          args: [body],
        }),
      }),
      "verifyManifestSignature (1 variant, 4 chunks)": await f.publicClient.estimateGas({
        to: f.rail.address,
        data: encodeFunctionData({
          abi: f.rail.abi,
          functionName: "verifyManifestSignature",
          args: [body, bodySigner.address, manifestSignature],
        }),
      }),
    };
    expect(
      await f.rail.read.verifyManifestSignature([body, bodySigner.address, manifestSignature]),
    ).to.equal(true);
    for (const [name, gas] of Object.entries(views)) {
      expectGasSnapshot("rail", name, gas);
      if (process.env.PRINT_RAIL_CALLDATA === "1")
        console.log(`${name}: ${gas} gas (eth_call estimate)`);
    }

    for (const { name, receipt, input } of measured) {
      expectGasSnapshot("rail", name, receipt.gasUsed);
      const bytes = hexToBytes(input);
      const actual = { bytes: bytes.length, zeroBytes: bytes.filter((b) => b === 0).length };
      if (process.env.PRINT_RAIL_CALLDATA === "1")
        console.log(
          `${name}: ${receipt.gasUsed} gas, ${actual.bytes} bytes (${actual.zeroBytes} zero)`,
        );
      else expect(actual, `calldata of ${name}`).to.deep.equal(CALLDATA[name]);
    }
  });
});
