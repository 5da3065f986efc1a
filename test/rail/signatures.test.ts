import { expect } from "chai";
import hre from "hardhat";
import { concat, getAddress, hashTypedData, size, type Address, type Hex } from "viem";

import { readRailDomain, railDomain, type RailDomain } from "../../lib/rail/domain";
import {
  signAnnouncementPointer,
  signClaimStream,
  signManifestPointer,
  signPointerBatch,
  type RailSigner,
} from "../../lib/rail/sign";
import { railTypes } from "../../lib/rail/typedData";
import { expectRevert } from "../support/revert";
import {
  claimedRailFixture,
  deployRailFixture,
  expectEvents,
  mined,
  sampleAnnouncementPointer,
  sampleManifestPointer,
  streamIdOf,
  type ExpectedEvent,
  type RailFixture,
} from "./support";

const DEADLINE = 1_900_000_000n;

type SignInput = {
  signer: RailSigner;
  domain: RailDomain;
  nonce: bigint;
  deadline: bigint;
  publisher: Address;
};

/**
 * One relayed entry point. `sign` signs the case's message, `submit` relays it (optionally with its
 * contents changed after signing), `digest` is what the rail computes for the submitted message, and
 * `events` what a successful relay emits after `NonceUsed`.
 */
type SignedCase = {
  name: string;
  /** Sets up the stream so that `publisher` may act (claims it, unless this is the claim itself). */
  prepare(f: RailFixture, publisher: Address): Promise<void>;
  sign(f: RailFixture, input: SignInput): Promise<Hex>;
  submit(
    f: RailFixture,
    publisher: Address,
    nonce: bigint,
    deadline: bigint,
    signature: Hex,
    tampered?: boolean,
  ): Promise<Hex>;
  digest(
    f: RailFixture,
    publisher: Address,
    nonce: bigint,
    deadline: bigint,
    tampered?: boolean,
  ): Hex;
  events(f: RailFixture, publisher: Address): ExpectedEvent[];
};

async function claimFor(f: RailFixture, publisher: Address): Promise<void> {
  // Claimed through a relayed signature when the publisher is a wallet contract, directly otherwise.
  if (getAddress(publisher) === getAddress(f.publisher.account.address)) {
    await mined(f, f.rail.write.claimStream([f.key], { account: f.publisher.account }));
    return;
  }
  const nonce = await f.rail.read.nonces([publisher]);
  const { signature } = await signClaimStream({
    signer: f.publisher,
    domain: f.domain,
    streamId: f.streamId,
    nonce,
    deadline: 2n ** 48n,
    publisher,
  });
  await mined(
    f,
    f.rail.write.claimStreamWithSig([f.key, publisher, nonce, 2n ** 48n, signature], {
      account: f.relayer.account,
    }),
  );
}

const manifest = (f: RailFixture, tampered = false) =>
  sampleManifestPointer(f.streamId, { revision: tampered ? 2n : 1n });
const announcement = (f: RailFixture, tampered = false) =>
  sampleAnnouncementPointer(f.streamId, { sequence: tampered ? 2n : 1n });
const batch = (f: RailFixture, tampered = false) => ({
  manifests: [
    sampleManifestPointer(f.streamId, { epochId: 1n }),
    sampleManifestPointer(f.streamId, { epochId: 2n }),
  ],
  announcements: tampered ? [] : [announcement(f)],
});

