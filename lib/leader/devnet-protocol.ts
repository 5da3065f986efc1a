/**
 * The messages between the devnet and its batcher processes (Node IPC, `serialization: "advanced"`),
 * checked with zod on both sides: the parent starts and stops a batcher; a batcher reports that it is
 * ready, what it did (one line per event) and its statistics when it stops.
 */
import { isAddress, isHex, type Address, type Hex } from "viem";
import { z } from "zod";

const hex32 = z
  .string()
  .refine((v) => isHex(v, { strict: true }) && v.length === 66, "must be 32 bytes of hex")
  .transform((v) => v as Hex);
const address = z
  .string()
  .refine((v) => isAddress(v), "must be an address")
  .transform((v) => v as Address);
const count = z.number().int().min(0);

export const batcherConfigSchema = z
  .object({
    name: z.string().min(1),
    rpcUrl: z.string().url(),
    chainId: z.number().int().positive(),
    privateKey: hex32,
    inbox: address,
    registry: address,
    batcherHash: hex32,
    /** The inbox's deployment block: where the batcher's derivation starts. */
    fromBlock: z.bigint().nonnegative(),
    /** Project root, for the compiled artifacts. */
    root: z.string().min(1),
    stream: z
      .object({
        seed: z.string(),
        framesPerChannel: z.number().int().min(1).max(0xffff),
        frameSize: z.number().int().min(1).max(1_000_000),
      })
      .strict(),
    framesPerPost: z.number().int().min(1),
    pollIntervalMs: z.number().int().min(1),
    outOfTurnEvery: count,
  })
  .strict();

export type BatcherConfig = z.output<typeof batcherConfigSchema>;

export const parentMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("start"), config: batcherConfigSchema }).strict(),
  z.object({ type: z.literal("stop") }).strict(),
]);
export type ParentMessage = z.input<typeof parentMessageSchema>;

export const batcherStatsSchema = z
  .object({
    sent: count,
    accepted: count,
    reverted: count,
    refused: count,
    outOfTurn: count,
    outOfTurnAccepted: count,
    framesAccepted: count,
  })
  .strict();

export const childMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready"), address }).strict(),
  z.object({ type: z.literal("event"), line: z.string() }).strict(),
  z.object({ type: z.literal("done"), stats: batcherStatsSchema }).strict(),
  z.object({ type: z.literal("failed"), message: z.string() }).strict(),
]);
export type ChildMessage = z.input<typeof childMessageSchema>;
