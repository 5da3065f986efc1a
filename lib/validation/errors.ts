import type { z } from "zod";

import { InvalidFieldError } from "../errors";

/**
 * A value given for a canonical type does not fit it: wrong hex length, integer out of range,
 * missing field, unknown enum value, unknown field, or a broken protocol rule. `field` is the full
 * path of the offending field (e.g. `body.variants[0].chunks[3].blake3`) and `value` the value
 * found there.
 */
export class InvalidCanonicalValueError extends InvalidFieldError {
  override name = "InvalidCanonicalValueError";
  /** The canonical type that was being checked (e.g. `ManifestBody`). */
  readonly typeName: string;
  /** Every problem found, the first of which names the error. */
  readonly issues: readonly { field: string; value: unknown; problem: string }[];

  constructor(
    typeName: string,
    issues: readonly { field: string; value: unknown; problem: string }[],
  ) {
    const first = issues[0] ?? { field: typeName, value: undefined, problem: "invalid value" };
    super(first.field, first.value, `${first.problem} [${typeName}]`);
    this.typeName = typeName;
    this.issues = issues;
  }
}

/** Renders a zod path as a field path below `root`: `root.variants[0].chunks[3].blake3`. */
export function fieldPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/**
 * Parses `input` with `schema`; on failure throws an {@link InvalidCanonicalValueError} whose field
 * is the path (below `root`) of the first problem and whose value is the value found there (in
 * `reported`, when the input was derived from another value such as parsed JSON).
 */
export function parseCanonical<S extends z.ZodTypeAny>(
  schema: S,
  input: unknown,
  typeName: string,
  root: string,
  reported: unknown = input,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data as z.output<S>;
  const issues = result.error.issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        field: fieldPath(root, [...issue.path, key]),
        value: valueAt(reported, [...issue.path, key]),
        problem: "unknown field",
      }));
    }
    const value = valueAt(reported, issue.path);
    const problem =
      issue.code === "invalid_type" && value === undefined ? "missing field" : issue.message;
    return [{ field: fieldPath(root, issue.path), value, problem }];
  });
  throw new InvalidCanonicalValueError(typeName, issues);
}
