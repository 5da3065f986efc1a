import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import {
  getAddress,
  hashStruct,
  hashTypedData,
  keccak256,
  recoverTypedDataAddress,
  toHex,
  zeroAddress,
  zeroHash,
  type Hex,
  type TypedData,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { z } from "zod";

import { EveryChannelError, InvalidFieldError } from "../../lib/errors";
import { railDomain, readRailDomain } from "../../lib/rail/domain";
import { railEventsAbi } from "../../lib/rail/events";
import { manifestKey, railHistoryFromLogs } from "../../lib/rail/history";
import { announcementPointer, manifestPointer } from "../../lib/rail/pointer";
import {
  signAnnouncementPointer,
  signClaimStream,
  signManifestPointer,
  signPointerBatch,
} from "../../lib/rail/sign";
import { railTypeStrings, railTypes, type RailPrimaryType } from "../../lib/rail/typedData";
import { VECTOR_PRIVATE_KEY } from "../../scripts/rail-vectors";
import {
  FAR_DEADLINE,
  claimedRailFixture,
  deployRailFixture,
  expectEvents,
  mined,
  sampleAnnouncementPointer,
  sampleManifestPointer,
  word,
} from "./support";

const hex = z.string().regex(/^0x[0-9a-fA-F]*$/) as unknown as z.ZodType<Hex>;
const vectorFile = z.object({
  signer: hex,
  domain: z.object({
    name: z.literal("EveryChannelRail"),
    version: z.literal("1"),
    chainId: z.number().int().positive(),
    verifyingContract: hex,
  }),
  vectors: z.array(
    z.object({
      name: z.string(),
      primaryType: z.enum([
        "ClaimStream",
        "PublishManifest",
        "PublishAnnouncement",
        "PublishBatch",
      ]),
      typeString: z.string(),
      typeHash: hex,
      message: z.record(z.unknown()),
      structHash: hex,
      digest: hex,
      signature: hex,
    }),
  ),
});

/** Decimal strings of the JSON vectors back to bigints where the EIP-712 type is an integer. */
function revive(types: TypedData, type: string, value: unknown): unknown {
  if (type.endsWith("[]"))
    return (value as unknown[]).map((v) => revive(types, type.slice(0, -2), v));
  const fields = types[type];
  if (fields)
    return Object.fromEntries(
      fields.map((f) => [
        f.name,
        revive(types, f.type, (value as Record<string, unknown>)[f.name]),
      ]),
    );
  return /^u?int\d*$/.test(type) ? BigInt(value as string) : value;
}

/** EIP-712 `encodeType`, written from the specification, to check `railTypeStrings`. */
function encodeType(types: TypedData, primary: string): string {
  const deps = new Set<string>();
  const visit = (t: string) => {
    const base = t.replace(/\[\d*\]$/, "");
    if (!types[base] || deps.has(base)) return;
    deps.add(base);
    for (const f of types[base] ?? []) visit(f.type);
  };
  visit(primary);
  deps.delete(primary);
  const one = (t: string) =>
    `${t}(${(types[t] ?? []).map((f) => `${f.type} ${f.name}`).join(",")})`;
  return [primary, ...[...deps].sort()].map(one).join("");
}

describe("lib/rail", function () {
  describe("typed data", function () {
    it("declares for every message the type string the EIP-712 specification derives", function () {
      for (const name of Object.keys(railTypes) as (keyof typeof railTypes)[])
        expect(railTypeStrings[name], name).to.equal(
          encodeType(railTypes as unknown as TypedData, name),
        );
    });

    it("reproduces every checked-in vector: type hash, struct hash, digest and signature", async function () {
      const file = path.join(__dirname, "..", "..", "fixtures", "vectors", "rail-eip712.json");
      const data = vectorFile.parse(JSON.parse(readFileSync(file, "utf8")));
      const account = privateKeyToAccount(VECTOR_PRIVATE_KEY);
      expect(account.address).to.equal(data.signer);
      expect(data.vectors.map((v) => v.primaryType)).to.include.members([
        "ClaimStream",
        "PublishManifest",
        "PublishAnnouncement",
        "PublishBatch",
      ]);
      for (const v of data.vectors) {
        const types = railTypes as unknown as TypedData;
        const message = revive(types, v.primaryType, v.message) as Record<string, unknown>;
        const typed = {
          domain: data.domain,
          types,
          primaryType: v.primaryType as RailPrimaryType,
          message,
        };
        expect(v.typeString, v.name).to.equal(railTypeStrings[v.primaryType]);
        expect(v.typeHash, v.name).to.equal(keccak256(toHex(v.typeString)));
        expect(hashStruct({ types, primaryType: v.primaryType, data: message }), v.name).to.equal(
          v.structHash,
        );
        expect(hashTypedData(typed), v.name).to.equal(v.digest);
        expect(await account.signTypedData(typed), v.name).to.equal(v.signature);
        expect(
          await recoverTypedDataAddress({ ...typed, signature: v.signature }),
          v.name,
        ).to.equal(data.signer);
      }
    });
  });

  describe("events and history", function () {
    it("declares exactly the rail's events, as compiled (EIP712DomainChanged aside)", async function () {
      const artifact = await hre.artifacts.readArtifact("EveryChannelRail");
      const strip = (value: unknown): unknown =>
        Array.isArray(value)
          ? value.map(strip)
          : value !== null && typeof value === "object"
            ? Object.fromEntries(
                Object.entries(value)
                  .filter(([k]) => k !== "internalType")
                  .map(([k, v]) => [k, strip(v)]),
              )
            : value;
      const compiled = (artifact.abi as readonly { type: string; name?: string }[]).filter(
        (item) => item.type === "event" && item.name !== "EIP712DomainChanged",
      );
      const byName = (a: { name?: string }, b: { name?: string }) =>
        (a.name ?? "").localeCompare(b.name ?? "");
      expect(strip([...railEventsAbi].sort(byName))).to.deep.equal(
        strip([...compiled].sort(byName)),
      );
    });

    it("rebuilds streams, every pointer with its position and publisher, and nonces from the logs", async function () {
      const f = await claimedRailFixture();
      const first = sampleManifestPointer(f.streamId, { epochId: 3n });
      const second = sampleManifestPointer(f.streamId, { epochId: 3n, revision: 2n });
      await mined(f, f.rail.write.publishManifest([first], { account: f.publisher.account }));
      await mined(
        f,
        f.rail.write.proposePublisher([f.streamId, f.successor.account.address], {
          account: f.publisher.account,
        }),
      );
      await mined(f, f.rail.write.acceptPublisher([f.streamId], { account: f.successor.account }));
      const receipt = await mined(
        f,
        f.rail.write.publishBatch([[second], [sampleAnnouncementPointer(f.streamId)]], {
          account: f.successor.account,
        }),
      );
      await mined(f, f.rail.write.cancelNonce({ account: f.other.account }));
      const logs = await f.publicClient.getLogs({ address: f.rail.address, fromBlock: 0n });
      // Order of the input does not matter.
      const history = railHistoryFromLogs([...logs].reverse());
      expect(history.streams.get(f.streamId)).to.deep.equal({
        key: f.key,
        publisher: getAddress(f.successor.account.address),
        pendingPublisher: zeroAddress,
      });
      expect(history.manifests.map((m) => [m.revision, m.publisher])).to.deep.equal([
        [1n, getAddress(f.publisher.account.address)],
        [2n, getAddress(f.successor.account.address)],
      ]);
      expect(history.latestManifests.get(manifestKey(f.streamId, 3n))).to.deep.equal({
        ...second,
        publisher: getAddress(f.successor.account.address),
        blockNumber: receipt.blockNumber,
        logIndex: 0,
        transactionHash: receipt.transactionHash,
      });
      expect(history.announcements).to.have.length(1);
      expect(history.nonces.get(getAddress(f.other.account.address))).to.equal(1n);
    });

    it("refuses a rotation log of a stream whose claim is missing from the logs", async function () {
      const f = await claimedRailFixture();
      const receipt = await mined(
        f,
        f.rail.write.proposePublisher([f.streamId, f.other.account.address], {
          account: f.publisher.account,
        }),
      );
      const error = catchError(() => railHistoryFromLogs(receipt.logs));
      expect(error).to.be.instanceOf(InvalidFieldError);
      expect((error as InvalidFieldError).field).to.equal("streamId");
      expect((error as InvalidFieldError).value).to.equal(f.streamId);
    });
  });

  describe("domain", function () {
    it("reads the rail's domain through ERC-5267", async function () {
      const f = await deployRailFixture();
      expect(await readRailDomain(f.publicClient, { address: f.rail.address })).to.deep.equal({
        name: "EveryChannelRail",
        version: "1",
        chainId: 31337,
        verifyingContract: getAddress(f.rail.address),
      });
    });

    it("fails to read a domain from a contract without ERC-5267", async function () {
      const f = await deployRailFixture();
      const wallet = await hre.viem.deployContract("ERC1271WalletMock", [
        f.publisher.account.address,
      ]);
      let caught: unknown;
      try {
        await readRailDomain(f.publicClient, { address: wallet.address });
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(Error);
      expect(String(caught)).to.match(/eip712Domain/i);
    });

    it("rejects a chain id that is not a positive integer", function () {
      for (const chainId of [0, -1, 1.5, Number.NaN]) {
        const error = catchError(() => railDomain(chainId, zeroHash.slice(0, 42) as Hex));
        expect(error).to.be.instanceOf(InvalidFieldError);
        expect((error as InvalidFieldError).field).to.equal("chainId");
      }
    });
  });

  describe("pointer builders", function () {
    const valid = {
      streamId: word("s"),
      epochId: 1n,
      manifestBodyHash: word("b"),
      manifestEnvelopeHash: word("e"),
      dataRoot: word("d"),
      manifestId: word("m"),
      revision: 0n,
    };

    it("builds a manifest pointer, lower-casing hex and keeping the boundary integers", function () {
      const upper = { ...valid, streamId: `0x${valid.streamId.slice(2).toUpperCase()}` as Hex };
      expect(manifestPointer({ ...upper, epochId: 2n ** 64n - 1n })).to.deep.equal({
        ...valid,
        epochId: 2n ** 64n - 1n,
      });
    });

    it("names the field and value of every invalid manifest pointer input", function () {
      const cases: [Partial<typeof valid>, string][] = [
        [{ streamId: "0x12" }, "streamId"],
        [{ dataRoot: `0x${"zz".repeat(32)}` }, "dataRoot"],
        [{ epochId: -1n }, "epochId"],
        [{ revision: 2n ** 64n }, "revision"],
        [{ manifestBodyHash: zeroHash }, "manifestBodyHash"],
      ];
      for (const [override, field] of cases) {
        const error = catchError(() => manifestPointer({ ...valid, ...override }));
        expect(error, field).to.be.instanceOf(InvalidFieldError);
        expect(error).to.be.instanceOf(EveryChannelError);
        expect((error as InvalidFieldError).field).to.equal(field);
        expect((error as InvalidFieldError).value).to.equal(Object.values(override)[0]);
      }
    });

    it("builds an announcement pointer and names the field of every invalid input", function () {
      const ok = {
        streamId: word("s"),
        announcementHash: word("a"),
        descriptorHash: word("d"),
        sequence: 0n,
      };
      expect(announcementPointer(ok)).to.deep.equal(ok);
      const cases: [Partial<typeof ok>, string][] = [
        [{ announcementHash: zeroHash }, "announcementHash"],
        [{ descriptorHash: "0x" }, "descriptorHash"],
        [{ sequence: 2n ** 64n }, "sequence"],
        [{ sequence: -1n }, "sequence"],
      ];
      for (const [override, field] of cases) {
        const error = catchError(() => announcementPointer({ ...ok, ...override }));
        expect(error, field).to.be.instanceOf(InvalidFieldError);
        expect((error as InvalidFieldError).field).to.equal(field);
      }
    });
  });

  describe("signing", function () {
    it("signs the same bytes with a local account as the node does for the same key", async function () {
      const f = await deployRailFixture();
      // Hardhat's first default account: a well-known development key.
      const local = privateKeyToAccount(
        "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
      );
      expect(local.address).to.equal(getAddress(f.publisher.account.address));
      const pointer = sampleManifestPointer(f.streamId);
      const params = { domain: f.domain, pointer, nonce: 0n, deadline: FAR_DEADLINE };
      const fromNode = await signManifestPointer({ ...params, signer: f.publisher });
      const fromLocal = await signManifestPointer({ ...params, signer: local });
      expect(fromLocal).to.deep.equal(fromNode);
    });

    it("produces claims a relayer can submit for a local account that never sends a transaction", async function () {
      const f = await deployRailFixture();
      const local = privateKeyToAccount(VECTOR_PRIVATE_KEY);
      const signed = await signClaimStream({
        signer: local,
        domain: f.domain,
        streamId: f.streamId,
        nonce: 0n,
        deadline: FAR_DEADLINE,
      });
      expect(signed.message.publisher).to.equal(local.address);
      const receipt = await mined(
        f,
        f.rail.write.claimStreamWithSig(
          [f.key, local.address, 0n, FAR_DEADLINE, signed.signature],
          {
            account: f.relayer.account,
          },
        ),
      );
      expectEvents(receipt, f.rail.abi, [
        { eventName: "NonceUsed", args: { account: local.address, nonce: 0n } },
        {
          eventName: "StreamClaimed",
          args: { streamId: f.streamId, publisher: local.address, key: f.key },
        },
      ]);
    });

    it("refuses to sign an empty batch or out-of-range nonces and deadlines", async function () {
      const f = await deployRailFixture();
      const base = { signer: f.publisher, domain: f.domain, nonce: 0n, deadline: FAR_DEADLINE };
      const attempts: [Promise<unknown>, string][] = [
        [
          signPointerBatch({ ...base, manifests: [], announcements: [] }),
          "manifests/announcements",
        ],
        [signClaimStream({ ...base, streamId: "0x01" }), "streamId"],
        [signClaimStream({ ...base, streamId: f.streamId, nonce: -1n }), "nonce"],
        [
          signAnnouncementPointer({
            ...base,
            deadline: 2n ** 256n,
            pointer: {
              streamId: f.streamId,
              announcementHash: word("a"),
              descriptorHash: word("d"),
              sequence: 1n,
            },
          }),
          "deadline",
        ],
      ];
      for (const [attempt, field] of attempts) {
        let caught: unknown;
        try {
          await attempt;
        } catch (error) {
          caught = error;
        }
        expect(caught, field).to.be.instanceOf(InvalidFieldError);
        expect((caught as InvalidFieldError).field).to.equal(field);
      }
    });
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}