const cases: SignedCase[] = [
  {
    name: "claimStreamWithSig",
    prepare: async () => {},
    sign: async (f, input) => (await signClaimStream({ ...input, streamId: f.streamId })).signature,
    submit: (f, publisher, nonce, deadline, signature, tampered) =>
      f.rail.write.claimStreamWithSig(
        [tampered ? { ...f.key, profile: "other" } : f.key, publisher, nonce, deadline, signature],
        { account: f.relayer.account },
      ),
    digest: (f, publisher, nonce, deadline, tampered) =>
      hashTypedData({
        domain: f.domain,
        types: railTypes,
        primaryType: "ClaimStream",
        message: {
          streamId: tampered ? streamIdOf({ ...f.key, profile: "other" }) : f.streamId,
          publisher,
          nonce,
          deadline,
        },
      }),
    events: (f, publisher) => [
      { eventName: "StreamClaimed", args: { streamId: f.streamId, publisher, key: f.key } },
    ],
  },
  {
    name: "publishManifestWithSig",
    prepare: claimFor,
    sign: async (f, input) =>
      (await signManifestPointer({ ...input, pointer: manifest(f) })).signature,
    submit: (f, publisher, nonce, deadline, signature, tampered) =>
      f.rail.write.publishManifestWithSig(
        [publisher, manifest(f, tampered), nonce, deadline, signature],
        { account: f.relayer.account },
      ),
    digest: (f, publisher, nonce, deadline, tampered) =>
      hashTypedData({
        domain: f.domain,
        types: railTypes,
        primaryType: "PublishManifest",
        message: { publisher, pointer: manifest(f, tampered), nonce, deadline },
      }),
    events: (f, publisher) => [
      { eventName: "ManifestPublished", args: { ...manifest(f), publisher } },
    ],
  },
  {
    name: "publishAnnouncementWithSig",
    prepare: claimFor,
    sign: async (f, input) =>
      (await signAnnouncementPointer({ ...input, pointer: announcement(f) })).signature,
    submit: (f, publisher, nonce, deadline, signature, tampered) =>
      f.rail.write.publishAnnouncementWithSig(
        [publisher, announcement(f, tampered), nonce, deadline, signature],
        { account: f.relayer.account },
      ),
    digest: (f, publisher, nonce, deadline, tampered) =>
      hashTypedData({
        domain: f.domain,
        types: railTypes,
        primaryType: "PublishAnnouncement",
        message: { publisher, pointer: announcement(f, tampered), nonce, deadline },
      }),
    events: (f, publisher) => [
      { eventName: "AnnouncementPublished", args: { ...announcement(f), publisher } },
    ],
  },
  {
    name: "publishBatchWithSig",
    prepare: claimFor,
    sign: async (f, input) => (await signPointerBatch({ ...input, ...batch(f) })).signature,
    submit: (f, publisher, nonce, deadline, signature, tampered) => {
      const b = batch(f, tampered);
      return f.rail.write.publishBatchWithSig(
        [publisher, b.manifests, b.announcements, nonce, deadline, signature],
        { account: f.relayer.account },
      );
    },
    digest: (f, publisher, nonce, deadline, tampered) =>
      hashTypedData({
        domain: f.domain,
        types: railTypes,
        primaryType: "PublishBatch",
        message: { publisher, ...batch(f, tampered), nonce, deadline },
      }),
    events: (f, publisher) => [
      ...batch(f).manifests.map((p) => ({
        eventName: "ManifestPublished",
        args: { ...p, publisher },
      })),
      ...batch(f).announcements.map((p) => ({
        eventName: "AnnouncementPublished",
        args: { ...p, publisher },
      })),
    ],
  },
];

