/**
 * A follower's position in a file, persisted so that a restarted process resumes where it stopped:
 * the file's identity (device and inode) and the byte offset just after the last line handled.
 * Written atomically (temporary file, then rename), read back with zod.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";

import { EveryChannelError } from "../errors";

export interface FollowCursor {
  /** Device and inode of the file the offset belongs to. */
  dev: number;
  ino: number;
  /** Byte offset just after the last handled line. */
  offset: number;
  /** Number of the last handled line (1-based; 0 before the first). */
  lineNumber: number;
}

const cursorSchema = z
  .object({
    dev: z.number().int().nonnegative(),
    ino: z.number().int().nonnegative(),
    offset: z.number().int().nonnegative(),
    lineNumber: z.number().int().nonnegative(),
  })
  .strict();

/** A cursor file exists but cannot be used. */
export class CursorFileError extends EveryChannelError {
  override name = "CursorFileError";
}

/** Reads a cursor file; undefined when it does not exist. */
export async function readCursor(file: string): Promise<FollowCursor | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new CursorFileError(`${file}: not JSON`, { file }, { cause });
  }
  const parsed = cursorSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CursorFileError(
      `${file}: ${issue?.path.join(".") || "cursor"}: ${issue?.message ?? "invalid"}`,
      { file },
    );
  }
  return parsed.data;
}

/** Writes a cursor file atomically. */
export async function writeCursor(file: string, cursor: FollowCursor): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(cursor)}\n`);
  await rename(temporary, file);
}
