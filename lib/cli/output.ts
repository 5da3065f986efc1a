/**
 * What a command prints, delivered whole. Writes to a pipe are asynchronous: the first 64 KiB go
 * to the kernel at once and the rest waits in the stream's buffer, so a process that exits right
 * after printing (Hardhat's CLI calls `process.exit` as soon as the task returns) cuts the answer
 * at the pipe's capacity. Every write here resolves once the stream has handed the text to the
 * operating system, and `flushOutput` waits for whatever else is still buffered.
 */

type Output = NodeJS.WritableStream & { destroyed?: boolean };

/** Writes `text` and resolves once the stream has passed it on (or can never pass it on). */
export function writeWhole(text: string, stream: Output = process.stdout): Promise<void> {
  if (stream.destroyed === true) return Promise.resolve();
  return new Promise((resolve) => {
    // The callback also fires with an error (EPIPE: the reader is gone); nothing more can be done.
    stream.write(text, () => resolve());
  });
}

/** Prints each line (a newline after each), resolving once all of it has left the process. */
export function printLines(
  lines: Iterable<string>,
  stream: Output = process.stdout,
): Promise<void> {
  let text = "";
  for (const line of lines) text += `${line}\n`;
  return writeWhole(text, stream);
}

/** Renders `value` as JSON (indented by `indent` spaces, if given); bigints become decimal strings. */
export function toPrintableJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v),
    indent,
  );
}

/** Prints `value` as indented JSON (see `toPrintableJson`), resolving once all of it has left the process. */
export function printJson(value: unknown, stream: Output = process.stdout): Promise<void> {
  return writeWhole(`${toPrintableJson(value, 2)}\n`, stream);
}

/**
 * Resolves once everything written so far to stdout and stderr (by `console.log` too) has been
 * passed to the operating system: an empty write completes only after the writes queued before it.
 */
export async function flushOutput(): Promise<void> {
  await Promise.all([writeWhole("", process.stdout), writeWhole("", process.stderr)]);
}
