// Report co-signing over the exchange, real HTTP on 127.0.0.1: the relayer's collector proposes,
// witnesses' client loops answer with their co-signers, the collector returns at quorum.
import { expect } from "chai";
import { recoverTypedDataAddress, type Address, type Hex } from "viem";

import { ExchangeClient } from "../../lib/exchange/client";
import { exchangeCollector } from "../../lib/exchange/collector";
import { COSIGNATURE_SCHEMA } from "../../lib/exchange/schema";
import { registryWitnesses } from "../../lib/exchange/verify";
import {
  runReportCoSigning,
  type ReportCoSigningCounters,
} from "../../lib/exchange/witness-client";
import { observationSlot } from "../../lib/commitments/observation";
import {
  reportDigest,
  reportOf,
  reportTypedData,
  signReport,
  type ObservationReport,
} from "../../lib/ledger/report";
import type { ObservationLedgerDomain } from "../../lib/ledger/typedData";
import type { ReportCoSigner } from "../../lib/operator/cosign";
import type { OperatorWallet } from "../../lib/operator/send";
import {
  httpRequest,
  startExchangeFixture,
  syntheticContent,
  type ExchangeFixture,
} from "./support";

/** A co-signer that signs every report (the witness node's stands in for it until it is wired). */
function signingCoSigner(wallet: OperatorWallet, domain: ObservationLedgerDomain): ReportCoSigner {
  return {
    witness: wallet.account.address,
    async coSign(report) {
      return {
        signed: true,
        witness: wallet.account.address,
        signature: await signReport(wallet, domain, report),
      };
    },
  };
}

/** A co-signer that refuses every report, naming its first slot. */
function refusingCoSigner(witness: Address): ReportCoSigner {
  return {
    witness,
    async coSign(report) {
      const slot = observationSlot(report.streamHash, report.entries[0]!.epochHash);
      return { signed: false, witness, slot, reason: `slot ${slot}: derived another content` };
    },
  };
}

function report(from: number, count: number): ObservationReport {
  return reportOf(Array.from({ length: count }, (_, i) => syntheticContent(from + i, 7)));
}

