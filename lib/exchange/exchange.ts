/**
 * The relayer's side of the exchange, without HTTP (`server.ts` puts it on the network): accepts
 * per-observation signatures and hands them to the relayer exactly as a signature file from its
 * folder, keeps the report proposals the relayer puts to the witnesses and the co-signatures they
 * answer with, and journals everything it accepts before it says so (`journal.ts`).
 *
 * Every submission is self-authenticating: an EIP-712 signature under the ledger's domain by an
 * active witness of its registry (`verify.ts`). A signature for another chain or ledger is refused
 * naming `chainId` or `ledger`; one by a signer that is not an active witness naming `witness`; a
 * signature that is not the named witness's naming `signature`. A submission accepted before (same
 * witness, slot and content; same witness and proposal) is a duplicate: answered, not kept twice.
 * Refusals of a proposal carry no signature: they are recorded for the relayer's log when they name
 * an active witness, and a later signature by that witness replaces its refusal.
 */
import type { Address, Hex, PublicClient } from "viem";

import {
  reportDigest,
  reportTypedData,
  type ObservationReport,
  type ReportTypedData,
} from "../ledger/report";
import {
  observationTypedData,
  type ObservationLedgerDomain,
  type ObservationTypedData,
} from "../ledger/typedData";
import type { CoSignResult, ReportSignature } from "../operator/cosign";
import { checkSignatureFile, type WitnessSignatureFile } from "../operator/signature-files";
import { ExchangeJournal, type JournalRecord } from "./journal";
import {
  coSignatureRequestSchema,
  ExchangeRefusal,
  firstIssue,
  PROPOSALS_SCHEMA,
  reportJson,
  reportJsonSchema,
  STATUS_SCHEMA,
  type AcceptedBody,
  type CoSignatureRequest,
  type ExchangeStatus,
  type Proposal,
  type ProposalList,
} from "./schema";
import { verifyWitnessSignature, type WitnessSet } from "./verify";

/** Where accepted per-observation signatures go: the relayer (`Relayer.offer`). */
export interface SignatureSink {
  offer(signature: WitnessSignatureFile, source: string): Promise<boolean>;
}

export type Refusal = Extract<CoSignResult, { signed: false }>;

export interface ExchangeParameters {
  client: PublicClient;
  domain: ObservationLedgerDomain;
  witnesses: WitnessSet;
  sink: SignatureSink;
  /** The journal file (created when missing). */
  journalFile: string;
  log: (line: string) => void;
  /** Signatures the relayer holds (for the status). */
  relayerPending?: () => number;
  now?: () => number;
}

interface ProposalState {
  readonly id: Hex;
  seq: number;
  readonly report: ObservationReport;
  quorum: number;
  deadlineUnixMs: number;
  open: boolean;
  readonly signatures: Map<Address, Hex>;
  readonly refusals: Map<Address, Refusal>;
}

/** What a proposal has gathered so far. */
export interface ProposalAnswers {
  readonly open: boolean;
  readonly signatures: readonly ReportSignature[];
  readonly refusals: readonly Refusal[];
}

export interface ProposeParameters {
  quorum: number;
  timeoutMs: number;
}

/** The exchange's state; `open` replays its journal. */
export class Exchange {
  private readonly accepted = new Set<string>();
  private readonly inflight = new Map<string, Promise<AcceptedBody>>();
  private readonly proposalsById = new Map<Hex, ProposalState>();
  private latestSeq = 0;
  /** Called whenever a proposal opens or gains an answer. */
  private readonly listeners = new Set<() => void>();
  private readonly counters = {
    accepted: 0,
    duplicates: 0,
    refused: 0,
    rateLimited: 0,
    coSignatures: 0,
    refusals: 0,
  };
  private readonly now: () => number;
  private closed = false;

  private constructor(
    private readonly p: ExchangeParameters,
    private readonly journal: ExchangeJournal,
  ) {
    this.now = p.now ?? Date.now;
  }

  /** Opens the journal and replays it: signatures go to the sink again, proposals come back. */
  static async open(parameters: ExchangeParameters): Promise<Exchange> {
    const { journal, records } = await ExchangeJournal.open(parameters.journalFile);
    const exchange = new Exchange(parameters, journal);
    await exchange.replay(records);
    return exchange;
  }

  get domain(): ObservationLedgerDomain {
    return this.p.domain;
  }

  /** Whether `close` was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** The journal's path. */
  get journalFile(): string {
    return this.journal.file;
  }