describe("EveryChannelRail relayed signatures", function () {
  for (const c of cases) {
    describe(c.name, function () {
      // The claim needs an unclaimed stream; every other case a stream `publisher` holds.
      const setUp = () =>
        c.name === "claimStreamWithSig" ? deployRailFixture() : claimedRailFixture();

      it("accepts a signature relayed exactly at its deadline, by anyone, and uses the nonce", async function () {
        const f = await setUp();
        const publisher = f.publisher.account.address;
        const signature = await c.sign(f, {
          signer: f.publisher,
          domain: f.domain,
          nonce: 0n,
          deadline: DEADLINE,
          publisher,
        });
        await mined(f, f.rail.write.setTime([DEADLINE]));
        const receipt = await mined(f, c.submit(f, publisher, 0n, DEADLINE, signature));
        expectEvents(receipt, f.rail.abi, [
          { eventName: "NonceUsed", args: { account: publisher, nonce: 0n } },
          ...c.events(f, publisher),
        ]);
        expect(await f.rail.read.nonces([publisher])).to.equal(1n);
      });

      it("rejects a signature relayed one second after its deadline", async function () {
        const f = await setUp();
        const publisher = f.publisher.account.address;
        const signature = await c.sign(f, {
          signer: f.publisher,
          domain: f.domain,
          nonce: 0n,
          deadline: DEADLINE,
          publisher,
        });
        await mined(f, f.rail.write.setTime([DEADLINE + 1n]));
        await expectRevert(
          c.submit(f, publisher, 0n, DEADLINE, signature),
          f.rail.abi,
          "SignatureExpired",
          [DEADLINE, DEADLINE + 1n],
        );
      });

      it("rejects a replayed signature", async function () {
        const f = await setUp();
        const publisher = f.publisher.account.address;
        const signature = await c.sign(f, {
          signer: f.publisher,
          domain: f.domain,
          nonce: 0n,
          deadline: DEADLINE,
          publisher,
        });
        await mined(f, c.submit(f, publisher, 0n, DEADLINE, signature));
        await expectRevert(
          c.submit(f, publisher, 0n, DEADLINE, signature),
          f.rail.abi,
          "InvalidAccountNonce",
          [publisher, 1n],
        );
      });

      it("rejects a signature made with a nonce other than the current one", async function () {
        const f = await setUp();
        const publisher = f.publisher.account.address;
        const signature = await c.sign(f, {
          signer: f.publisher,
          domain: f.domain,
          nonce: 1n,
          deadline: DEADLINE,
          publisher,
        });
        await expectRevert(
          c.submit(f, publisher, 1n, DEADLINE, signature),
          f.rail.abi,
          "InvalidAccountNonce",
          [publisher, 0n],
        );
      });

      it("rejects a signature the publisher cancelled with cancelNonce", async function () {
        const f = await setUp();
        const publisher = f.publisher.account.address;
        const signature = await c.sign(f, {
          signer: f.publisher,
          domain: f.domain,
          nonce: 0n,
          deadline: DEADLINE,
          publisher,
        });
        await mined(f, f.rail.write.cancelNonce({ account: f.publisher.account }));
        await expectRevert(
          c.submit(f, publisher, 0n, DEADLINE, signature),
          f.rail.abi,
          "InvalidAccountNonce",
          [publisher, 1n],
        );
      });

      const wrongDomains: { label: string; domain: (f: RailFixture) => Promise<RailDomain> }[] = [
        {
          label: "another chain id",
          domain: async (f) => railDomain(1, f.rail.address),
        },
        {
          label: "another rail contract",
          domain: async (f) => {
            const second = await hre.viem.deployContract("TestEveryChannelRail");
            const domain = await readRailDomain(f.publicClient, { address: second.address });
            expect(domain.verifyingContract).to.not.equal(f.domain.verifyingContract);
            return domain;
          },
        },
        {
          label: "another domain version",
          domain: async (f) => ({ ...f.domain, version: "2" }) as unknown as RailDomain,
        },
        {
          label: "another domain name",
          domain: async (f) => ({ ...f.domain, name: "EAS" }) as unknown as RailDomain,
        },
      ];
      for (const wrong of wrongDomains) {
        it(`rejects a signature made for ${wrong.label}`, async function () {
          const f = await setUp();
          const publisher = f.publisher.account.address;
          const signature = await c.sign(f, {
            signer: f.publisher,
            domain: await wrong.domain(f),
            nonce: 0n,
            deadline: DEADLINE,
            publisher,
          });
          await expectRevert(
            c.submit(f, publisher, 0n, DEADLINE, signature),
            f.rail.abi,
            "InvalidSignature",
            [publisher, c.digest(f, publisher, 0n, DEADLINE)],
          );
        });
      }

      it("rejects a message whose contents were changed after signing", async function () {
        const f = await setUp();
        const publisher = f.publisher.account.address;
        const signature = await c.sign(f, {
          signer: f.publisher,
          domain: f.domain,
          nonce: 0n,
          deadline: DEADLINE,
          publisher,
        });
        await expectRevert(
          c.submit(f, publisher, 0n, DEADLINE, signature, true),
          f.rail.abi,
          "InvalidSignature",
          [publisher, c.digest(f, publisher, 0n, DEADLINE, true)],
        );
        await expectRevert(
          c.submit(f, publisher, 0n, DEADLINE + 1n, signature),
          f.rail.abi,
          "InvalidSignature",
          [publisher, c.digest(f, publisher, 0n, DEADLINE + 1n)],
        );
      });

      it("rejects a signature made by a key other than the named publisher", async function () {
        const f = await setUp();
        const publisher = f.publisher.account.address;
        const signature = await c.sign(f, {
          signer: f.other,
          domain: f.domain,
          nonce: 0n,
          deadline: DEADLINE,
          publisher,
        });
        await expectRevert(
          c.submit(f, publisher, 0n, DEADLINE, signature),
          f.rail.abi,
          "InvalidSignature",
          [publisher, c.digest(f, publisher, 0n, DEADLINE)],
        );
      });

      it("rejects malformed signatures", async function () {
        const f = await setUp();
        const publisher = f.publisher.account.address;
        const good = await c.sign(f, {
          signer: f.publisher,
          domain: f.domain,
          nonce: 0n,
          deadline: DEADLINE,
          publisher,
        });
        expect(size(good)).to.equal(65);
        for (const signature of ["0x", concat([good, "0x00"]), `0x${"00".repeat(65)}`] as Hex[]) {
          await expectRevert(
            c.submit(f, publisher, 0n, DEADLINE, signature),
            f.rail.abi,
            "InvalidSignature",
            [publisher, c.digest(f, publisher, 0n, DEADLINE)],
          );
        }
      });

      it("accepts an ERC-1271 wallet publisher's signature and rejects one its key did not make", async function () {
        const f = await deployRailFixture();
        const wallet = await hre.viem.deployContract("ERC1271WalletMock", [
          f.publisher.account.address,
        ]);
        await c.prepare(f, wallet.address);
        const nonce = await f.rail.read.nonces([wallet.address]);
        const forged = await c.sign(f, {
          signer: f.other,
          domain: f.domain,
          nonce,
          deadline: DEADLINE,
          publisher: wallet.address,
        });
        await expectRevert(
          c.submit(f, wallet.address, nonce, DEADLINE, forged),
          f.rail.abi,
          "InvalidSignature",
          [wallet.address, c.digest(f, wallet.address, nonce, DEADLINE)],
        );
        const signature = await c.sign(f, {
          signer: f.publisher,
          domain: f.domain,
          nonce,
          deadline: DEADLINE,
          publisher: wallet.address,
        });
        const receipt = await mined(f, c.submit(f, wallet.address, nonce, DEADLINE, signature));
        expectEvents(receipt, f.rail.abi, [
          { eventName: "NonceUsed", args: { account: wallet.address, nonce } },
          ...c.events(f, wallet.address),
        ]);
      });
    });
  }
});
