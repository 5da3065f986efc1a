/**
 * Property: no pointer moves without its publisher's authority. Random sequences of claims,
 * rotations, nonce cancellations, and direct, relayed, batched and relayed-batched pointer updates by
 * random actors (some signing for others, some with wrong nonces) run against the production rail and
 * a model of who may do what. After every step the rail's publishers, pending publishers, pointers
 * and nonces equal the model's, every failure is the exact custom error the model predicts, and every
 * pointer event names the stream's publisher whose key authorized it.
 */
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import hre from "hardhat";
import {
  getAddress,
  hashTypedData,
  parseEventLogs,
  zeroAddress,
  zeroHash,
  type Address,
  type Hex,
} from "viem";

import { readRailDomain } from "../../lib/rail/domain";
import { manifestKey, railHistoryFromLogs } from "../../lib/rail/history";
import {
  signAnnouncementPointer,
  signClaimStream,
  signManifestPointer,
  signPointerBatch,
} from "../../lib/rail/sign";
import {
  railTypes,
  type AnnouncementPointer,
  type ManifestPointer,
} from "../../lib/rail/typedData";
import { expectRevert } from "../support/revert";
import {
  FAR_DEADLINE,
  sampleAnnouncementPointer,
  sampleManifestPointer,
  sampleStreamKey,
  streamIdOf,
} from "./support";

const ACTORS = 4;
const STREAMS = 2;
const EPOCHS = [0n, 1n] as const;
const UINT64_MAX = 2n ** 64n - 1n;

type Via = "direct" | "sig" | "batch" | "batchSig";
type Signed = { signer: number; ownSigner: boolean };
type Cmd =
  | ({
      kind: "claim";
      actor: number;
      stream: number;
      relayed: boolean;
      nonceDelta: bigint;
    } & Signed)
  | { kind: "propose"; actor: number; stream: number; target: number | null; role: boolean }
  | { kind: "accept"; actor: number; stream: number; role: boolean }
  | { kind: "cancel"; actor: number }
  | ({
      kind: "manifest";
      actor: number;
      role: boolean;
      stream: number;
      epoch: bigint;
      revision: bigint;
      via: Via;
      nonceDelta: bigint;
    } & Signed)
  | ({
      kind: "announcement";
      actor: number;
      role: boolean;
      stream: number;
      sequence: bigint;
      via: Via;
      nonceDelta: bigint;
    } & Signed)
  | ({
      kind: "batchMany";
      actor: number;
      role: boolean;
      /** The stream whose publisher acts when `role` is set, and of the items whose stream is -1. */
      stream: number;
      manifests: { stream: number; epoch: bigint; revision: bigint }[];
      announcements: { stream: number; sequence: bigint }[];
      via: "batch" | "batchSig";
      nonceDelta: bigint;
    } & Signed);

const actor = fc.integer({ min: 0, max: ACTORS - 1 });
const stream = fc.integer({ min: 0, max: STREAMS - 1 });
const counter = fc.oneof(
  fc.constantFrom(0n, 1n, UINT64_MAX - 1n, UINT64_MAX),
  fc.bigInt({ min: 0n, max: 6n }),
);
const via = fc.constantFrom<Via>("direct", "sig", "batch", "batchSig");
// Mostly the current nonce, sometimes one ahead.
const nonceDelta = fc.oneof(
  { weight: 6, arbitrary: fc.constant(0n) },
  { weight: 1, arbitrary: fc.constant(1n) },
);
// Most commands are made by the account that holds the role they need (the stream's publisher, the
// proposed publisher), so that sequences reach deep states; the rest by a random actor.
const role = fc.oneof(
  { weight: 3, arbitrary: fc.constant(true) },
  { weight: 1, arbitrary: fc.constant(false) },
);
// The signer is mostly the named actor, sometimes somebody else (`ownSigner` false: `other` signs).
function withSigner<T extends { actor: number }>(arb: fc.Arbitrary<T>): fc.Arbitrary<T & Signed> {
  return fc
    .tuple(
      arb,
      fc.oneof(
        { weight: 4, arbitrary: fc.constant(true) },
        { weight: 1, arbitrary: fc.constant(false) },
      ),
      actor,
    )
    .map(([cmd, ownSigner, other]) => ({ ...cmd, signer: other, ownSigner }));
}

