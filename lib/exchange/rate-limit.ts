/**
 * Per-client rate limits of the exchange: a token bucket per remote address. Each request takes a
 * token; a bucket holds at most `burst` tokens and gains `ratePerSecond` a second. A client that
 * finds its bucket empty is told when the next token arrives (`Retry-After`). Full buckets carry no
 * information and are forgotten once more than `maxClients` addresses are tracked, so a flood of
 * addresses cannot grow the table without bound.
 */
import { InvalidFieldError } from "../errors";

export interface RateLimitParameters {
  /** Tokens a client gains per second. */
  readonly ratePerSecond: number;
  /** Most tokens a client holds (its largest burst). */
  readonly burst: number;
  /** Addresses tracked before full buckets are dropped (default 10,000). */
  readonly maxClients?: number;
  /** The clock (milliseconds; tests move it). */
  readonly now?: () => number;
}

export type RateLimitDecision =
  | { readonly allowed: true; readonly remaining: number }
  | { readonly allowed: false; readonly retryAfterMs: number };

interface Bucket {
  tokens: number;
  at: number;
}

/** Token buckets keyed by client. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly maxClients: number;

  constructor(private readonly p: RateLimitParameters) {
    if (!(p.ratePerSecond > 0) || !Number.isFinite(p.ratePerSecond))
      throw new InvalidFieldError("ratePerSecond", p.ratePerSecond, "must be a positive number");
    if (!Number.isInteger(p.burst) || p.burst < 1)
      throw new InvalidFieldError("burst", p.burst, "must be a whole number of at least 1");
    this.now = p.now ?? Date.now;
    this.maxClients = p.maxClients ?? 10_000;
  }

  /** Takes a token from `client`'s bucket, or says how long until one is there. */
  take(client: string): RateLimitDecision {
    const now = this.now();
    let bucket = this.buckets.get(client);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxClients) this.forgetFull(now);
      bucket = { tokens: this.p.burst, at: now };
      this.buckets.set(client, bucket);
    } else {
      this.refill(bucket, now);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, remaining: Math.floor(bucket.tokens) };
    }
    return {
      allowed: false,
      retryAfterMs: Math.ceil(((1 - bucket.tokens) / this.p.ratePerSecond) * 1000),
    };
  }

  /** Clients tracked. */
  get size(): number {
    return this.buckets.size;
  }

  private refill(bucket: Bucket, now: number): void {
    const elapsed = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(this.p.burst, bucket.tokens + (elapsed / 1000) * this.p.ratePerSecond);
    bucket.at = now;
  }

  private forgetFull(now: number): void {
    for (const [client, bucket] of this.buckets) {
      this.refill(bucket, now);
      if (bucket.tokens >= this.p.burst) this.buckets.delete(client);
    }
  }
}
