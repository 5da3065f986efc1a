/**
 * Splits a file into lines as a stream, with a hard bound on memory: bytes are read in chunks, and a
 * line longer than `maxLineBytes` is not accumulated but reported (its bytes are skipped up to the
 * next line feed). `node:readline` is not used because it buffers a line of any length and replaces
 * invalid UTF-8 silently; archive lines must be exact UTF-8.
 */
import { createReadStream } from "node:fs";

/** Default longest accepted line: far above any real epoch line (a few KB for hundreds of chunks). */
export const DEFAULT_MAX_LINE_BYTES = 1 << 20;

/** One line of a file: its 1-based number and either its text or why it has none. */
export type FileLine =
  | { line: number; text: string; problem?: undefined }
  | { line: number; text?: undefined; problem: string };

const LF = 0x0a;
const CR = 0x0d;
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Yields the lines of `file` in order. Line endings are LF or CRLF (the CR is removed); a final line
 * without a line ending is still a line; a UTF-8 byte order mark is removed from line 1 only.
 */
export async function* readFileLines(
  file: string,
  options: { maxLineBytes?: number; highWaterMark?: number } = {},
): AsyncGenerator<FileLine, void, undefined> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const stream = createReadStream(file, { highWaterMark: options.highWaterMark ?? 1 << 16 });
  let parts: Buffer[] = [];
  let length = 0;
  let tooLong = false;
  let lineNumber = 0;

  const finish = (): FileLine => {
    lineNumber++;
    if (tooLong) {
      const problem = `line is longer than ${maxLineBytes} bytes`;
      parts = [];
      length = 0;
      tooLong = false;
      return { line: lineNumber, problem };
    }
    let bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts, length);
    parts = [];
    length = 0;
    if (bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, -1);
    if (bytes.length > maxLineBytes)
      return { line: lineNumber, problem: `line is longer than ${maxLineBytes} bytes` };
    if (lineNumber === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
      bytes = bytes.subarray(3);
    try {
      return { line: lineNumber, text: decoder.decode(bytes) };
    } catch {
      return { line: lineNumber, problem: "line is not valid UTF-8" };
    }
  };

  const append = (segment: Buffer): void => {
    if (tooLong || segment.length === 0) return;
    // One byte of slack for a CR that is stripped at the end of the line.
    if (length + segment.length > maxLineBytes + 1) {
      tooLong = true;
      parts = [];
      length = 0;
      return;
    }
    parts.push(segment);
    length += segment.length;
  };

  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    for (;;) {
      const lf = chunk.indexOf(LF, start);
      if (lf < 0) {
        // Copied, so that a line's tail does not keep the whole read block alive.
        append(Buffer.from(chunk.subarray(start)));
        break;
      }
      append(chunk.subarray(start, lf));
      yield finish();
      start = lf + 1;
    }
  }
  if (length > 0 || tooLong) yield finish();
}
