/**
 * The exchange's HTTP server (`docs/exchange.md`), on Hono and `@hono/node-server`: loopback by
 * default, plain HTTP (TLS belongs to a reverse proxy in front of it). Every request takes a token
 * from its client's bucket first (`rate-limit.ts`; 429 with `Retry-After`); request bodies are
 * limited to `maxBodyBytes` (413 naming the limit) and checked with the shared schemas
 * (`schema.ts`); every refusal is `{ error, field }`.
 *
 *   POST /v1/signatures                      a witness signature file     → 202 | 208
 *   GET  /v1/proposals?since=&wait=&witness= open report proposals        → 200
 *   POST /v1/proposals/<id>/cosignatures     a co-signature or a refusal  → 202 | 208
 *   GET  /v1/status                          counters                     → 200
 */
import type { AddressInfo } from "node:net";
import { createAdaptorServer, type HttpBindings } from "@hono/node-server";
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getAddress, type Address } from "viem";

import { EveryChannelError } from "../errors";
import type { Exchange } from "./exchange";
import { RateLimiter } from "./rate-limit";
import {
  ExchangeRefusal,
  firstIssue,
  proposalQuerySchema,
  reportJson,
  type ProposalList,
} from "./schema";

/** Defaults of the server's limits (`docs/exchange.md`). */
export const EXCHANGE_DEFAULTS = {
  host: "127.0.0.1",
  /** A signature file is under 1 KiB; a co-signature under 2 KiB. */
  maxBodyBytes: 16 * 1024,
  /** Requests a client may make per second, sustained. */
  ratePerSecond: 50,
  /** Requests a client may make at once. */
  burst: 200,
  /** Longest long poll of `GET /v1/proposals` (milliseconds). */
  maxWaitMs: 30_000,
} as const;

export interface StartExchangeServerParameters {
  exchange: Exchange;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (0: any free port). */
  port: number;
  maxBodyBytes?: number;
  ratePerSecond?: number;
  burst?: number;
  /**
   * Take the client's address from the last `X-Forwarded-For` entry (the address the reverse proxy
   * in front saw) instead of the connection's, for the rate limits. Only behind a proxy.
   */
  trustProxy?: boolean;
  /** The rate limits' clock in milliseconds (default `Date.now`; tests hold it still). */
  clock?: () => number;
  log?: (line: string) => void;
}

export interface ExchangeServer {
  /** `http://host:port` (IPv6 hosts in brackets). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stops listening, ends open long polls and waits for the connections to close. */
  close(): Promise<void>;
}

/** An error raised while starting the server (the address is taken, not local, ...). */
export class ExchangeServerError extends EveryChannelError {
  override name = "ExchangeServerError";
}

type Env = { Bindings: HttpBindings };

function refusal(c: Context<Env>, status: number, field: string, error: string): Response {
  return c.json({ error, field }, status as 400);
}

function clientOf(c: Context<Env>, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header("x-forwarded-for");
    const last = forwarded?.split(",").at(-1)?.trim();
    if (last !== undefined && last !== "") return last;
  }
  return c.env.incoming.socket.remoteAddress ?? "unknown";
}