  private async replay(records: readonly JournalRecord[]): Promise<void> {
    let signatures = 0;
    for (const record of records) {
      if (record.kind === "signature") {
        const checked = checkSignatureFile(record.body);
        if (!checked.ok) {
          this.p.log(
            `exchange: ${this.journal.file}: a signature record: ${checked.field}: ${checked.problem}; skipped`,
          );
          continue;
        }
        const file = checked.file;
        if (this.foreign(file.chainId, file.ledger) !== undefined) continue; // another ledger's journal
        const key = signatureKey(file);
        if (this.accepted.has(key)) continue;
        this.accepted.add(key);
        this.counters.accepted += 1;
        signatures += 1;
        await this.p.sink.offer(file, "exchange journal");
      } else if (record.kind === "proposal") {
        const report = reportJsonSchema.safeParse(record.report);
        if (!report.success) continue;
        const existing = this.proposalsById.get(record.id as Hex);
        if (existing !== undefined) {
          Object.assign(existing, {
            seq: record.seq,
            quorum: record.quorum,
            deadlineUnixMs: record.deadlineUnixMs,
            open: true,
          });
        } else {
          this.proposalsById.set(record.id as Hex, {
            id: record.id as Hex,
            seq: record.seq,
            report: report.data,
            quorum: record.quorum,
            deadlineUnixMs: record.deadlineUnixMs,
            open: true,
            signatures: new Map(),
            refusals: new Map(),
          });
        }
        this.latestSeq = Math.max(this.latestSeq, record.seq);
      } else if (record.kind === "cosignature") {
        const proposal = this.proposalsById.get(record.id as Hex);
        const body = coSignatureRequestSchema.safeParse(record.body);
        if (proposal === undefined || !body.success) continue;
        this.record(proposal, body.data);
      } else {
        const proposal = this.proposalsById.get(record.id as Hex);
        if (proposal !== undefined) proposal.open = false;
      }
    }
    if (records.length > 0)
      this.p.log(
        `exchange: replayed ${this.journal.file}: ${signatures} signatures, ${this.proposalsById.size} proposals`,
      );
  }

  /** The field naming why (`chainId`, `ledger`) a submission is for another ledger, if it is. */
  private foreign(chainId: bigint, ledger: Address): ExchangeRefusal | undefined {
    const { domain } = this.p;
    if (chainId !== domain.chainId)
      return ExchangeRefusal.field(
        422,
        "chainId",
        chainId.toString(),
        `this exchange relays to chain ${domain.chainId}`,
      );
    if (ledger !== domain.verifyingContract)
      return ExchangeRefusal.field(
        422,
        "ledger",
        ledger,
        `this exchange relays to ledger ${domain.verifyingContract}`,
      );
    return undefined;
  }

  private async checkWitness(witness: Address): Promise<void> {
    if (!(await this.p.witnesses.isActive(witness)))
      throw ExchangeRefusal.field(
        422,
        "witness",
        witness,
        "is not an active witness of the ledger's registry",
      );
  }

  /** Refuses `signature` (422) unless it is `witness`'s over `typedData`, which signs `what`. */
  private async checkSignature(
    witness: Address,
    signature: Hex,
    typedData: ObservationTypedData | ReportTypedData,
    what: string,
  ): Promise<void> {
    const valid = await verifyWitnessSignature({
      client: this.p.client,
      witness,
      signature,
      typedData: typedData as never,
    });
    if (!valid)
      throw ExchangeRefusal.field(
        422,
        "signature",
        signature,
        `is not ${witness}'s signature over ${what} for this ledger`,
      );
  }

  private refused(error: unknown): never {
    if (error instanceof ExchangeRefusal) this.noteRefused();
    throw error;
  }

  /** Counts a request refused before it reached the exchange (not JSON, too large). */
  noteRefused(): void {
    this.counters.refused += 1;
  }

  /** Counts a request refused by the rate limits. */
  noteRateLimited(): void {
    this.counters.rateLimited += 1;
  }

  private ensureOpen(): void {
    if (this.closed) throw new ExchangeRefusal(409, "$", "the exchange is shutting down");
  }