const claimCommand = withSigner(
  fc.record({
    kind: fc.constant("claim" as const),
    actor,
    stream,
    relayed: fc.boolean(),
    nonceDelta,
  }),
);

const manifestCommand = withSigner(
  fc.record({
    kind: fc.constant("manifest" as const),
    actor,
    role,
    stream,
    epoch: fc.constantFrom(...EPOCHS),
    revision: counter,
    via,
    nonceDelta,
  }),
);

const announcementCommand = withSigner(
  fc.record({
    kind: fc.constant("announcement" as const),
    actor,
    role,
    stream,
    sequence: counter,
    via,
    nonceDelta,
  }),
);

// A batch item's stream: mostly the command's own stream (-1), sometimes any stream.
const itemStream = fc.oneof(
  { weight: 3, arbitrary: fc.constant(-1) },
  { weight: 1, arbitrary: stream },
);

// Batches of 0 (rejected) to 4 manifests and 0 to 3 announcements, over any streams and epochs,
// duplicates included (the second of two equal revisions in one batch is stale).
const batchManyCommand = withSigner(
  fc.record({
    kind: fc.constant("batchMany" as const),
    actor,
    role,
    stream,
    manifests: fc.array(
      fc.record({ stream: itemStream, epoch: fc.constantFrom(...EPOCHS), revision: counter }),
      { maxLength: 4 },
    ),
    announcements: fc.array(fc.record({ stream: itemStream, sequence: counter }), {
      maxLength: 3,
    }),
    via: fc.constantFrom("batch" as const, "batchSig" as const),
    nonceDelta,
  }),
);

const command: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 1, arbitrary: claimCommand },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("propose" as const),
      actor,
      stream,
      target: fc.option(actor, { nil: null, freq: 4 }),
      role,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("accept" as const), actor, stream, role }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("cancel" as const), actor }) },
  { weight: 3, arbitrary: manifestCommand },
  { weight: 3, arbitrary: announcementCommand },
  { weight: 2, arbitrary: batchManyCommand },
);

/** A run: a few first claims (possibly none), then random commands (possibly none). */
const run = fc
  .tuple(fc.array(claimCommand, { maxLength: STREAMS }), fc.array(command, { maxLength: 16 }))
  .map(([claims, rest]) => [...claims, ...rest]);

async function deploy() {
  const rail = await hre.viem.deployContract("EveryChannelRail");
  const publicClient = await hre.viem.getPublicClient();
  const wallets = await hre.viem.getWalletClients();
  const actors = wallets.slice(0, ACTORS);
  const relayer = wallets[ACTORS];
  if (actors.length !== ACTORS || !relayer) throw new Error("hardhat accounts missing");
  const domain = await readRailDomain(publicClient, { address: rail.address });
  return { rail, publicClient, actors, relayer, domain };
}

type Model = {
  publisher: Address[];
  pending: Address[];
  manifests: Map<string, { hash: Hex; revision: bigint }>;
  announcements: ({ hash: Hex; sequence: bigint } | undefined)[];
  nonces: bigint[];
  /** How many manifest and announcement pointers moved so far. */
  published: { manifests: number; announcements: number };
};

type Expected = { ok: true } | { ok: false; error: string; args: readonly unknown[] };