/** The Hono application of the exchange (`startExchangeServer` serves it). */
export function exchangeApp(
  parameters: Omit<StartExchangeServerParameters, "port" | "host">,
  stopping: AbortSignal,
): Hono<Env> {
  const { exchange } = parameters;
  const maxBodyBytes = parameters.maxBodyBytes ?? EXCHANGE_DEFAULTS.maxBodyBytes;
  const limiter = new RateLimiter({
    ratePerSecond: parameters.ratePerSecond ?? EXCHANGE_DEFAULTS.ratePerSecond,
    burst: parameters.burst ?? EXCHANGE_DEFAULTS.burst,
    now: parameters.clock,
  });
  const trustProxy = parameters.trustProxy ?? false;
  const app = new Hono<Env>();

  app.use("*", async (c, next) => {
    const decision = limiter.take(clientOf(c, trustProxy));
    if (!decision.allowed) {
      exchange.noteRateLimited();
      const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
      c.header("Retry-After", String(seconds));
      return refusal(c, 429, "$", `too many requests from this client; retry after ${seconds} s`);
    }
    await next();
  });

  const limited = bodyLimit({
    maxSize: maxBodyBytes,
    onError: (c) => {
      exchange.noteRefused();
      return refusal(
        c as Context<Env>,
        413,
        "$",
        `request body exceeds the limit of ${maxBodyBytes} bytes`,
      );
    },
  });

  /** The request's JSON body, or a 400 naming the body. */
  const jsonBody = async (c: Context<Env>): Promise<unknown> => {
    const text = await c.req.text();
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      exchange.noteRefused();
      throw new ExchangeRefusal(
        400,
        "$",
        `$: not JSON (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  };

  app.post("/v1/signatures", limited, async (c) => {
    const answer = await exchange.acceptSignature(await jsonBody(c), clientOf(c, trustProxy));
    return c.json(answer, answer.status === "accepted" ? 202 : 208);
  });

  app.get("/v1/proposals", async (c) => {
    const query = proposalQuerySchema.safeParse(c.req.query());
    if (!query.success) {
      exchange.noteRefused();
      const { field, message } = firstIssue(query.error, c.req.query());
      throw new ExchangeRefusal(400, field, message);
    }
    const { since, wait, witness } = query.data;
    const waitMs = Math.min(wait ?? 0, EXCHANGE_DEFAULTS.maxWaitMs);
    const list: ProposalList = await exchange.waitForProposals(
      { since, witness: witness as Address | undefined },
      waitMs,
      stopping,
    );
    return c.json({
      schema: list.schema,
      latest: list.latest,
      proposals: list.proposals.map((p) => ({
        ...p,
        chainId: p.chainId.toString(),
        report: reportJson(p.report),
      })),
    });
  });

  app.post("/v1/proposals/:id/cosignatures", limited, async (c) => {
    const answer = await exchange.acceptCoSignature(
      c.req.param("id"),
      await jsonBody(c),
      clientOf(c, trustProxy),
    );
    return c.json(answer, answer.status === "accepted" ? 202 : 208);
  });

  app.get("/v1/status", (c) => {
    const status = exchange.status();
    return c.json({
      ...status,
      chainId: status.chainId.toString(),
      ledger: getAddress(status.ledger),
    });
  });

  app.notFound((c) => refusal(c, 404, "path", `${c.req.method} ${c.req.path}: no such endpoint`));
  app.onError((error, c) => {
    if (error instanceof ExchangeRefusal)
      return refusal(c, error.status, error.field, error.shortMessage);
    parameters.log?.(
      `exchange: ${c.req.method} ${c.req.path}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return refusal(c, 500, "$", "internal error (logged by the relayer)");
  });
  return app;
}

/** How often a closing server closes the connections that became idle. */
const CLOSE_SWEEP_MS = 50;
/** How long a closing server lets requests in flight finish before it cuts their connections. */
const CLOSE_GRACE_MS = 2_000;

/** Starts the exchange's server; resolves once it listens. */
export async function startExchangeServer(
  parameters: StartExchangeServerParameters,
): Promise<ExchangeServer> {
  const host = parameters.host ?? EXCHANGE_DEFAULTS.host;
  const stopping = new AbortController();
  const app = exchangeApp(parameters, stopping.signal);
  const server = createAdaptorServer({ fetch: app.fetch, hostname: host });
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void =>
      reject(
        new ExchangeServerError(
          `listen: cannot listen on ${host}:${parameters.port} (${error.code ?? error.message})`,
          { host, port: parameters.port },
          { cause: error },
        ),
      );
    server.once("error", onError);
    server.listen(parameters.port, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    host,
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        const http = server as unknown as {
          closeIdleConnections(): void;
          closeAllConnections(): void;
        };
        // Aborting ends the long polls; their connections then sit idle, and a witness that
        // keeps polling would send its next request on them and hold `close` open for ever. So
        // idle connections are closed as they appear, and whatever is still open after the grace
        // period is cut.
        const sweep = setInterval(() => http.closeIdleConnections(), CLOSE_SWEEP_MS);
        const cut = setTimeout(() => http.closeAllConnections(), CLOSE_GRACE_MS);
        stopping.abort();
        server.close((error) => {
          clearInterval(sweep);
          clearTimeout(cut);
          if (error === undefined) resolve();
          else reject(error);
        });
        http.closeIdleConnections();
      });
      return closing;
    },
  };
}