describe("exchange: co-signed reports over HTTP", function () {
  let f: ExchangeFixture;
  let stop: AbortController;
  let loops: Promise<ReportCoSigningCounters>[];

  beforeEach(async function () {
    f = await startExchangeFixture();
    stop = new AbortController();
    loops = [];
  });

  afterEach(async function () {
    stop.abort();
    await Promise.allSettled(loops);
    await f.stop();
  });

  const collector = () =>
    exchangeCollector({
      exchange: f.exchange,
      witnesses: registryWitnesses({ client: f.client, registry: f.registry }),
    });

  function run(coSigner: ReportCoSigner): void {
    loops.push(
      runReportCoSigning({
        client: new ExchangeClient({ url: f.server.url }),
        coSigner,
        domain: f.domain,
        log: () => undefined,
        signal: stop.signal,
        waitMs: 5_000,
      }),
    );
  }

  async function signers(): Promise<OperatorWallet[]> {
    return Promise.all(["witness1", "witness2", "witness3"].map((n) => f.wallet(n)));
  }

  it("three witnesses co-sign a proposal and the collector returns at quorum with their signatures", async function () {
    for (const w of await signers()) run(signingCoSigner(w, f.domain));
    const r = report(0, 16);
    const started = Date.now();
    const result = await collector().collect(r, { quorum: 3, timeoutMs: 20_000 });
    expect(Date.now() - started).to.be.below(10_000);
    expect(result.refusals).to.deep.equal([]);
    const witnesses = result.signatures.map((s) => s.witness).sort();
    expect(witnesses).to.deep.equal([f.named.witness1, f.named.witness2, f.named.witness3].sort());
    for (const { witness, signature } of result.signatures)
      expect(
        await recoverTypedDataAddress({ ...reportTypedData(f.domain, r), signature }),
      ).to.equal(witness);
    // Closed: no longer listed.
    expect((await new ExchangeClient({ url: f.server.url }).proposals({})).proposals).to.deep.equal(
      [],
    );
    // Two reports in a row: the loops answer the next one too.
    const next = await collector().collect(report(16, 4), { quorum: 2, timeoutMs: 20_000 });
    expect(next.signatures.length).to.be.at.least(2);
  });

  it("records a witness's refusal and returns once every active witness answered", async function () {
    const [w1, w2, w3] = await signers();
    run(signingCoSigner(w1!, f.domain));
    run(signingCoSigner(w2!, f.domain));
    run(refusingCoSigner(w3!.account.address));
    const r = report(100, 3);
    const started = Date.now();
    const result = await collector().collect(r, { quorum: 3, timeoutMs: 30_000 });
    expect(Date.now() - started).to.be.below(15_000); // not the timeout: everyone answered
    expect(result.signatures.map((s) => s.witness).sort()).to.deep.equal(
      [f.named.witness1, f.named.witness2].sort(),
    );
    const slot = observationSlot(r.streamHash, r.entries[0]!.epochHash);
    expect(result.refusals).to.deep.equal([
      {
        signed: false,
        witness: f.named.witness3,
        slot,
        reason: `slot ${slot}: derived another content`,
      },
    ]);
    expect(f.log).to.satisfy((lines: string[]) =>
      lines.some((l) =>
        l.includes(`${f.named.witness3} refused (slot ${slot}: derived another content)`),
      ),
    );
    expect((await new ExchangeClient({ url: f.server.url }).status()).refusals).to.equal(1);
  });

  it("returns what it has at the timeout when the quorum does not answer", async function () {
    const [w1] = await signers();
    run(signingCoSigner(w1!, f.domain));
    const started = Date.now();
    const result = await collector().collect(report(200, 2), { quorum: 2, timeoutMs: 1_500 });
    expect(Date.now() - started).to.be.at.least(1_400);
    expect(result.signatures.map((s) => s.witness)).to.deep.equal([f.named.witness1]);
    expect(result.refusals).to.deep.equal([]);
  });

  it("refuses co-signatures for another chain or ledger, by a non-member, forged, or for no proposal, naming the field; a replay is 208", async function () {
    const r = report(300, 2);
    const id = await f.exchange.propose(r, { quorum: 2, timeoutMs: 60_000 });
    const [w1] = await signers();
    const good = await signReport(w1!, f.domain, r);
    const body = (over: Record<string, unknown> = {}) =>
      JSON.stringify({
        schema: COSIGNATURE_SCHEMA,
        chainId: f.domain.chainId.toString(),
        ledger: f.domain.verifyingContract,
        witness: f.named.witness1,
        signed: true,
        signature: good,
        ...over,
      });
    const url = (proposal: string) => `${f.server.url}/v1/proposals/${proposal}/cosignatures`;
    const outsider = await f.wallet("publisher");
    const cases: [string, string, number, string, RegExp][] = [
      [id, "{", 400, "$", /^\$: not JSON/],
      [id, body({ signed: "yes" }), 400, "signed", /Invalid discriminator value/],
      [id, body({ chainId: "1" }), 422, "chainId", /^chainId: this exchange relays to chain/],
      [
        id,
        body({ ledger: f.registry.address }),
        422,
        "ledger",
        /^ledger: this exchange relays to ledger/,
      ],
      [
        id,
        body({
          witness: outsider.account.address,
          signature: await signReport(outsider, f.domain, r),
        }),
        422,
        "witness",
        /^witness: is not an active witness/,
      ],
      [
        id,
        body({ witness: f.named.witness2 }),
        422,
        "signature",
        /^signature: is not 0x[0-9a-fA-F]{40}'s signature over report/,
      ],
      [
        id,
        body({ signature: await signReport(w1!, { ...f.domain, chainId: 1n }, r) }),
        422,
        "signature",
        /^signature: is not/,
      ],
      [`0x${"11".repeat(32)}`, body(), 404, "id", /^id: is no proposal of this exchange/],
      ["0x12", body(), 400, "id", /^id: must be 0x and 64 lower-case hex digits/],
    ];
    for (const [proposal, text, status, field, message] of cases) {
      const answer = await httpRequest("POST", url(proposal), text);
      expect(answer.status, `${field}: ${JSON.stringify(answer.json)}`).to.equal(status);
      expect(answer.json.field, field).to.equal(field);
      expect(answer.json.error, field).to.match(message);
    }
    expect((await httpRequest("POST", url(id), body())).status).to.equal(202);
    expect((await httpRequest("POST", url(id), body())).status).to.equal(208);
    const refusal = body({ signed: false, signature: undefined, reason: "changed my mind" });
    const late = await httpRequest("POST", url(id), refusal);
    expect([late.status, late.json.field]).to.deep.equal([409, "signed"]);
    expect(f.exchange.answers(id)!.signatures).to.deep.equal([
      { witness: f.named.witness1, signature: good },
    ]);
    await f.exchange.closeProposal(id);
    const closed = await httpRequest(
      "POST",
      url(id),
      body({
        witness: f.named.witness2,
        signature: await signReport(await f.wallet("witness2"), f.domain, r),
      }),
    );
    expect([closed.status, closed.json.field]).to.deep.equal([410, "id"]);
    const bad = await httpRequest("GET", `${f.server.url}/v1/proposals?since=x`);
    expect([bad.status, bad.json.field]).to.deep.equal([400, "since"]);
  });

  it("keeps a proposal's co-signatures across a restart; proposing it again finds them", async function () {
    const r = report(400, 5);
    const collecting = collector().collect(r, { quorum: 2, timeoutMs: 60_000 });
    // Ends with an error once its exchange closes below.
    const ended = collecting.then(
      () => undefined,
      (error: unknown) => error,
    );
    const [w1, w2] = await signers();
    const id: Hex = reportDigest(f.domain, r);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const client = new ExchangeClient({ url: f.server.url });
    const listed = await client.proposals({ witness: f.named.witness1 });
    expect(listed.proposals.map((p) => p.id)).to.deep.equal([id]);
    expect(listed.proposals[0]!.report).to.deep.equal(r);
    await client.postCoSignature(id, f.domain, {
      signed: true,
      witness: w1!.account.address,
      signature: await signReport(w1!, f.domain, r),
    });
    expect((await client.proposals({ witness: f.named.witness1 })).proposals).to.deep.equal([]);
    await f.restart(); // the collector's wait is lost with its process...
    expect(String(await ended)).to.match(/the exchange closed while collecting/);
    run(signingCoSigner(w2!, f.domain));
    const again = await collector().collect(r, { quorum: 2, timeoutMs: 20_000 });
    expect(again.signatures.map((s) => s.witness).sort()).to.deep.equal(
      [f.named.witness1, f.named.witness2].sort(),
    );
  });
});