  /**
   * Accepts a witness signature file's JSON (`POST /v1/signatures`): checks it, journals it, hands
   * it to the relayer. Throws `ExchangeRefusal` naming the field at fault.
   */
  async acceptSignature(json: unknown, source: string): Promise<AcceptedBody> {
    try {
      this.ensureOpen();
      const checked = checkSignatureFile(json);
      if (!checked.ok)
        throw ExchangeRefusal.field(400, checked.field, checked.value, checked.problem);
      const file = checked.file;
      const foreign = this.foreign(file.chainId, file.ledger);
      if (foreign !== undefined) throw foreign;
      await this.checkWitness(file.witness);
      await this.checkSignature(
        file.witness,
        file.signature,
        observationTypedData(this.p.domain, file.content),
        `content ${file.contentHash}`,
      );
      const key = signatureKey(file);
      return await this.once(key, async () => {
        await this.journal.append({ kind: "signature", body: json });
        this.accepted.add(key);
        this.counters.accepted += 1;
        await this.p.sink.offer(file, `${source} (exchange)`);
        return { status: "accepted", key };
      });
    } catch (error) {
      return this.refused(error);
    }
  }

  /** Runs `accept` once per key: a key accepted (or being accepted) is a duplicate. */
  private async once(key: string, accept: () => Promise<AcceptedBody>): Promise<AcceptedBody> {
    if (this.accepted.has(key)) {
      this.counters.duplicates += 1;
      return { status: "duplicate", key };
    }
    const running = this.inflight.get(key);
    if (running !== undefined) {
      await running;
      this.counters.duplicates += 1;
      return { status: "duplicate", key };
    }
    const promise = accept();
    this.inflight.set(key, promise);
    try {
      return await promise;
    } finally {
      this.inflight.delete(key);
    }
  }

  /**
   * Puts `report` to the witnesses (its id is its EIP-712 digest) until `timeoutMs` from now. A
   * report already proposed keeps its answers and is open again with the new quorum and deadline.
   */
  async propose(report: ObservationReport, parameters: ProposeParameters): Promise<Hex> {
    this.ensureOpen();
    const id = reportDigest(this.p.domain, report);
    const seq = this.latestSeq + 1;
    const deadlineUnixMs = this.now() + parameters.timeoutMs;
    await this.journal.append({
      kind: "proposal",
      id,
      seq,
      quorum: parameters.quorum,
      deadlineUnixMs,
      report: reportJson(report),
    });
    this.latestSeq = seq;
    const existing = this.proposalsById.get(id);
    if (existing !== undefined)
      Object.assign(existing, { seq, quorum: parameters.quorum, deadlineUnixMs, open: true });
    else
      this.proposalsById.set(id, {
        id,
        seq,
        report,
        quorum: parameters.quorum,
        deadlineUnixMs,
        open: true,
        signatures: new Map(),
        refusals: new Map(),
      });
    this.notify();
    return id;
  }

  /** Stops listing the proposal (the relayer stopped waiting for it). */
  async closeProposal(id: Hex): Promise<void> {
    const proposal = this.proposalsById.get(id);
    if (proposal === undefined || !proposal.open) return;
    proposal.open = false;
    await this.journal.append({ kind: "closed", id });
    this.notify();
  }

  /** What `id` has gathered. */
  answers(id: Hex): ProposalAnswers | undefined {
    const proposal = this.proposalsById.get(id);
    if (proposal === undefined) return undefined;
    return {
      open: proposal.open,
      signatures: [...proposal.signatures].map(([witness, signature]) => ({ witness, signature })),
      refusals: [...proposal.refusals.values()],
    };
  }

  /** The open proposals after `since` (and not answered by `witness`, when given). */
  proposals(query: { since?: number; witness?: Address } = {}): ProposalList {
    const now = this.now();
    const list: Proposal[] = [];
    for (const proposal of this.proposalsById.values()) {
      if (!proposal.open || proposal.deadlineUnixMs <= now) continue;
      if (proposal.seq <= (query.since ?? 0)) continue;
      if (
        query.witness !== undefined &&
        (proposal.signatures.has(query.witness) || proposal.refusals.has(query.witness))
      )
        continue;
      list.push({
        id: proposal.id,
        seq: proposal.seq,
        chainId: this.p.domain.chainId,
        ledger: this.p.domain.verifyingContract,
        quorum: proposal.quorum,
        deadlineUnixMs: proposal.deadlineUnixMs,
        report: proposal.report,
      });
    }
    list.sort((a, b) => a.seq - b.seq);
    return { schema: PROPOSALS_SCHEMA, latest: this.latestSeq, proposals: list };
  }

