import { expect } from "chai";
import fc from "fast-check";

import { JsonSyntaxError, parseJsonExact, parseJsonFast } from "../../lib/archive/json";
import {
  checkArchiveLine,
  checkArchiveValue,
  checkArchiveValueWithSchema,
  type ArchiveLineCheck,
} from "../../lib/archive/schema";
import { validateArchiveEntry } from "../../lib/archive/validate";
import {
  broadcastPartArb,
  lineWithNoise,
  localNoiseArb,
  toArchiveJson,
} from "../support/archive-arbitraries";
import { sampleLine } from "../support/archive-lines";

const RUNS = 300;

/** JSON text of a value, bigints marked, keys in their order: equal texts ⇔ equal values and order. */
function ordered(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "bigint" ? `${v}n` : Object.is(v, -0) ? "-0" : v,
  );
}

/** A value with null-prototype objects turned into ordinary ones (the exact parser makes the former). */
function plainCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainCopy);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value))
      Object.defineProperty(out, key, {
        value: plainCopy((value as Record<string, unknown>)[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  }
  return value;
}

/** checkArchiveLine as it was before the fast paths: exact parser, then the schema. */
function checkArchiveLineWithSchema(text: string): ArchiveLineCheck {
  let value: unknown;
  try {
    value = parseJsonExact(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError)
      return { ok: false, field: "$", problem: `invalid JSON: ${error.message}` };
    throw error;
  }
  return checkArchiveValueWithSchema(value);
}

const UINT64_MAX = 2n ** 64n - 1n;

/** Values that sit on or just beyond the rules of some field. */
const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    undefined,
    null,
    true,
    0,
    -0,
    1,
    -1,
    1.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    0xffff,
    0x10000,
    0xffff_ffff,
    0x1_0000_0000,
    2 ** 53,
    Number.MAX_SAFE_INTEGER,
    0n,
    1n,
    -1n,
    0xffffn,
    0x1_0000_0000n,
    UINT64_MAX,
    UINT64_MAX + 1n,
    "",
    "US",
    "us",
    "USA",
    "atsc1",
    "ATSC1",
    "ip",
    "\uD800",
    "a\uDC00b",
    "\uD83D\uDE00",
    "x".repeat(1024),
    "x".repeat(1025),
    "ab".repeat(32),
    "AB".repeat(32),
    "ab".repeat(31),
    `0x${"ab".repeat(32)}`,
    "every.channel/archive/epoch/v1",
    [],
    {},
    [{}],
    new Date(0),
    new Map(),
    { then: () => 0, catch: () => 0 },
    Object.create(null) as object,
  ),
  fc.integer(),
  fc.bigInt({ min: -1n, max: UINT64_MAX + 1n }),
  fc.string({ maxLength: 70 }),
  fc.anything({ maxDepth: 2 }),
);

type Path = (string | number)[];

/** Every path into a line object (objects and arrays included), in a fixed order. */
function paths(value: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [];
  if (Array.isArray(value))
    value.forEach((v, i) => out.push([...prefix, i], ...paths(v, [...prefix, i])));
  else if (typeof value === "object" && value !== null)
    for (const key of Object.keys(value))
      out.push(
        [...prefix, key],
        ...paths((value as Record<string, unknown>)[key], [...prefix, key]),
      );
  return out;
}

/** A copy of `line` with `path` set to `value` (deleted for undefined) — one or a few mutations. */
function mutated(line: Record<string, unknown>, changes: [number, unknown][]): unknown {
  let copy: unknown = structuredClone(line);
  for (const [pick, value] of changes) {
    const all = paths(copy);
    if (all.length === 0) return value;
    const path = all[pick % all.length]!;
    let cursor = copy as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) cursor = cursor[key] as Record<string | number, unknown>;
    const last = path.at(-1)!;
    if (value === undefined && !Array.isArray(cursor)) delete cursor[last];
    else cursor[last] = value;
  }
  return copy;
}

const validLineArb = fc
  .tuple(broadcastPartArb, localNoiseArb)
  .map(([part, noise]) => lineWithNoise(part, noise));

const changesArb = fc.array(fc.tuple(fc.nat(), oddValue), { minLength: 1, maxLength: 3 });

