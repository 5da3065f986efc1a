import { expect } from "chai";
import fc from "fast-check";

import { JsonSyntaxError, MAX_JSON_DEPTH, parseJsonExact } from "../../lib/archive/json";

/** JSON.parse's result, or the error it threw. */
function nativeParse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * A parsed value in JSON.parse's terms (a bigint becomes the float JSON.parse would give). Walked
 * by hand, not through JSON.stringify, which would turn -0 into 0.
 */
const plain = (v: unknown): unknown => {
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
};

describe("exact JSON parser", function () {
  it("agrees with JSON.parse on every JSON value, up to the exactness of big integers", function () {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.boolean(), (value, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        expect(plain(parseJsonExact(text))).to.deep.equal(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it("keeps the sign of a zero, as JSON.parse does, also for an underflowing exponent", function () {
    for (const text of ["-0", "[-3.5e-3023]", '{"a":-0.0}', "0"])
      expect(plain(parseJsonExact(text))).to.deep.equal(JSON.parse(text));
  });

  it("never accepts a text JSON.parse rejects, and agrees whenever both accept", function () {
    const jsonish = fc.oneof(
      fc.string({ unit: "binary", maxLength: 40 }),
      fc.jsonValue({ maxDepth: 2 }).chain((v) =>
        fc.tuple(fc.nat(), fc.string({ maxLength: 3 })).map(([at, junk]) => {
          const text = JSON.stringify(v);
          const i = at % (text.length + 1);
          return text.slice(0, i) + junk + text.slice(i);
        }),
      ),
    );
    fc.assert(
      fc.property(jsonish, (text) => {
        const native = nativeParse(text);
        let mine: unknown;
        try {
          mine = parseJsonExact(text);
        } catch (error) {
          expect(error).to.be.instanceOf(JsonSyntaxError);
          return;
        }
        expect(native.ok, `accepted ${JSON.stringify(text)} that JSON.parse rejects`).to.equal(
          true,
        );
        const hasBig = /[0-9]{16,}/.test(text);
        if (!hasBig && native.ok) expect(plain(mine)).to.deep.equal(native.value);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps integers exact: safe ones as numbers, larger ones as bigints", function () {
    expect(parseJsonExact("9007199254740991")).to.equal(9007199254740991);
    expect(parseJsonExact("9007199254740993")).to.equal(9007199254740993n);
    expect(parseJsonExact("-9007199254740993")).to.equal(-9007199254740993n);
    expect(parseJsonExact("18446744073709551616")).to.equal(18446744073709551616n);
    expect(parseJsonExact("1.5")).to.equal(1.5);
    expect(parseJsonExact("1e3")).to.equal(1000);
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), (n) => {
        const parsed = parseJsonExact(`[${n}]`) as (number | bigint)[];
        expect(BigInt(parsed[0]!)).to.equal(n);
        expect(typeof parsed[0]).to.equal(
          Number.isSafeInteger(Number(n)) && BigInt(Number(n)) === n ? "number" : "bigint",
        );
      }),
      { numRuns: 300 },
    );
  });

  it("rejects duplicate keys, with the column of the second", function () {
    expect(() => parseJsonExact('{"a":1,"a":2}')).to.throw(
      JsonSyntaxError,
      'duplicate key "a" at column 8',
    );
    expect(() => parseJsonExact('{"a":{"b":1,"b":1}}')).to.throw(
      JsonSyntaxError,
      'duplicate key "b" at column 13',
    );
  });

  it("treats __proto__ as an ordinary key", function () {
    const value = parseJsonExact('{"__proto__":{"x":1}}') as Record<string, unknown>;
    expect(Object.keys(value)).to.deep.equal(["__proto__"]);
    expect(({} as Record<string, unknown>).x).to.equal(undefined);
  });

  it(`rejects nesting deeper than ${MAX_JSON_DEPTH} levels`, function () {
    const ok = "[".repeat(MAX_JSON_DEPTH + 1) + "]".repeat(MAX_JSON_DEPTH + 1);
    expect(() => parseJsonExact(ok)).to.not.throw();
    const deep = "[".repeat(MAX_JSON_DEPTH + 2) + "]".repeat(MAX_JSON_DEPTH + 2);
    expect(() => parseJsonExact(deep)).to.throw(
      JsonSyntaxError,
      `nesting deeper than ${MAX_JSON_DEPTH}`,
    );
  });
});
