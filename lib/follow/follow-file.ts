/**
 * Follows a growing file line by line, like `tail -F`: yields each complete line once, waits for
 * more, and survives the file being rotated (renamed and replaced: the old file is read to its end
 * first, then the new one from its start), truncated (read again from the start) or not existing
 * yet. A partial last line is held back until its newline arrives. Given a cursor from a previous
 * run, it resumes after the last handled line when the file is still the same one (same device and
 * inode, at least that long); otherwise it starts from the beginning.
 */
import { open, stat, type FileHandle } from "node:fs/promises";

import type { FollowCursor } from "./cursor";

export interface FollowedLine {
  /** The line without its newline (and without a trailing carriage return). */
  text: string;
  /** 1-based line number within the current file. */
  lineNumber: number;
  /** The cursor just after this line: persist it once the line is handled. */
  cursor: FollowCursor;
}

export type FollowEvent =
  | { type: "opened"; dev: number; ino: number; offset: number; resumed: boolean }
  | { type: "rotated"; dev: number; ino: number }
  | { type: "truncated"; size: number; offset: number }
  | { type: "waiting-for-file" };

export interface FollowFileParameters {
  path: string;
  /** Resume after this cursor when it still describes the file. */
  from?: FollowCursor;
  /** Milliseconds between checks for growth or rotation (default 250). */
  pollIntervalMs?: number;
  /** Stops following (the generator returns). */
  signal?: AbortSignal;
  /** Return at end of file instead of waiting for more (catch-up runs, tests). */
  stopAtEnd?: boolean;
  /** Notified of rotations, truncations and (re)opened files. */
  onEvent?: (event: FollowEvent) => void;
}

const CHUNK = 64 * 1024;

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

async function identity(
  file: string,
): Promise<{ dev: number; ino: number; size: number } | undefined> {
  try {
    const s = await stat(file);
    return { dev: s.dev, ino: s.ino, size: s.size };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

export async function* followFile(parameters: FollowFileParameters): AsyncGenerator<FollowedLine> {
  const { path, signal, onEvent } = parameters;
  const pollIntervalMs = parameters.pollIntervalMs ?? 250;
  let resumeFrom = parameters.from;
  while (!signal?.aborted) {
    const current = await identity(path);
    if (current === undefined) {
      if (parameters.stopAtEnd) return;
      onEvent?.({ type: "waiting-for-file" });
      await sleep(pollIntervalMs, signal);
      continue;
    }
    let handle: FileHandle;
    try {
      handle = await open(path, "r");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw error;
    }
    try {
      const opened = await handle.stat();
      const resumed =
        resumeFrom !== undefined &&
        resumeFrom.dev === opened.dev &&
        resumeFrom.ino === opened.ino &&
        resumeFrom.offset <= opened.size;
      let offset = resumed ? resumeFrom!.offset : 0;
      let lineNumber = resumed ? resumeFrom!.lineNumber : 0;
      resumeFrom = undefined;
      onEvent?.({ type: "opened", dev: opened.dev, ino: opened.ino, offset, resumed });
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      let readPosition = offset;
      const buffer = Buffer.alloc(CHUNK);
      for (;;) {
        if (signal?.aborted) return;
        const { bytesRead } = await handle.read(buffer, 0, CHUNK, readPosition);
        if (bytesRead > 0) {
          readPosition += bytesRead;
          let chunk = buffer.subarray(0, bytesRead);
          let newline = chunk.indexOf(0x0a);
          while (newline !== -1) {
            const piece = chunk.subarray(0, newline);
            const lineBytes =
              pendingBytes === 0 ? Buffer.from(piece) : Buffer.concat([...pending, piece]);
            offset += pendingBytes + newline + 1;
            pending = [];
            pendingBytes = 0;
            lineNumber += 1;
            let text = lineBytes.toString("utf8");
            if (text.endsWith("\r")) text = text.slice(0, -1);
            yield {
              text,
              lineNumber,
              cursor: { dev: opened.dev, ino: opened.ino, offset, lineNumber },
            };
            if (signal?.aborted) return;
            chunk = chunk.subarray(newline + 1);
            newline = chunk.indexOf(0x0a);
          }
          if (chunk.length > 0) {
            pending.push(Buffer.from(chunk));
            pendingBytes += chunk.length;
          }
          continue;
        }
        // End of the data for now: has the file at the path been replaced or truncated?
        const now = await identity(path);
        const mine = await handle.stat();
        if (now !== undefined && (now.dev !== opened.dev || now.ino !== opened.ino)) {
          // Rotated: everything of the old file has been read (bytesRead was 0); switch.
          onEvent?.({ type: "rotated", dev: now.dev, ino: now.ino });
          break;
        }
        if (mine.size < readPosition) {
          onEvent?.({ type: "truncated", size: mine.size, offset });
          offset = 0;
          lineNumber = 0;
          readPosition = 0;
          pending = [];
          pendingBytes = 0;
          continue;
        }
        if (parameters.stopAtEnd) return;
        await sleep(pollIntervalMs, signal);
      }
    } finally {
      await handle.close();
    }
  }
}