describe("EveryChannelRail properties", function () {
  it("never moves a pointer without its publisher's authority", async function () {
    const keys = Array.from({ length: STREAMS }, (_, i) => sampleStreamKey(i));
    const ids = keys.map(streamIdOf);

    await fc.assert(
      fc.asyncProperty(run, async (cmds) => {
        const f = await loadFixture(deploy);
        const addr = f.actors.map((a) => getAddress(a.account.address));
        const model: Model = {
          publisher: ids.map(() => zeroAddress),
          pending: ids.map(() => zeroAddress),
          manifests: new Map(),
          announcements: ids.map(() => undefined),
          nonces: addr.map(() => 0n),
          published: { manifests: 0, announcements: 0 },
        };
        const wallet = (i: number) => {
          const w = f.actors[i];
          if (!w) throw new Error(`no actor ${i}`);
          return w;
        };
        const at = (i: number): Address => addr[i] ?? zeroAddress;

        // Resolves who acts: the role holder when the command asks for it and someone holds it.
        const resolve = (raw: Cmd): Cmd => {
          let acting = raw.actor;
          if ("role" in raw && raw.role) {
            const holder =
              raw.kind === "accept" ? model.pending[raw.stream] : model.publisher[raw.stream];
            const index = addr.indexOf(holder ?? zeroAddress);
            if (index >= 0) acting = index;
          }
          const resolved = { ...raw, actor: acting };
          if ("ownSigner" in resolved && resolved.ownSigner) resolved.signer = acting;
          return resolved;
        };

        for (const raw of cmds) {
          const cmd = resolve(raw);
          const before = model.publisher.slice();
          let expected: Expected = { ok: true };
          let send: () => Promise<Hex> = () => Promise.reject(new Error(`unhandled ${cmd.kind}`));
          let sender: Address = at(cmd.actor);

          // The checks a relayed message passes before its pointers are applied, in contract order.
          const relayChecks = (
            named: number,
            signer: number,
            nonce: bigint,
            digest: Hex,
          ): Expected => {
            const current = model.nonces[named] ?? 0n;
            if (nonce !== current)
              return { ok: false, error: "InvalidAccountNonce", args: [at(named), current] };
            if (signer !== named)
              return { ok: false, error: "InvalidSignature", args: [at(named), digest] };
            return { ok: true };
          };
          const authority = (s: number, account: Address): Expected => {
            const p = model.publisher[s] ?? zeroAddress;
            if (p === zeroAddress) return { ok: false, error: "StreamNotClaimed", args: [ids[s]] };
            if (p !== account)
              return { ok: false, error: "NotPublisher", args: [ids[s], account, p] };
            return { ok: true };
          };
          const chain = (...steps: (() => Expected)[]): Expected => {
            for (const step of steps) {
              const r = step();
              if (!r.ok) return r;
            }
            return { ok: true };
          };

          switch (cmd.kind) {
            case "claim": {
              const id = ids[cmd.stream] as Hex;
              const key = keys[cmd.stream] as (typeof keys)[number];
              const claimedBy = model.publisher[cmd.stream] ?? zeroAddress;
              const already = (): Expected =>
                claimedBy === zeroAddress
                  ? { ok: true }
                  : { ok: false, error: "StreamAlreadyClaimed", args: [id, claimedBy] };
              if (!cmd.relayed) {
                expected = already();
                send = () =>
                  f.rail.write.claimStream([key], { account: wallet(cmd.actor).account });
              } else {
                const nonce = (model.nonces[cmd.actor] ?? 0n) + cmd.nonceDelta;
                const message = {
                  streamId: id,
                  publisher: at(cmd.actor),
                  nonce,
                  deadline: FAR_DEADLINE,
                };
                const digest = hashTypedData({
                  domain: f.domain,
                  types: railTypes,
                  primaryType: "ClaimStream",
                  message,
                });
                expected = chain(() => relayChecks(cmd.actor, cmd.signer, nonce, digest), already);
                const { signature } = await signClaimStream({
                  signer: wallet(cmd.signer),
                  domain: f.domain,
                  streamId: id,
                  nonce,
                  deadline: FAR_DEADLINE,
                  publisher: at(cmd.actor),
                });
                sender = getAddress(f.relayer.account.address);
                send = () =>
                  f.rail.write.claimStreamWithSig(
                    [key, at(cmd.actor), nonce, FAR_DEADLINE, signature],
                    {
                      account: f.relayer.account,
                    },
                  );
              }
              if (expected.ok) {
                model.publisher[cmd.stream] = at(cmd.actor);
                if (cmd.relayed) model.nonces[cmd.actor] = (model.nonces[cmd.actor] ?? 0n) + 1n;
              }
              break;
            }
            case "propose": {
              const target = cmd.target === null ? zeroAddress : at(cmd.target);
              expected = authority(cmd.stream, at(cmd.actor));
              send = () =>
                f.rail.write.proposePublisher([ids[cmd.stream] as Hex, target], {
                  account: wallet(cmd.actor).account,
                });
              if (expected.ok) model.pending[cmd.stream] = target;
              break;
            }
            case "accept": {
              const pending = model.pending[cmd.stream] ?? zeroAddress;
              expected =
                pending !== zeroAddress && pending === at(cmd.actor)
                  ? { ok: true }
                  : {
                      ok: false,
                      error: "NotPendingPublisher",
                      args: [ids[cmd.stream], at(cmd.actor), pending],
                    };
              send = () =>
                f.rail.write.acceptPublisher([ids[cmd.stream] as Hex], {
                  account: wallet(cmd.actor).account,
                });
              if (expected.ok) {
                model.publisher[cmd.stream] = pending;
                model.pending[cmd.stream] = zeroAddress;
              }
              break;
            }
            case "cancel": {
              send = () => f.rail.write.cancelNonce({ account: wallet(cmd.actor).account });
              model.nonces[cmd.actor] = (model.nonces[cmd.actor] ?? 0n) + 1n;
              break;
            }
            case "batchMany": {
              const own = (s: number) => (s < 0 ? cmd.stream : s);
              const items = {
                manifests: cmd.manifests.map((m) => ({ ...m, stream: own(m.stream) })),
                announcements: cmd.announcements.map((a) => ({ ...a, stream: own(a.stream) })),
              };
              const manifests = items.manifests.map((m) =>
                sampleManifestPointer(ids[m.stream] as Hex, {
                  epochId: m.epoch,
                  revision: m.revision,
                }),
              );
              const announcements = items.announcements.map((a) =>
                sampleAnnouncementPointer(ids[a.stream] as Hex, { sequence: a.sequence }),
              );
              const named = at(cmd.actor);
              const nonce = (model.nonces[cmd.actor] ?? 0n) + cmd.nonceDelta;
              // The batch applied to a copy of the model, pointer by pointer, as the contract does.
              const nextManifests = new Map(model.manifests);
              const nextAnnouncements = model.announcements.slice();
              const applyAll = (): Expected => {
                if (manifests.length === 0 && announcements.length === 0)
                  return { ok: false, error: "EmptyBatch", args: [] };
                for (const [i, m] of manifests.entries()) {
                  const s = items.manifests[i]?.stream ?? 0;
                  const auth = authority(s, named);
                  if (!auth.ok) return auth;
                  const stored = nextManifests.get(`${s}/${m.epochId}`);
                  if (stored && m.revision <= stored.revision)
                    return {
                      ok: false,
                      error: "StaleManifestRevision",
                      args: [m.streamId, m.epochId, m.revision, stored.revision],
                    };
                  nextManifests.set(`${s}/${m.epochId}`, {
                    hash: m.manifestBodyHash,
                    revision: m.revision,
                  });
                }
                for (const [i, a] of announcements.entries()) {
                  const s = items.announcements[i]?.stream ?? 0;
                  const auth = authority(s, named);
                  if (!auth.ok) return auth;
                  const stored = nextAnnouncements[s];
                  if (stored && a.sequence <= stored.sequence)
                    return {
                      ok: false,
                      error: "StaleAnnouncementSequence",
                      args: [a.streamId, a.sequence, stored.sequence],
                    };
                  nextAnnouncements[s] = { hash: a.announcementHash, sequence: a.sequence };
                }
                return { ok: true };
              };
              if (cmd.via === "batch") {
                expected = applyAll();
                send = () =>
                  f.rail.write.publishBatch([manifests, announcements], {
                    account: wallet(cmd.actor).account,
                  });
              } else {
                // Signed directly with the typed data, since the library refuses to sign empty batches.
                const typed = {
                  domain: f.domain,
                  types: railTypes,
                  primaryType: "PublishBatch" as const,
                  message: {
                    publisher: named,
                    manifests,
                    announcements,
                    nonce,
                    deadline: FAR_DEADLINE,
                  },
                };
                const digest = hashTypedData(typed);
                const signature = await wallet(cmd.signer).signTypedData(typed);
                expected = chain(() => relayChecks(cmd.actor, cmd.signer, nonce, digest), applyAll);
                sender = getAddress(f.relayer.account.address);
                send = () =>
                  f.rail.write.publishBatchWithSig(
                    [named, manifests, announcements, nonce, FAR_DEADLINE, signature],
                    { account: f.relayer.account },
                  );
              }
              if (expected.ok) {
                if (cmd.via === "batchSig")
                  model.nonces[cmd.actor] = (model.nonces[cmd.actor] ?? 0n) + 1n;
                model.manifests = nextManifests;
                model.announcements = nextAnnouncements;
                model.published.manifests += manifests.length;
                model.published.announcements += announcements.length;
              }
              break;
            }
            case "manifest":
            case "announcement": {
              const id = ids[cmd.stream] as Hex;
              const manifest: ManifestPointer | undefined =
                cmd.kind === "manifest"
                  ? sampleManifestPointer(id, { epochId: cmd.epoch, revision: cmd.revision })
                  : undefined;
              const announcement: AnnouncementPointer | undefined =
                cmd.kind === "announcement"
                  ? sampleAnnouncementPointer(id, { sequence: cmd.sequence })
                  : undefined;
              const mkey = `${cmd.stream}/${cmd.kind === "manifest" ? cmd.epoch : ""}`;
              const fresh = (): Expected => {
                if (manifest) {
                  const stored = model.manifests.get(mkey);
                  if (stored && manifest.revision <= stored.revision)
                    return {
                      ok: false,
                      error: "StaleManifestRevision",
                      args: [id, manifest.epochId, manifest.revision, stored.revision],
                    };
                } else if (announcement) {
                  const stored = model.announcements[cmd.stream];
                  if (stored && announcement.sequence <= stored.sequence)
                    return {
                      ok: false,
                      error: "StaleAnnouncementSequence",
                      args: [id, announcement.sequence, stored.sequence],
                    };
                }
                return { ok: true };
              };
              const manifests = manifest ? [manifest] : [];
              const announcements = announcement ? [announcement] : [];
              const nonce = (model.nonces[cmd.actor] ?? 0n) + cmd.nonceDelta;
              const named = at(cmd.actor);
              const signer = wallet(cmd.signer);
              const common = {
                signer,
                domain: f.domain,
                nonce,
                deadline: FAR_DEADLINE,
                publisher: named,
              };
              const relayed = cmd.via === "sig" || cmd.via === "batchSig";
              if (relayed) sender = getAddress(f.relayer.account.address);
              const own = () => authority(cmd.stream, named);
              switch (cmd.via) {
                case "direct":
                  expected = chain(own, fresh);
                  send = () =>
                    manifest
                      ? f.rail.write.publishManifest([manifest], {
                          account: wallet(cmd.actor).account,
                        })
                      : f.rail.write.publishAnnouncement([announcement as AnnouncementPointer], {
                          account: wallet(cmd.actor).account,
                        });
                  break;
                case "batch":
                  expected = chain(own, fresh);
                  send = () =>
                    f.rail.write.publishBatch([manifests, announcements], {
                      account: wallet(cmd.actor).account,
                    });
                  break;
                case "sig": {
                  const signed = manifest
                    ? await signManifestPointer({ ...common, pointer: manifest })
                    : await signAnnouncementPointer({
                        ...common,
                        pointer: announcement as AnnouncementPointer,
                      });
                  // The digest the rail computes is the one the named publisher would have signed.
                  const digest = signed.digest;
                  expected = chain(
                    own,
                    () => relayChecks(cmd.actor, cmd.signer, nonce, digest),
                    fresh,
                  );
                  send = () =>
                    manifest
                      ? f.rail.write.publishManifestWithSig(
                          [named, manifest, nonce, FAR_DEADLINE, signed.signature],
                          { account: f.relayer.account },
                        )
                      : f.rail.write.publishAnnouncementWithSig(
                          [
                            named,
                            announcement as AnnouncementPointer,
                            nonce,
                            FAR_DEADLINE,
                            signed.signature,
                          ],
                          { account: f.relayer.account },
                        );
                  break;
                }
                case "batchSig": {
                  const signed = await signPointerBatch({ ...common, manifests, announcements });
                  expected = chain(
                    () => relayChecks(cmd.actor, cmd.signer, nonce, signed.digest),
                    own,
                    fresh,
                  );
                  send = () =>
                    f.rail.write.publishBatchWithSig(
                      [named, manifests, announcements, nonce, FAR_DEADLINE, signed.signature],
                      { account: f.relayer.account },
                    );
                  break;
                }
              }
              if (expected.ok) {
                if (relayed) model.nonces[cmd.actor] = (model.nonces[cmd.actor] ?? 0n) + 1n;
                if (manifest) model.published.manifests += 1;
                if (announcement) model.published.announcements += 1;
                if (manifest)
                  model.manifests.set(mkey, {
                    hash: manifest.manifestBodyHash,
                    revision: manifest.revision,
                  });
                if (announcement)
                  model.announcements[cmd.stream] = {
                    hash: announcement.announcementHash,
                    sequence: announcement.sequence,
                  };
              }
              break;
            }
          }

          if (expected.ok) {
            const receipt = await f.publicClient.waitForTransactionReceipt({ hash: await send() });
            expect(receipt.status).to.equal("success");
            expect(getAddress(receipt.from)).to.equal(sender);
            for (const log of parseEventLogs({ abi: f.rail.abi, logs: receipt.logs })) {
              if (
                log.eventName === "ManifestPublished" ||
                log.eventName === "AnnouncementPublished"
              ) {
                // The event names the stream's publisher as it was before the step: the key that authorized it.
                const s = ids.indexOf(log.args.streamId);
                expect(getAddress(log.args.publisher)).to.equal(before[s]);
                expect(at(cmd.actor)).to.equal(before[s]);
              }
            }
          } else {
            await expectRevert(send(), f.rail.abi, expected.error, expected.args);
          }

          for (let s = 0; s < STREAMS; s++) {
            const id = ids[s] as Hex;
            expect(await f.rail.read.publisherOf([id])).to.equal(model.publisher[s]);
            expect(await f.rail.read.pendingPublisherOf([id])).to.equal(model.pending[s]);
            const a = await f.rail.read.latestAnnouncement([id]);
            const ma = model.announcements[s];
            expect({ hash: a.announcementHash, sequence: a.sequence }).to.deep.equal(
              ma ? { hash: ma.hash, sequence: ma.sequence } : { hash: zeroHash, sequence: 0n },
            );
            for (const epoch of EPOCHS) {
              const m = await f.rail.read.latestManifest([id, epoch]);
              const mm = model.manifests.get(`${s}/${epoch}`);
              expect({ hash: m.manifestBodyHash, revision: m.revision }).to.deep.equal(
                mm ? { hash: mm.hash, revision: mm.revision } : { hash: zeroHash, revision: 0n },
              );
            }
          }
          for (let i = 0; i < ACTORS; i++)
            expect(await f.rail.read.nonces([at(i)])).to.equal(model.nonces[i]);
        }

        // The logs alone rebuild the same state, and name a publisher for every pointer ever moved.
        const history = railHistoryFromLogs(
          await f.publicClient.getLogs({ address: f.rail.address, fromBlock: 0n }),
        );
        for (let s = 0; s < STREAMS; s++) {
          const id = ids[s] as Hex;
          const record = history.streams.get(id);
          expect(record?.publisher ?? zeroAddress).to.equal(model.publisher[s]);
          expect(record?.pendingPublisher ?? zeroAddress).to.equal(model.pending[s]);
          if (record) expect(record.key).to.deep.equal(keys[s]);
          const a = history.latestAnnouncements.get(id);
          expect(a ? { hash: a.announcementHash, sequence: a.sequence } : undefined).to.deep.equal(
            model.announcements[s],
          );
          for (const epoch of EPOCHS) {
            const m = history.latestManifests.get(manifestKey(id, epoch));
            expect(
              m ? { hash: m.manifestBodyHash, revision: m.revision } : undefined,
            ).to.deep.equal(model.manifests.get(`${s}/${epoch}`));
          }
        }
        for (let i = 0; i < ACTORS; i++)
          expect(history.nonces.get(at(i)) ?? 0n).to.equal(model.nonces[i]);
        expect(history.manifests.length).to.equal(model.published.manifests);
        expect(history.announcements.length).to.equal(model.published.announcements);
      }),
      { numRuns: 200 },
    );
  });
});
