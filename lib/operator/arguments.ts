/** Checks of task options given as text, each error naming the option and the value. */
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
