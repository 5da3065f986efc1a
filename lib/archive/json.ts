/**
 * A strict RFC 8259 JSON parser for one archive line that keeps integers exact.
 *
 * `JSON.parse` turns every number into a float, so a uint64 such as an epoch id above 2^53 would be
 * silently rounded and two witnesses could derive different hashes from the same text. This parser
 * returns integer literals (no fraction, no exponent) as `number` when they are safe integers and as
 * `bigint` otherwise; other numbers are returned as `number`. It also rejects duplicate object keys,
 * which `JSON.parse` resolves silently (last one wins) and which would make a line mean different
 * things to different readers.
 */

/** A parsed JSON value; integers outside the safe range are `bigint`. */
export type JsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/** Where and why a text is not one JSON value. `column` is 1-based, in UTF-16 code units. */
export class JsonSyntaxError extends Error {
  override name = "JsonSyntaxError";
  readonly column: number;
  readonly problem: string;

  constructor(problem: string, column: number) {
    super(`${problem} at column ${column}`);
    this.problem = problem;
    this.column = column;
  }
}

/** Nesting deeper than this is rejected (archive lines are four levels deep). */
export const MAX_JSON_DEPTH = 64;

const INTEGER = /^-?(?:0|[1-9][0-9]*)$/;

/** Parses `text` as exactly one JSON value (surrounding whitespace allowed). */
export function parseJsonExact(text: string): JsonValue {
  const parser = new Parser(text);
  parser.skipWhitespace();
  const value = parser.value(0);
  parser.skipWhitespace();
  if (parser.pos < text.length) parser.fail("unexpected text after the JSON value");
  return value;
}

/**
 * Parses `text` exactly as {@link parseJsonExact} does (same values, same errors), but with the
 * engine's `JSON.parse` when that is known to give the same value: the text has no backslash
 * (so no escapes to check), no run of 16 or more digits outside strings (so every integer literal
 * is below 10^15 < 2^53 and `JSON.parse` keeps it exact), nesting well below
 * {@link MAX_JSON_DEPTH}, and as many object members in the result as `:` separators outside
 * strings in the text (so no key was repeated). Otherwise, or if `JSON.parse` throws, the exact
 * parser decides. The only difference: objects have `Object.prototype` instead of a null prototype
 * (a `"__proto__"` key is an own property either way).
 */
export function parseJsonFast(text: string): JsonValue {
  const members = plainJsonMembers(text);
  if (members >= 0) {
    let value: JsonValue;
    try {
      value = JSON.parse(text) as JsonValue;
    } catch {
      return parseJsonExact(text);
    }
    if (countMembers(value) === members) return value;
  }
  return parseJsonExact(text);
}

/** Deepest nesting {@link parseJsonFast} hands to `JSON.parse`. */
const FAST_MAX_DEPTH = 32;

/**
 * The number of `:` outside strings, or −1 when `JSON.parse` could read `text` differently from
 * the exact parser (a backslash, a run of 16+ digits outside strings, deep nesting, an open string).
 */
function plainJsonMembers(text: string): number {
  if (text.indexOf("\\") >= 0) return -1;
  let members = 0;
  let depth = 0;
  let digits = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (++digits >= 16) return -1;
      continue;
    }
    digits = 0;
    if (c === 0x22) {
      const close = text.indexOf('"', i + 1);
      if (close < 0) return -1;
      i = close;
    } else if (c === 0x3a) members++;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > FAST_MAX_DEPTH) return -1;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return members;
}

/** The number of object members in a parsed value, nested ones included. */
function countMembers(value: JsonValue): number {
  if (typeof value !== "object" || value === null) return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) count += countMembers(value[i]!);
    return count;
  }
  for (const key in value) {
    count++;
    count += countMembers(value[key]!);
  }
  return count;
}

class Parser {
  pos = 0;
  constructor(private readonly text: string) {}

  fail(problem: string, at = this.pos): never {
    throw new JsonSyntaxError(problem, at + 1);
  }