  /** `proposals(query)`, waiting up to `waitMs` for one when there is none (long poll). */
  async waitForProposals(
    query: { since?: number; witness?: Address },
    waitMs: number,
    signal?: AbortSignal,
  ): Promise<ProposalList> {
    const deadline = this.now() + waitMs;
    for (;;) {
      const list = this.proposals(query);
      const left = deadline - this.now();
      if (list.proposals.length > 0 || left <= 0 || this.closed || signal?.aborted === true)
        return list;
      await this.changed(left, signal);
    }
  }

  /** Resolves at the next change, after `ms`, or when `signal` aborts. */
  changed(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.listeners.delete(done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.listeners.add(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** Applies an accepted answer to `proposal`; whether it changed anything. */
  private record(proposal: ProposalState, body: CoSignatureRequest): boolean {
    if (proposal.signatures.has(body.witness)) return false;
    if (body.signed) {
      proposal.refusals.delete(body.witness);
      proposal.signatures.set(body.witness, body.signature);
      this.counters.coSignatures += 1;
      return true;
    }
    if (proposal.refusals.has(body.witness)) return false;
    proposal.refusals.set(body.witness, {
      signed: false,
      witness: body.witness,
      reason: body.reason,
      ...(body.slot === undefined ? {} : { slot: body.slot }),
    });
    this.counters.refusals += 1;
    return true;
  }

  /**
   * Accepts a witness's answer to proposal `id` (`POST /v1/proposals/<id>/cosignatures`). Throws
   * `ExchangeRefusal` naming the field at fault.
   */
  async acceptCoSignature(id: string, json: unknown, source: string): Promise<AcceptedBody> {
    try {
      this.ensureOpen();
      if (!/^0x[0-9a-f]{64}$/.test(id))
        throw ExchangeRefusal.field(
          400,
          "id",
          id,
          "must be 0x and 64 lower-case hex digits (a proposal's id)",
        );
      const proposal = this.proposalsById.get(id as Hex);
      if (proposal === undefined)
        throw ExchangeRefusal.field(404, "id", id, "is no proposal of this exchange");
      const parsed = coSignatureRequestSchema.safeParse(json);
      if (!parsed.success) {
        const { field, message } = firstIssue(parsed.error, json);
        throw new ExchangeRefusal(400, field, message);
      }
      const body = parsed.data;
      const foreign = this.foreign(body.chainId, body.ledger);
      if (foreign !== undefined) throw foreign;
      await this.checkWitness(body.witness);
      const key = `${id}:${body.witness}`;
      if (proposal.signatures.has(body.witness)) {
        if (!body.signed)
          throw ExchangeRefusal.field(
            409,
            "signed",
            false,
            `${body.witness} already signed proposal ${id}`,
          );
        this.counters.duplicates += 1;
        return { status: "duplicate", key };
      }
      if (!proposal.open)
        throw ExchangeRefusal.field(410, "id", id, "the relayer no longer waits for this proposal");
      if (body.signed) {
        await this.checkSignature(
          body.witness,
          body.signature,
          reportTypedData(this.p.domain, proposal.report),
          `report ${id}`,
        );
      } else if (proposal.refusals.has(body.witness)) {
        this.counters.duplicates += 1;
        return { status: "duplicate", key };
      }
      return await this.once(`${key}:${body.signed ? "signed" : "refused"}`, async () => {
        await this.journal.append({ kind: "cosignature", id, body: json });
        this.record(proposal, body);
        this.p.log(
          `exchange: ${source}: ${body.witness} ${body.signed ? "signed" : `refused (${body.reason})`} proposal ${id}`,
        );
        this.notify();
        return { status: "accepted", key };
      });
    } catch (error) {
      return this.refused(error);
    }
  }

  /** The counters of `GET /v1/status`. */
  status(): ExchangeStatus {
    let open = 0;
    const now = this.now();
    for (const proposal of this.proposalsById.values())
      if (proposal.open && proposal.deadlineUnixMs > now) open += 1;
    return {
      schema: STATUS_SCHEMA,
      chainId: this.p.domain.chainId,
      ledger: this.p.domain.verifyingContract,
      ...this.counters,
      openProposals: open,
      journalRecords: this.journal.size,
      ...(this.p.relayerPending === undefined ? {} : { relayerPending: this.p.relayerPending() }),
    };
  }

  /** Stops accepting, wakes every waiter and closes the journal. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.notify();
    await Promise.allSettled([...this.inflight.values()]);
    await this.journal.close();
  }
}

/** What a per-observation signature is filed under: witness, slot and content. */
export function signatureKey(file: WitnessSignatureFile): string {
  return `${file.witness}:${file.slot}:${file.contentHash}`;
}
