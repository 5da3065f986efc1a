// The exchange's intake of per-observation signatures over real HTTP on 127.0.0.1: what it refuses
// (naming the field), what it keeps once, its limits, and what survives a restart.
import { expect } from "chai";
import { readFile } from "node:fs/promises";
import path from "node:path";

import { ExchangeClient, ExchangeRequestError } from "../../lib/exchange/client";
import {
  httpRequest,
  signatureBody,
  signatureFile,
  startExchangeFixture,
  syntheticContent,
  type ExchangeFixture,
} from "./support";

describe("exchange: per-observation signatures over HTTP", function () {
  let f: ExchangeFixture;
  const post = (body: unknown, localAddress?: string) =>
    httpRequest(
      "POST",
      `${f.server.url}/v1/signatures`,
      typeof body === "string" ? body : JSON.stringify(body),
      { localAddress },
    );

  afterEach(async function () {
    await f.stop();
  });

  describe("with the default limits", function () {
    beforeEach(async function () {
      f = await startExchangeFixture();
    });

    it("accepts a witness's signature, hands it to the relayer, and keeps a replay once (208)", async function () {
      const file = await signatureFile(await f.wallet("witness1"), f.domain, syntheticContent(1));
      const first = await post(signatureBody(file));
      expect(first.status).to.equal(202);
      expect(first.json).to.deep.equal({
        status: "accepted",
        key: `${file.witness}:${file.slot}:${file.contentHash}`,
      });
      expect(f.relayer.pendingCount).to.equal(1);
      expect(f.relayer.counters.accepted).to.equal(1);
      const replays = await Promise.all([1, 2, 3].map(() => post(signatureBody(file))));
      expect(replays.map((r) => r.status)).to.deep.equal([208, 208, 208]);
      expect(replays[0]!.json.status).to.equal("duplicate");
      expect(f.relayer.counters.accepted).to.equal(1);
      const journal = (await readFile(path.join(f.dir, "exchange-journal.jsonl"), "utf8"))
        .trim()
        .split("\n");
      expect(journal).to.have.length(2); // the header and one signature
      const status = await new ExchangeClient({ url: f.server.url }).status();
      expect(status).to.include({ accepted: 1, duplicates: 3, refused: 0, relayerPending: 1 });
      expect(status.ledger).to.equal(f.domain.verifyingContract);
    });

    it("refuses malformed JSON, a missing field and an invalid field, naming the field", async function () {
      const file = await signatureFile(await f.wallet("witness1"), f.domain, syntheticContent(2));
      const body = signatureBody(file);
      const { signature: _signature, ...missing } = body;
      const cases: [unknown, string, RegExp][] = [
        ["{ not json", "$", /^\$: not JSON/],
        [missing, "signature", /^signature: Required/],
        [{ ...body, slot: "0x12" }, "slot", /^slot: must be 0x and 64 hex digits \(got "0x12"\)$/],
        [
          { ...body, content: { ...(body.content as object), observedUnixMs: "-1" } },
          "content.observedUnixMs",
          /^content\.observedUnixMs: expected a uint64/,
        ],
        [
          { ...body, contentHash: `0x${"ab".repeat(32)}` },
          "contentHash",
          /is not the content's hash/,
        ],
        [{ ...body, extra: 1 }, "$", /Unrecognized key\(s\) in object: 'extra'/],
      ];
      for (const [input, field, message] of cases) {
        const answer = await post(input);
        expect(answer.status, field).to.equal(400);
        expect(answer.json.field, field).to.equal(field);
        expect(answer.json.error, field).to.match(message);
      }
      expect(f.relayer.pendingCount).to.equal(0);
      expect((await new ExchangeClient({ url: f.server.url }).status()).refused).to.equal(
        cases.length,
      );
    });

    it("refuses a signature for another chain, another ledger, by a non-member, or forged, naming the field", async function () {
      const witness1 = await f.wallet("witness1");
      const content = syntheticContent(3);
      const wrongChain = await signatureFile(witness1, { ...f.domain, chainId: 1n }, content);
      const wrongLedger = await signatureFile(
        witness1,
        { ...f.domain, verifyingContract: f.registry.address },
        content,
      );
      const outsider = await signatureFile(await f.wallet("publisher"), f.domain, content);
      const good = await signatureFile(witness1, f.domain, content);
      const forged = { ...signatureBody(good), witness: f.named.witness2 };
      const signedForOtherChain = {
        ...signatureBody(wrongChain),
        chainId: f.domain.chainId.toString(),
      };
      const cases: [unknown, number, string, string][] = [
        [
          signatureBody(wrongChain),
          422,
          "chainId",
          `chainId: this exchange relays to chain ${f.domain.chainId} (got "1")`,
        ],
        [
          signatureBody(wrongLedger),
          422,
          "ledger",
          `ledger: this exchange relays to ledger ${f.domain.verifyingContract}`,
        ],
        [
          signatureBody(outsider),
          422,
          "witness",
          `witness: is not an active witness of the ledger's registry (got "${f.named.publisher}")`,
        ],
        [
          forged,
          422,
          "signature",
          `signature: is not ${f.named.witness2}'s signature over content ${good.contentHash}`,
        ],
        [
          signedForOtherChain,
          422,
          "signature",
          `signature: is not ${f.named.witness1}'s signature`,
        ],
      ];
      for (const [body, status, field, message] of cases) {
        const answer = await post(body);
        expect(answer.status, field).to.equal(status);
        expect(answer.json.field, field).to.equal(field);
        expect(answer.json.error as string, field).to.satisfy((m: string) => m.startsWith(message));
      }
      expect(f.relayer.pendingCount).to.equal(0);
      expect((await post(signatureBody(good))).status).to.equal(202);
    });

    it("answers unknown paths with 404 naming the path, and the client reports the field", async function () {
      const answer = await httpRequest("GET", `${f.server.url}/v2/signatures`);
      expect(answer.status).to.equal(404);
      expect(answer.json).to.deep.equal({
        error: "GET /v2/signatures: no such endpoint",
        field: "path",
      });
      const client = new ExchangeClient({ url: f.server.url });
      const file = await signatureFile(
        await f.wallet("witness1"),
        { ...f.domain, chainId: 5n },
        syntheticContent(4),
      );
      const error = await client.postSignature(file).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(ExchangeRequestError);
      expect((error as ExchangeRequestError).status).to.equal(422);
      expect((error as ExchangeRequestError).field).to.equal("chainId");
      expect((error as ExchangeRequestError).transient).to.equal(false);
    });

    it("keeps every accepted signature across a restart: replayed to the relayer, replays still 208", async function () {
      const wallets = await Promise.all(
        ["witness1", "witness2", "witness3"].map((n) => f.wallet(n)),
      );
      const files = [];
      for (let i = 0; i < 4; i++)
        for (const w of wallets)
          files.push(await signatureFile(w, f.domain, syntheticContent(10 + i)));
      const answers = await Promise.all(files.map((file) => post(signatureBody(file))));
      expect(answers.every((a) => a.status === 202)).to.equal(true);
      await f.restart();
      expect(f.log).to.include(
        `exchange: replayed ${path.join(f.dir, "exchange-journal.jsonl")}: 12 signatures, 0 proposals`,
      );
      const status = await new ExchangeClient({ url: f.server.url }).status();
      expect(status).to.include({ accepted: 12, journalRecords: 12, relayerPending: 12 });
      expect((await post(signatureBody(files[5]!))).status).to.equal(208);
    });
  });

  describe("with a small body limit and rate limit", function () {
    // The rate limits' clock stands still unless a test moves it: what passes does not depend on
    // how fast the host answers.
    let clock: number;
    beforeEach(async function () {
      clock = 1_000_000;
      f = await startExchangeFixture({
        maxBodyBytes: 4096,
        ratePerSecond: 5,
        burst: 10,
        clock: () => clock,
      });
    });

    it("refuses an oversized body with 413 naming the limit, keeping nothing", async function () {
      const file = await signatureFile(await f.wallet("witness1"), f.domain, syntheticContent(5));
      const big = JSON.stringify({ ...signatureBody(file), padding: "x".repeat(64 * 1024) });
      const answer = await post(big);
      expect(answer.status).to.equal(413);
      expect(answer.json).to.deep.equal({
        error: "request body exceeds the limit of 4096 bytes",
        field: "$",
      });
      expect(f.relayer.pendingCount).to.equal(0);
      expect((await post(signatureBody(file))).status).to.equal(202);
    });

    it("answers a flood from one client with 429 and Retry-After past its burst, and serves another client from its own bucket", async function () {
      const file = await signatureFile(await f.wallet("witness1"), f.domain, syntheticContent(6));
      const flood = await Promise.all(
        Array.from({ length: 60 }, () => post(signatureBody(file), "127.0.0.1")),
      );
      // The bucket holds 10 tokens and the clock stands still: exactly 10 pass.
      const limited = flood.filter((a) => a.status === 429);
      expect(flood.filter((a) => a.status !== 429)).to.have.length(10);
      expect(limited).to.have.length(50);
      expect(limited[0]!.headers["retry-after"]).to.match(/^[1-9][0-9]*$/);
      expect(limited[0]!.json.error).to.match(
        /^too many requests from this client; retry after \d+ s$/,
      );
      // Another client has its own bucket.
      const other = await f.wallet("witness2");
      const fromOther = await post(
        signatureBody(await signatureFile(other, f.domain, syntheticContent(6))),
        "127.0.0.2",
      );
      expect(fromOther.status).to.equal(202);
      expect((await post(signatureBody(file), "127.0.0.1")).status).to.equal(429);
      // A fifth of a second later the flooding client has one token again, and only one.
      clock += 200;
      expect((await post(signatureBody(file), "127.0.0.1")).status).to.not.equal(429);
      expect((await post(signatureBody(file), "127.0.0.1")).status).to.equal(429);
    });
  });
});
