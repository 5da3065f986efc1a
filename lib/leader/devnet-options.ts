/**
 * Options of `hardhat leader:devnet`, checked with zod. The first problem is reported as one line
 * naming the flag and the value given.
 */
import { z } from "zod";

import { InvalidFieldError } from "../errors";

const int = (min: number, max: number) =>
  z
    .number({ invalid_type_error: "must be a whole number" })
    .int("must be a whole number")
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

export const leaderDevnetOptionsSchema = z
  .object({
    batchers: int(1, 16).default(3),
    blocks: int(8, 100_000).default(200),
    window: int(2, 1_000).default(6),
    silence: int(1, 999).default(3),
    blockTime: int(20, 60_000).default(250),
    framesPerPost: int(1, 64).default(4),
    frameSize: int(1, 100_000).default(1_024),
    framesPerChannel: int(1, 0xffff).default(8),
    kill: int(0, 16).optional(),
    killAt: int(1, 99_999).optional(),
    outOfTurnEvery: int(0, 1_000).default(10),
    keepReverted: z.boolean().default(false),
    seed: z
      .string()
      .min(1, "must not be empty")
      .max(64, "must be at most 64 characters")
      .default("devnet"),
    json: z.string().min(1, "must name a file").optional(),
    events: z.boolean().default(false),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.silence >= o.window)
      ctx.addIssue({
        code: "custom",
        path: ["silence"],
        message: `must be less than --window (${o.window})`,
      });
    const kill = o.kill ?? (o.batchers >= 2 ? 2 : 0);
    if (kill > o.batchers)
      ctx.addIssue({
        code: "custom",
        path: ["kill"],
        message: `must be 0 or a batcher (1 to ${o.batchers})`,
      });
    else if (kill > 0 && o.batchers < 2)
      ctx.addIssue({
        code: "custom",
        path: ["kill"],
        message: "needs at least 2 batchers (someone must take over)",
      });
    if (o.killAt !== undefined && o.killAt >= o.blocks)
      ctx.addIssue({
        code: "custom",
        path: ["killAt"],
        message: `must be below --blocks (${o.blocks})`,
      });
  })
  .transform((o) => {
    const kill = o.kill ?? (o.batchers >= 2 ? 2 : 0);
    return { ...o, kill, killAt: o.killAt ?? Math.floor((o.blocks * 2) / 5) };
  });

export type LeaderDevnetOptions = z.output<typeof leaderDevnetOptionsSchema>;

const FLAGS: Record<string, string> = {
  blockTime: "--block-time",
  framesPerPost: "--frames-per-post",
  frameSize: "--frame-size",
  framesPerChannel: "--frames-per-channel",
  killAt: "--kill-at",
  outOfTurnEvery: "--out-of-turn-every",
  keepReverted: "--keep-reverted",
};

/** Parses raw task arguments (undefined = not given); throws naming the first bad flag and its value. */
export function parseLeaderDevnetOptions(raw: Record<string, unknown>): LeaderDevnetOptions {
  const cleaned = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
  const parsed = leaderDevnetOptionsSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0] ?? "options");
    const flag = FLAGS[key] ?? `--${key}`;
    throw new InvalidFieldError(flag, cleaned[key], issue.message);
  }
  return parsed.data;
}