describe("fast archive line check", function () {
  describe("hand-written validation against the schema", function () {
    it("accepts every valid line and returns exactly the schema's entry, key order included", function () {
      fc.assert(
        fc.property(validLineArb, (line) => {
          const fast = validateArchiveEntry(line);
          const schema = checkArchiveValueWithSchema(line);
          expect(schema.ok).to.equal(true);
          expect(fast).to.not.equal(undefined);
          if (schema.ok) expect(ordered(fast)).to.equal(ordered(schema.entry));
        }),
        { numRuns: RUNS },
      );
    });

    it("accepts exactly the values the schema accepts, on lines with one to three odd fields", function () {
      let rejected = 0;
      fc.assert(
        fc.property(validLineArb, changesArb, (line, changes) => {
          const value = mutated(line, changes);
          const fast = validateArchiveEntry(value);
          const schema = checkArchiveValueWithSchema(value);
          expect(fast !== undefined, ordered(value)).to.equal(schema.ok);
          if (schema.ok) expect(ordered(fast)).to.equal(ordered(schema.entry));
          else rejected++;
          expect(checkArchiveValue(value)).to.deep.equal(schema);
        }),
        { numRuns: RUNS * 2 },
      );
      expect(rejected).to.be.greaterThan(RUNS / 2);
    });

    it("agrees with the schema on arbitrary values", function () {
      fc.assert(
        fc.property(fc.anything(), (value) => {
          expect(validateArchiveEntry(value) !== undefined).to.equal(
            checkArchiveValueWithSchema(value).ok,
          );
          expect(checkArchiveValue(value)).to.deep.equal(checkArchiveValueWithSchema(value));
        }),
        { numRuns: RUNS },
      );
    });

    it("agrees with the schema on the boundaries of every integer field", function () {
      const integerPaths: Path[] = [
        ["stream", "broadcast", "rfChannel"],
        ["stream", "broadcast", "minorChannel"],
        ["epoch", "id"],
        ["epoch", "startUnixMs"],
        ["epoch", "durationMs"],
        ["chunks", 0, "bytes"],
        ["chunks", 1, "index"],
        ["capture", "receivedUnixMs"],
      ];
      const values: unknown[] = [
        -1,
        -0,
        0,
        1,
        0xffff,
        0x10000,
        0xffff_ffff,
        0x1_0000_0000,
        Number.MAX_SAFE_INTEGER,
        2 ** 53,
        7.0,
        7.5,
        -1n,
        0n,
        1n,
        0xffffn,
        0x10000n,
        0xffff_ffffn,
        0x1_0000_0000n,
        UINT64_MAX,
        UINT64_MAX + 1n,
      ];
      for (const path of integerPaths)
        for (const v of values) {
          const value = structuredClone(sampleLine()) as Record<string, unknown>;
          let cursor = value as Record<string | number, unknown>;
          for (const key of path.slice(0, -1))
            cursor = cursor[key] as Record<string | number, unknown>;
          cursor[path.at(-1)!] = v;
          const fast = validateArchiveEntry(value);
          const schema = checkArchiveValueWithSchema(value);
          expect(fast !== undefined, `${path.join(".")} = ${String(v)}`).to.equal(schema.ok);
          if (schema.ok) expect(ordered(fast)).to.equal(ordered(schema.entry));
        }
    });
  });

  describe("JSON.parse fast path against the exact parser", function () {
    const jsonTextArb = fc.oneof(
      fc.json({ maxDepth: 3 }),
      validLineArb.map((line) => toArchiveJson(line)),
      fc.tuple(validLineArb, fc.nat(), fc.string({ maxLength: 3 })).map(([line, at, insert]) => {
        const text = toArchiveJson(line);
        const i = at % (text.length + 1);
        return text.slice(0, i) + insert + text.slice(i);
      }),
      fc.tuple(validLineArb, fc.nat()).map(([line, at]) => {
        const text = toArchiveJson(line);
        return text.slice(0, at % (text.length + 1));
      }),
      fc.constantFrom(
        '{"a":1,"a":2}',
        '{"a":{"b":1,"b":1}}',
        '{"a":1,"b":{"a":2},"c":[{"d":1},{"d":1,"d":2}]}',
        '{"__proto__":{"x":1},"y":2}',
        '{"a":"x:y","b":"{[:"}',
        '{"a":"\\u0041","a":1}',
        "9007199254740993",
        "[9007199254740991,9007199254740993,-9007199254740993,18446744073709551616]",
        "[1.00000000000000001,100000000000000000000e-5,123456789012345]",
        "-0",
        "[-0]",
        "1e400",
        "01",
        "{}",
        "[]",
        '"unterminated',
        "{",
        "[".repeat(33) + "]".repeat(33),
        "[".repeat(64) + "]".repeat(64),
        "[".repeat(66) + "]".repeat(66),
        '{"a":1} x',
        ' \t{"a" : [1 , 2]}\r\n',
      ),
    );

    it("gives the same value or the same error as the exact parser", function () {
      fc.assert(
        fc.property(jsonTextArb, (text) => {
          let exact: unknown;
          let exactError: string | undefined;
          try {
            exact = parseJsonExact(text);
          } catch (error) {
            exactError = (error as Error).message;
          }
          let fast: unknown;
          let fastError: string | undefined;
          try {
            fast = parseJsonFast(text);
          } catch (error) {
            fastError = (error as Error).message;
          }
          expect(fastError).to.equal(exactError);
          expect(ordered(plainCopy(fast))).to.equal(ordered(plainCopy(exact)));
        }),
        { numRuns: RUNS * 2 },
      );
    });

    it("checks lines exactly as the exact parser and the schema do, errors included", function () {
      const lineTextArb = fc.oneof(
        fc
          .tuple(validLineArb, fc.integer(), fc.boolean())
          .map(([line, seed, spaced]) => toArchiveJson(line, { seed, spaced })),
        fc.tuple(validLineArb, changesArb).map(([line, changes]) => {
          try {
            return toArchiveJson(mutated(line, changes));
          } catch {
            return toArchiveJson(line);
          }
        }),
        jsonTextArb,
      );
      fc.assert(
        fc.property(lineTextArb, (text) => {
          expect(checkArchiveLine(text)).to.deep.equal(checkArchiveLineWithSchema(text));
        }),
        { numRuns: RUNS * 2 },
      );
    });
  });
});
