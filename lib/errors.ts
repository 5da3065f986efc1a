/**
 * The base of every error the library throws. `shortMessage` is one line naming the input and the
 * problem; `details` carries the values that explain it.
 */
export class EveryChannelError extends Error {
  override name = "EveryChannelError";
  readonly shortMessage: string;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    shortMessage: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(shortMessage, options);
    this.shortMessage = shortMessage;
    this.details = Object.freeze({ ...details });
  }
}

/** A value given to the library does not fit the field it was given for. */
export class InvalidFieldError extends EveryChannelError {
  override name = "InvalidFieldError";
  readonly field: string;
  readonly value: unknown;

  constructor(field: string, value: unknown, problem: string) {
    super(`${field}: ${problem} (got ${describeValue(value)})`, { field, value, problem });
    this.field = field;
    this.value = value;
  }
}

/** Renders a value for an error message: short, and never throws. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "string")
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  try {
    const json = JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
  } catch {
    return String(value);
  }
}