  skipWhitespace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos++;
      else break;
    }
  }

  value(depth: number): JsonValue {
    if (depth > MAX_JSON_DEPTH) this.fail(`nesting deeper than ${MAX_JSON_DEPTH}`);
    const c = this.text[this.pos];
    switch (c) {
      case "{":
        return this.object(depth);
      case "[":
        return this.array(depth);
      case '"':
        return this.string();
      case "t":
        return this.literal("true", true);
      case "f":
        return this.literal("false", false);
      case "n":
        return this.literal("null", null);
      case undefined:
        return this.fail("unexpected end of line");
      default:
        if (c === "-" || (c >= "0" && c <= "9")) return this.number();
        return this.fail(`unexpected character ${JSON.stringify(c)}`);
    }
  }

  literal<T extends JsonValue>(word: string, result: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail("invalid literal");
    this.pos += word.length;
    return result;
  }

  object(depth: number): { [key: string]: JsonValue } {
    // Keys go into a null-prototype object so that "__proto__" is an ordinary key.
    const out = Object.create(null) as { [key: string]: JsonValue };
    this.pos++; // {
    this.skipWhitespace();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return out;
    }
    for (;;) {
      if (this.text[this.pos] !== '"') this.fail("expected a string key");
      const keyAt = this.pos;
      const key = this.string();
      if (Object.prototype.hasOwnProperty.call(out, key))
        this.fail(`duplicate key ${JSON.stringify(key)}`, keyAt);
      this.skipWhitespace();
      if (this.text[this.pos] !== ":") this.fail("expected ':'");
      this.pos++;
      this.skipWhitespace();
      out[key] = this.value(depth + 1);
      if (!this.another("}", "an object")) return out;
    }
  }

  array(depth: number): JsonValue[] {
    const out: JsonValue[] = [];
    this.pos++; // [
    this.skipWhitespace();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      if (!this.another("]", "an array")) return out;
    }
  }

  /** After a member or an element: past `,` (true, another follows) or past `close` (false). */
  another(close: "}" | "]", container: string): boolean {
    this.skipWhitespace();
    const c = this.text[this.pos];
    if (c === ",") {
      this.pos++;
      this.skipWhitespace();
      return true;
    }
    if (c === close) {
      this.pos++;
      return false;
    }
    if (c === undefined) this.fail(`unexpected end of line in ${container}`);
    this.fail(`expected ',' or '${close}'`);
  }

  string(): string {
    const t = this.text;
    const start = ++this.pos; // opening quote
    // Fast path: no escapes.
    let i = start;
    for (;;) {
      const c = t.charCodeAt(i);
      if (Number.isNaN(c)) this.fail("unterminated string", start - 1);
      if (c === 0x22) {
        this.pos = i + 1;
        return t.slice(start, i);
      }
      if (c === 0x5c) break;
      if (c < 0x20) this.fail("control character in a string", i);
      i++;
    }
    let out = t.slice(start, i);
    while (i < t.length) {
      const c = t.charCodeAt(i);
      if (c === 0x22) {
        this.pos = i + 1;
        return out;
      }
      if (c < 0x20) this.fail("control character in a string", i);
      if (c !== 0x5c) {
        out += t[i];
        i++;
        continue;
      }
      const e = t[i + 1];
      switch (e) {
        case '"':
        case "\\":
        case "/":
          out += e;
          break;
        case "b":
          out += "\b";
          break;
        case "f":
          out += "\f";
          break;
        case "n":
          out += "\n";
          break;
        case "r":
          out += "\r";
          break;
        case "t":
          out += "\t";
          break;
        case "u": {
          const hex = t.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("invalid \\u escape", i);
          out += String.fromCharCode(parseInt(hex, 16));
          i += 4;
          break;
        }
        default:
          this.fail("invalid escape", i);
      }
      i += 2;
    }
    return this.fail("unterminated string", start - 1);
  }

  number(): number | bigint {
    const t = this.text;
    const start = this.pos;
    const match = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    match.lastIndex = start;
    const m = match.exec(t);
    if (m === null || m[0] === "-") this.fail("invalid number");
    const literal = m[0];
    this.pos = start + literal.length;
    const next = t[this.pos];
    if (next !== undefined && /[0-9.eE+-]/.test(next)) this.fail("invalid number");
    if (INTEGER.test(literal)) {
      const n = Number(literal);
      return Number.isSafeInteger(n) ? n : BigInt(literal);
    }
    return Number(literal);
  }
}
