/** Checks of task options given as text, each error naming the option and the value. */
import { constants, type Stats } from "node:fs";
import { access, stat } from "node:fs/promises";
import path from "node:path";

import { InvalidFieldError } from "../errors";

/** A whole number option within [min, max]. */
export function parseIntegerOption(
  field: string,
  value: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (!/^[0-9]+$/.test(value.trim()))
    throw new InvalidFieldError(field, value, "is not a whole number");
  const parsed = Number(value.trim());
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new InvalidFieldError(field, value, `must be from ${min} to ${max}`);
  }
  return parsed;
}

/** A comma-separated list of paths, at least one. */
export function parsePathList(field: string, value: string): string[] {
  const paths = value
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (paths.length === 0) throw new InvalidFieldError(field, value, "names no path");
  return paths;
}

/**
 * Checks the archive a witness node is to follow, before anything touches the network: an existing
 * path must be a file this process can read. A file that does not exist yet is refused when the
 * node is to stop at the archive's end (`--once`, `--dry-run`: there would be nothing to read);
 * otherwise the node waits for it (like `tail -F`), so only its folder has to exist.
 */
export async function checkArchiveArgument(
  field: string,
  file: string,
  options: { stopAtEnd: boolean },
): Promise<void> {
  let stats: Stats;
  try {
    stats = await stat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT") throw new InvalidFieldError(field, file, `cannot be read (${code})`);
    if (options.stopAtEnd) {
      throw new InvalidFieldError(field, file, "does not exist (nothing to read to its end)");
    }
    const folder = path.dirname(path.resolve(file));
    const parent = await stat(folder).catch(() => undefined);
    if (parent === undefined || !parent.isDirectory()) {
      throw new InvalidFieldError(field, file, `does not exist, nor does its folder ${folder}`);
    }
    return;
  }
  if (!stats.isFile()) throw new InvalidFieldError(field, file, "is not a file");
  try {
    await access(file, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new InvalidFieldError(field, file, `cannot be read (${code})`);
  }
}
