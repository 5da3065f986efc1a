/**
 * A client of the relayer's exchange (`server.ts`, `docs/exchange.md`): what a witness node uses to
 * post its signatures and answer report proposals. Answers are checked with the same schemas the
 * server writes them with; a refusal becomes an `ExchangeRequestError` carrying the HTTP status, the
 * field the server named and, for 429, how long to wait.
 */
import type { Address, Hex } from "viem";

import { EveryChannelError, InvalidFieldError } from "../errors";
import type { CoSignResult } from "../operator/cosign";
import { signatureFileJson, type WitnessSignatureFile } from "../operator/signature-files";
import {
  acceptedSchema,
  COSIGNATURE_SCHEMA,
  errorBodySchema,
  exchangeStatusSchema,
  proposalListSchema,
  type AcceptedBody,
  type ExchangeStatus,
  type ProposalList,
} from "./schema";
import type { ObservationLedgerDomain } from "../ledger/typedData";
import type { z } from "zod";

/** A request the exchange refused, or that did not reach it. */
export class ExchangeRequestError extends EveryChannelError {
  override name = "ExchangeRequestError";

  constructor(
    message: string,
    /** The HTTP status (undefined: no answer, e.g. the connection was refused). */
    readonly status: number | undefined,
    /** The field the server named. */
    readonly field: string | undefined,
    /** From `Retry-After` (429, 503). */
    readonly retryAfterMs: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, { status, field }, options);
  }

  /** Whether trying again later may succeed (no answer, 429 or a 5xx). */
  get transient(): boolean {
    return this.status === undefined || this.status === 429 || this.status >= 500;
  }
}

/** Checks the exchange URL a task was given: http or https, no query or fragment. */
export function parseExchangeUrl(field: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidFieldError(field, value, "is not a URL (e.g. http://127.0.0.1:8645)");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new InvalidFieldError(field, value, "must be an http:// or https:// URL");
  if (url.search !== "" || url.hash !== "")
    throw new InvalidFieldError(field, value, "must have no query or fragment");
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return url;
}

export interface ExchangeClientParameters {
  /** The exchange's base URL (its `/v1/...` endpoints are under it). */
  url: string | URL;
  /** Milliseconds before a request (other than a long poll) is given up (default 10,000). */
  timeoutMs?: number;
}

/** Calls the exchange's endpoints. */
export class ExchangeClient {
  readonly base: URL;
  private readonly timeoutMs: number;

  constructor(parameters: ExchangeClientParameters) {
    this.base =
      typeof parameters.url === "string" ? parseExchangeUrl("url", parameters.url) : parameters.url;
    this.timeoutMs = parameters.timeoutMs ?? 10_000;
  }

  private async request<S extends z.ZodTypeAny>(
    method: "GET" | "POST",
    path: string,
    schema: S,
    options: { body?: unknown; timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<{ status: number; body: z.output<S> }> {
    const url = new URL(path, this.base);
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.timeoutMs);
    const signal =
      options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        signal,
        headers: options.body === undefined ? {} : { "content-type": "application/json" },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    } catch (error) {
      const cause = error instanceof Error ? (error.cause ?? error) : error;
      const detail =
        cause instanceof Error
          ? ((cause as NodeJS.ErrnoException).code ?? cause.message)
          : String(cause);
      throw new ExchangeRequestError(
        `exchange: ${method} ${url.href}: no answer (${detail})`,
        undefined,
        undefined,
        undefined,
        { cause: error },
      );
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (response.status >= 400) {
      const refusal = errorBodySchema.safeParse(json);
      const retryAfter = Number(response.headers.get("retry-after"));
      throw new ExchangeRequestError(
        `exchange: ${method} ${url.pathname}: ${response.status} ${refusal.success ? refusal.data.error : text.slice(0, 200)}`,
        response.status,
        refusal.success ? refusal.data.field : undefined,
        Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : undefined,
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ExchangeRequestError(
        `exchange: ${method} ${url.pathname}: unexpected answer (${issue?.path.join(".") || "$"}: ${issue?.message ?? "invalid"})`,
        response.status,
        undefined,
        undefined,
      );
    }
    return { status: response.status, body: parsed.data as z.output<S> };
  }

  /** Posts a witness signature (`POST /v1/signatures`): `accepted` (202) or `duplicate` (208). */
  async postSignature(file: WitnessSignatureFile, signal?: AbortSignal): Promise<AcceptedBody> {
    const body = JSON.parse(signatureFileJson(file)) as unknown;
    return (await this.request("POST", "v1/signatures", acceptedSchema, { body, signal })).body;
  }

  /** Open proposals after `since`, waiting up to `waitMs` for one (`GET /v1/proposals`). */
  async proposals(
    query: { since?: number; waitMs?: number; witness?: Address },
    signal?: AbortSignal,
  ): Promise<ProposalList> {
    const search = new URLSearchParams();
    if (query.since !== undefined) search.set("since", String(query.since));
    if (query.waitMs !== undefined) search.set("wait", String(query.waitMs));
    if (query.witness !== undefined) search.set("witness", query.witness);
    const path = `v1/proposals${search.size > 0 ? `?${search}` : ""}`;
    return (
      await this.request("GET", path, proposalListSchema, {
        signal,
        timeoutMs: (query.waitMs ?? 0) + this.timeoutMs,
      })
    ).body;
  }

  /** Answers proposal `id` with `result` (`POST /v1/proposals/<id>/cosignatures`). */
  async postCoSignature(
    id: Hex,
    domain: Pick<ObservationLedgerDomain, "chainId" | "verifyingContract">,
    result: CoSignResult,
    signal?: AbortSignal,
  ): Promise<AcceptedBody> {
    const common = {
      schema: COSIGNATURE_SCHEMA,
      chainId: domain.chainId.toString(),
      ledger: domain.verifyingContract,
      witness: result.witness,
    };
    const body = result.signed
      ? { ...common, signed: true, signature: result.signature }
      : {
          ...common,
          signed: false,
          reason: result.reason,
          ...(result.slot === undefined ? {} : { slot: result.slot }),
        };
    return (
      await this.request("POST", `v1/proposals/${id}/cosignatures`, acceptedSchema, {
        body,
        signal,
      })
    ).body;
  }

  /** The exchange's counters (`GET /v1/status`). */
  async status(signal?: AbortSignal): Promise<ExchangeStatus> {
    return (await this.request("GET", "v1/status", exchangeStatusSchema, { signal })).body;
  }
}
