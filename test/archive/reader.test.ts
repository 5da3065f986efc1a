import { expect } from "chai";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

import { ArchiveLineError } from "../../lib/archive/errors";
import { readFileLines, type FileLine } from "../../lib/archive/lines";
import {
  createArchiveReadReport,
  readArchive,
  readArchiveFiles,
  type ArchiveRecord,
  type ReadArchiveOptions,
} from "../../lib/archive/reader";
import { EveryChannelError } from "../../lib/errors";
import {
  sampleLine,
  temporaryDirectory,
  withField,
  writeArchive,
  type LineObject,
} from "../support/archive-lines";

async function collect(file: string, options?: ReadArchiveOptions): Promise<ArchiveRecord[]> {
  const out: ArchiveRecord[] = [];
  for await (const record of readArchive(file, options)) out.push(record);
  return out;
}

async function firstError(file: string): Promise<ArchiveLineError> {
  try {
    await collect(file);
  } catch (error) {
    expect(error).to.be.instanceOf(ArchiveLineError);
    expect(error).to.be.instanceOf(EveryChannelError);
    return error as ArchiveLineError;
  }
  throw new Error(`${file} was read without an error`);
}

const U64_MAX = "18446744073709551615";
const U64_OVER = "18446744073709551616";
const HEX_OK = "ab".repeat(32);

/** [case, line (object or raw text), field, problem] */
type BadLine = [string, LineObject | string, string, string];

const base = sampleLine();
const raw = JSON.stringify(base);

const uint16Fields = [
  "rfChannel",
  "transportStreamId",
  "programNumber",
  "majorChannel",
  "minorChannel",
] as const;

const hexFields: [string, (string | number)[]][] = [
  ["chunks[0].blake3", ["chunks", 0, "blake3"]],
  ["psip.blake3", ["psip", "blake3"]],
  ["manifest.id", ["manifest", "id"]],
  ["capture.nodeId", ["capture", "nodeId"]],
];

const hexProblem = (got: string): string =>
  `must be 64 lower-case hex characters without 0x (got ${got})`;

const badLines: BadLine[] = [
  [
    "truncated JSON",
    raw.slice(0, raw.indexOf('"stream"') + 9),
    "$",
    `invalid JSON: unexpected end of line at column ${raw.indexOf('"stream"') + 10}`,
  ],
  ["a JSON array", "[1,2]", "$", "must be a JSON object (got [1,2])"],
  ["a JSON string", '"x"', "$", 'must be a JSON object (got "x")'],
  ["a JSON null", "null", "$", "must be a JSON object (got null)"],
  [
    "trailing garbage after the object",
    `${raw} x`,
    "$",
    `invalid JSON: unexpected text after the JSON value at column ${raw.length + 2}`,
  ],
  [
    "two objects on one line",
    `${raw}${raw}`,
    "$",
    `invalid JSON: unexpected text after the JSON value at column ${raw.length + 1}`,
  ],
  [
    "a duplicated key",
    raw.replace('"profile":', '"profile":"x","profile":'),
    "$",
    `invalid JSON: duplicate key "profile" at column ${raw.indexOf('"profile":') + 15}`,
  ],
  [
    "a single-quoted string",
    raw.replace('"US"', "'US'"),
    "$",
    `invalid JSON: unexpected character "'" at column ${raw.indexOf('"US"') + 1}`,
  ],
  [
    "a leading zero",
    raw.replace('"rfChannel":7', '"rfChannel":07'),
    "$",
    `invalid JSON: invalid number at column ${raw.indexOf('"rfChannel":7') + 14}`,
  ],
  ["a missing schema", withField(base, ["schema"], undefined), "schema", "is required"],
  [
    "an unknown schema",
    withField(base, ["schema"], "every.channel/archive/epoch/v2"),
    "schema",
    'unknown schema "every.channel/archive/epoch/v2" (expected "every.channel/archive/epoch/v1")',
  ],
  [
    "a schema of the wrong type",
    withField(base, ["schema"], 1),
    "schema",
    'unknown schema 1 (expected "every.channel/archive/epoch/v1")',
  ],
  ["a missing stream", withField(base, ["stream"], undefined), "stream", "is required"],
  [
    "a stream that is a string",
    withField(base, ["stream"], "kgo"),
    "stream",
    'must be an object (got "kgo")',
  ],
  [
    "a missing broadcast",
    withField(base, ["stream", "broadcast"], undefined),
    "stream.broadcast",
    "is required",
  ],
  [
    "an unknown standard",
    withField(base, ["stream", "broadcast", "standard"], "atsc2"),
    "stream.broadcast.standard",
    'must be one of atsc1, atsc3, dvb-t, dvb-t2, isdb-t, ip (got "atsc2")',
  ],
  [
    "an upper-case standard",
    withField(base, ["stream", "broadcast", "standard"], "ATSC1"),
    "stream.broadcast.standard",
    'must be one of atsc1, atsc3, dvb-t, dvb-t2, isdb-t, ip (got "ATSC1")',
  ],
  [
    "a missing standard",
    withField(base, ["stream", "broadcast", "standard"], undefined),
    "stream.broadcast.standard",
    "is required",
  ],
  ...["us", "USA", "U", "U1", ""].map(
    (region): BadLine => [
      `region ${JSON.stringify(region)}`,
      withField(base, ["stream", "broadcast", "region"], region),
      "stream.broadcast.region",
      `must be an ISO 3166-1 alpha-2 code (two upper-case letters) (got ${JSON.stringify(region)})`,
    ],
  ),
  ...uint16Fields.flatMap((field): BadLine[] => [
    [
      `a missing ${field}`,
      withField(base, ["stream", "broadcast", field], undefined),
      `stream.broadcast.${field}`,
      "is required",
    ],
    [
      `${field} above uint16`,
      withField(base, ["stream", "broadcast", field], 65536),
      `stream.broadcast.${field}`,
      "must be an integer in 0..65535 (got 65536)",
    ],
    [
      `a negative ${field}`,
      withField(base, ["stream", "broadcast", field], -1),
      `stream.broadcast.${field}`,
      "must be an integer in 0..65535 (got -1)",
    ],
    [
      `a fractional ${field}`,
      withField(base, ["stream", "broadcast", field], 1.5),
      `stream.broadcast.${field}`,
      "must be an integer in 0..65535 (got 1.5)",
    ],
    [
      `${field} as a string`,
      withField(base, ["stream", "broadcast", field], "7"),
      `stream.broadcast.${field}`,
      'must be an integer in 0..65535 (got "7")',
    ],
    [
      `${field} as null`,
      withField(base, ["stream", "broadcast", field], null),
      `stream.broadcast.${field}`,
      "must be an integer in 0..65535 (got null)",
    ],
  ]),
  [
    "a numeric callsign",
    withField(base, ["stream", "broadcast", "callsign"], 7),
    "stream.broadcast.callsign",
    "must be a string (got 7)",
  ],
  [
    "a lone surrogate in the callsign",
    raw.replace('"KGO-HD"', '"KGO\\ud800"'),
    "stream.broadcast.callsign",
    'must be well-formed Unicode (lone surrogate) (got "KGO\\ud800")',
  ],
  [
    "a callsign over 1024 characters",
    withField(base, ["stream", "broadcast", "callsign"], "K".repeat(1025)),
    "stream.broadcast.callsign",
    `must be at most 1024 characters (got "${"K".repeat(77)}...")`,
  ],
  [
    "a plus sign before a number",
    raw.replace('"rfChannel":7', '"rfChannel":+7'),
    "$",
    `invalid JSON: unexpected character "+" at column ${raw.indexOf('"rfChannel":7') + 13}`,
  ],
  [
    "NaN",
    raw.replace('"rfChannel":7', '"rfChannel":NaN'),
    "$",
    `invalid JSON: unexpected character "N" at column ${raw.indexOf('"rfChannel":7') + 13}`,
  ],
  [
    "a missing callsign",
    withField(base, ["stream", "broadcast", "callsign"], undefined),
    "stream.broadcast.callsign",
    "is required",
  ],
  [
    "an empty profile",
    withField(base, ["stream", "profile"], ""),
    "stream.profile",
    'must not be empty (got "")',
  ],
  [
    "a missing profile",
    withField(base, ["stream", "profile"], undefined),
    "stream.profile",
    "is required",
  ],
  ["a missing epoch", withField(base, ["epoch"], undefined), "epoch", "is required"],
  ["a missing epoch id", withField(base, ["epoch", "id"], undefined), "epoch.id", "is required"],
  [
    "a negative epoch id",
    withField(base, ["epoch", "id"], -1),
    "epoch.id",
    `must be an integer in 0..${U64_MAX} (got -1)`,
  ],
  [
    "an epoch id above uint64",
    raw.replace('"id":289000000', `"id":${U64_OVER}`),
    "epoch.id",
    `must be an integer in 0..${U64_MAX} (got ${U64_OVER}n)`,
  ],
  [
    "an epoch id with an exponent",
    raw.replace('"id":289000000', '"id":1e20'),
    "epoch.id",
    `must be an integer in 0..${U64_MAX} (got 100000000000000000000)`,
  ],
  [
    "an epoch id as a string",
    withField(base, ["epoch", "id"], "289000000"),
    "epoch.id",
    `must be an integer in 0..${U64_MAX} (got "289000000")`,
  ],
  [
    "a fractional start",
    withField(base, ["epoch", "startUnixMs"], 1.25),
    "epoch.startUnixMs",
    `must be an integer in 0..${U64_MAX} (got 1.25)`,
  ],
  [
    "a missing start",
    withField(base, ["epoch", "startUnixMs"], undefined),
    "epoch.startUnixMs",
    "is required",
  ],
  [
    "a zero duration",
    withField(base, ["epoch", "durationMs"], 0),
    "epoch.durationMs",
    "must be an integer in 1..4294967295 (got 0)",
  ],
  [
    "a duration above uint32",
    withField(base, ["epoch", "durationMs"], 4294967296),
    "epoch.durationMs",
    "must be an integer in 1..4294967295 (got 4294967296)",
  ],
  ["a missing chunk list", withField(base, ["chunks"], undefined), "chunks", "is required"],
  [
    "a chunk list that is an object",
    withField(base, ["chunks"], {}),
    "chunks",
    "must be an array (got {})",
  ],
  [
    "an empty chunk list",
    withField(base, ["chunks"], []),
    "chunks",
    "must list at least one chunk",
  ],
  [
    "a chunk that is a number",
    withField(base, ["chunks", 1], 3),
    "chunks[1]",
    "must be an object (got 3)",
  ],
  [
    "a hole in the chunk indices",
    withField(base, ["chunks", 1, "index"], 2),
    "chunks[1].index",
    "must be 1: chunk indices run 0..n-1 in order without holes (got 2)",
  ],
  [
    "chunks out of order",
    withField(withField(base, ["chunks", 0, "index"], 1), ["chunks", 1, "index"], 0),
    "chunks[0].index",
    "must be 0: chunk indices run 0..n-1 in order without holes (got 1)",
  ],
  [
    "indices starting at 1",
    withField(withField(base, ["chunks", 0, "index"], 1), ["chunks", 1, "index"], 2),
    "chunks[0].index",
    "must be 0: chunk indices run 0..n-1 in order without holes (got 1)",
  ],
  [
    "a missing chunk index",
    withField(base, ["chunks", 0, "index"], undefined),
    "chunks[0].index",
    "is required",
  ],
  [
    "a zero-byte chunk",
    withField(base, ["chunks", 1, "bytes"], 0),
    "chunks[1].bytes",
    "must be an integer in 1..4294967295 (got 0)",
  ],
  [
    "a chunk above uint32 bytes",
    withField(base, ["chunks", 1, "bytes"], 2 ** 32),
    "chunks[1].bytes",
    "must be an integer in 1..4294967295 (got 4294967296)",
  ],
  [
    "a missing chunk size",
    withField(base, ["chunks", 1, "bytes"], undefined),
    "chunks[1].bytes",
    "is required",
  ],
  ...hexFields.flatMap(([field, path]): BadLine[] => [
    [
      `${field} in upper case`,
      withField(base, path, HEX_OK.toUpperCase()),
      field,
      hexProblem(JSON.stringify(HEX_OK.toUpperCase())),
    ],
    [
      `${field} with 0x`,
      withField(base, path, `0x${HEX_OK.slice(2)}`),
      field,
      hexProblem(JSON.stringify(`0x${HEX_OK.slice(2)}`)),
    ],
    [
      `${field} one character short`,
      withField(base, path, HEX_OK.slice(1)),
      field,
      hexProblem(JSON.stringify(HEX_OK.slice(1))),
    ],
    [
      `${field} one character long`,
      withField(base, path, `${HEX_OK}a`),
      field,
      hexProblem(JSON.stringify(`${HEX_OK}a`)),
    ],
    [
      `${field} with a non-hex character`,
      withField(base, path, `g${HEX_OK.slice(1)}`),
      field,
      hexProblem(JSON.stringify(`g${HEX_OK.slice(1)}`)),
    ],
    [`${field} as a number`, withField(base, path, 12), field, hexProblem("12")],
    [`a missing ${field}`, withField(base, path, undefined), field, "is required"],
  ]),
  [
    "a psip that is a string",
    withField(base, ["psip"], "x"),
    "psip",
    'must be an object (got "x")',
  ],
  ["a missing manifest", withField(base, ["manifest"], undefined), "manifest", "is required"],
  [
    "an empty manifest path",
    withField(base, ["manifest", "path"], ""),
    "manifest.path",
    'must not be empty (got "")',
  ],
  [
    "a missing manifest path",
    withField(base, ["manifest", "path"], undefined),
    "manifest.path",
    "is required",
  ],
  ["a missing capture", withField(base, ["capture"], undefined), "capture", "is required"],
  [
    "an empty device",
    withField(base, ["capture", "device"], ""),
    "capture.device",
    'must not be empty (got "")',
  ],
  [
    "a negative receive time",
    withField(base, ["capture", "receivedUnixMs"], -5),
    "capture.receivedUnixMs",
    `must be an integer in 0..${U64_MAX} (got -5)`,
  ],
  [
    "a missing receive time",
    withField(base, ["capture", "receivedUnixMs"], undefined),
    "capture.receivedUnixMs",
    "is required",
  ],
];

describe("archive reader", function () {
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async function () {
    ({ dir, cleanup } = await temporaryDirectory());
  });
  after(async function () {
    await cleanup();
  });

  it("reads every valid line with its file and 1-based line number", async function () {
    const file = join(dir, "valid.jsonl");
    await writeArchive(file, [sampleLine({ epochId: 1 }), sampleLine({ epochId: 2 })]);
    const records = await collect(file);
    expect(records.map((r) => [r.file, r.line, r.entry.epoch.id])).to.deep.equal([
      [file, 1, 1n],
      [file, 2, 2n],
    ]);
    const entry = records[0]!.entry;
    expect(entry.chunks[0]!.blake3).to.equal(`0x${"10".repeat(32)}`);
    expect(entry.psip).to.deep.equal({ blake3: `0x${"ee".repeat(32)}` });
    expect(entry.epoch).to.deep.equal({ id: 1n, startUnixMs: 6000n, durationMs: 6000 });
  });

  for (const [name, line, field, problem] of badLines) {
    it(`rejects ${name} as "${field}: ${problem.length > 60 ? problem.slice(0, 57) + "..." : problem}"`, async function () {
      const file = join(dir, "bad.jsonl");
      await writeArchive(file, [sampleLine({ epochId: 1 }), line, sampleLine({ epochId: 3 })]);
      const error = await firstError(file);
      expect(error.message).to.equal(`${file}:2: ${field}: ${problem}`);
      expect([error.file, error.line, error.field, error.problem]).to.deep.equal([
        file,
        2,
        field,
        problem,
      ]);
    });
  }

  it("keeps uint64 values exact above 2^53, up to 2^64 - 1", async function () {
    const file = join(dir, "big.jsonl");
    const text = raw
      .replace('"id":289000000', `"id":${U64_MAX}`)
      .replace(/"startUnixMs":\d+/, '"startUnixMs":9007199254740993')
      .replace(/"receivedUnixMs":\d+/, `"receivedUnixMs":${U64_MAX}`);
    await writeArchive(file, [text]);
    const [record] = await collect(file);
    expect(record!.entry.epoch.id).to.equal(2n ** 64n - 1n);
    expect(record!.entry.epoch.startUnixMs).to.equal(9007199254740993n);
    expect(record!.entry.capture.receivedUnixMs).to.equal(2n ** 64n - 1n);
  });

  it("accepts boundary values: uint16 65535, uint32 durations and sizes, epoch 0, one chunk", async function () {
    let line = sampleLine({ epochId: 0, chunks: 1 });
    for (const field of uint16Fields) line = withField(line, ["stream", "broadcast", field], 65535);
    line = withField(line, ["epoch", "durationMs"], 4294967295);
    line = withField(line, ["chunks", 0, "bytes"], 4294967295);
    const file = join(dir, "bounds.jsonl");
    await writeArchive(file, [line]);
    const [record] = await collect(file);
    expect(record!.entry.stream.broadcast.minorChannel).to.equal(65535);
    expect(record!.entry.epoch.durationMs).to.equal(4294967295);
    expect(record!.entry.chunks).to.have.length(1);
  });

  it("accepts an integer written with a zero fraction, such as 7.0", async function () {
    const file = join(dir, "float.jsonl");
    await writeArchive(file, [raw.replace('"rfChannel":7', '"rfChannel":7.0')]);
    expect((await collect(file))[0]!.entry.stream.broadcast.rfChannel).to.equal(7);
  });

  it("ignores unknown fields at every level and drops them from the entry", async function () {
    let line = withField(sampleLine(), ["x-ingest"], { host: "a" });
    line = withField(line, ["stream", "broadcast", "x-signal-dbm"], -61.5);
    line = withField(line, ["chunks", 0, "x-pcr"], 1234);
    line = withField(line, ["capture", "x-tuner"], 2);
    const file = join(dir, "extra.jsonl");
    await writeArchive(file, [line]);
    const [record] = await collect(file);
    const entry = record!.entry as unknown as Record<string, unknown>;
    expect(entry).to.not.have.property("x-ingest");
    expect(record!.entry.stream.broadcast).to.not.have.property("x-signal-dbm");
    expect(record!.entry.chunks[0]).to.not.have.property("x-pcr");
  });

  it("treats an absent psip and a null psip alike", async function () {
    const file = join(dir, "psip.jsonl");
    await writeArchive(file, [
      sampleLine({ psip: false }),
      withField(sampleLine(), ["psip"], null),
    ]);
    const records = await collect(file);
    expect(records.map((r) => r.entry.psip)).to.deep.equal([null, null]);
  });

  it("reads CRLF line endings like LF ones", async function () {
    const lf = join(dir, "lf.jsonl");
    const crlf = join(dir, "crlf.jsonl");
    const lines = [sampleLine({ epochId: 1 }), sampleLine({ epochId: 2 })];
    await writeArchive(lf, lines);
    await writeArchive(crlf, lines, "\r\n");
    const a = await collect(lf);
    const b = await collect(crlf);
    expect(b.map((r) => [r.line, r.entry])).to.deep.equal(a.map((r) => [r.line, r.entry]));
  });

  it("reads a last line without a line ending and a byte order mark on line 1", async function () {
    const file = join(dir, "bom.jsonl");
    await writeFile(
      file,
      `\uFEFF${JSON.stringify(sampleLine({ epochId: 1 }))}\n${JSON.stringify(sampleLine({ epochId: 2 }))}`,
    );
    expect((await collect(file)).map((r) => r.line)).to.deep.equal([1, 2]);
  });

  it("rejects a byte order mark on a later line", async function () {
    const file = join(dir, "bom2.jsonl");
    await writeFile(
      file,
      `${JSON.stringify(sampleLine())}\n\uFEFF${JSON.stringify(sampleLine())}\n`,
    );
    expect((await firstError(file)).message).to.equal(
      `${file}:2: $: invalid JSON: unexpected character "\uFEFF" at column 1`,
    );
  });

  it("ignores blank and whitespace-only lines but keeps counting them", async function () {
    const file = join(dir, "blank.jsonl");
    await writeArchive(file, [
      "",
      sampleLine({ epochId: 1 }),
      "   ",
      "\t",
      sampleLine({ epochId: 2 }),
      "{",
    ]);
    const report = createArchiveReadReport();
    const records: ArchiveRecord[] = [];
    try {
      for await (const r of readArchive(file, { report })) records.push(r);
      expect.fail("the last line is invalid");
    } catch (error) {
      expect((error as Error).message).to.equal(
        `${file}:6: $: invalid JSON: expected a string key at column 2`,
      );
    }
    expect(records.map((r) => r.line)).to.deep.equal([2, 5]);
    expect(report).to.include({ lines: 6, blankLines: 3, entries: 2, skipped: 0 });
  });

  it("reads an empty file as no entries", async function () {
    const file = join(dir, "empty.jsonl");
    await writeFile(file, "");
    expect(await collect(file)).to.deep.equal([]);
  });

  it("rejects a line that is not valid UTF-8", async function () {
    const file = join(dir, "utf8.jsonl");
    const good = Buffer.from(JSON.stringify(sampleLine()) + "\n");
    const bad = Buffer.from(
      JSON.stringify(sampleLine()).replace("KGO-HD", "KGO-\u00ff\u00ff"),
      "latin1",
    );
    await writeFile(file, Buffer.concat([good, bad, Buffer.from("\n")]));
    expect((await firstError(file)).message).to.equal(`${file}:2: $: line is not valid UTF-8`);
  });

  it("keeps non-ASCII callsigns as their exact UTF-8 text", async function () {
    const file = join(dir, "unicode.jsonl");
    await writeArchive(file, [
      withField(sampleLine(), ["stream", "broadcast", "callsign"], "NHK総合 \u00e9"),
    ]);
    expect((await collect(file))[0]!.entry.stream.broadcast.callsign).to.equal("NHK総合 \u00e9");
  });

  it("rejects a line longer than maxLineBytes without holding it whole, then reads on", async function () {
    const file = join(dir, "long.jsonl");
    const long = withField(sampleLine(), ["x-pad"], "p".repeat(5000));
    await writeArchive(file, [sampleLine({ epochId: 1 }), long, sampleLine({ epochId: 3 })]);
    const errors: ArchiveLineError[] = [];
    const records = await collect(file, {
      maxLineBytes: 2000,
      skipInvalid: true,
      onInvalid: (e) => errors.push(e),
    });
    expect(errors.map((e) => e.message)).to.deep.equal([
      `${file}:2: $: line is longer than 2000 bytes`,
    ]);
    expect(records.map((r) => r.line)).to.deep.equal([1, 3]);
  });

  it("stops at the first bad line after yielding the lines before it", async function () {
    const file = join(dir, "stop.jsonl");
    await writeArchive(file, [
      sampleLine({ epochId: 1 }),
      "oops",
      "also bad",
      sampleLine({ epochId: 4 }),
    ]);
    const seen: number[] = [];
    let message = "";
    try {
      for await (const r of readArchive(file)) seen.push(r.line);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(seen).to.deep.equal([1]);
    expect(message).to.equal(`${file}:2: $: invalid JSON: unexpected character "o" at column 1`);
  });

  it("with skipInvalid reports every bad line, counts them and yields the good ones", async function () {
    const file = join(dir, "skip.jsonl");
    await writeArchive(file, [
      sampleLine({ epochId: 1 }),
      "oops",
      withField(sampleLine({ epochId: 3 }), ["epoch", "durationMs"], 0),
      "",
      sampleLine({ epochId: 5 }),
      withField(sampleLine({ epochId: 6 }), ["schema"], "v0"),
    ]);
    const reported: string[] = [];
    const report = createArchiveReadReport();
    const records = await collect(file, {
      skipInvalid: true,
      report,
      onInvalid: (e) => reported.push(e.message),
    });
    expect(records.map((r) => r.line)).to.deep.equal([1, 5]);
    expect(reported).to.deep.equal([
      `${file}:2: $: invalid JSON: unexpected character "o" at column 1`,
      `${file}:3: epoch.durationMs: must be an integer in 1..4294967295 (got 0)`,
      `${file}:6: schema: unknown schema "v0" (expected "every.channel/archive/epoch/v1")`,
    ]);
    expect(report).to.include({ files: 1, lines: 6, blankLines: 1, entries: 2, skipped: 3 });
    expect(report.errors.map((e) => e.message)).to.deep.equal(reported);
  });

  it("keeps at most maxKeptErrors errors but counts every skipped line", async function () {
    const file = join(dir, "many.jsonl");
    await writeArchive(
      file,
      Array.from({ length: 50 }, () => "x"),
    );
    const report = createArchiveReadReport();
    await collect(file, { skipInvalid: true, report, maxKeptErrors: 5 });
    expect(report.skipped).to.equal(50);
    expect(report.errors.map((e) => e.line)).to.deep.equal([1, 2, 3, 4, 5]);
  });

  it("reads several files as one archive, in the order given, adding up the report", async function () {
    const a = join(dir, "part-a.jsonl");
    const b = join(dir, "part-b.jsonl");
    await writeArchive(a, [sampleLine({ epochId: 1 })]);
    await writeArchive(b, [sampleLine({ epochId: 2 }), sampleLine({ epochId: 3 })]);
    const report = createArchiveReadReport();
    const seen: string[] = [];
    for await (const r of readArchiveFiles([b, a], { report })) seen.push(`${r.file}:${r.line}`);
    expect(seen).to.deep.equal([`${b}:1`, `${b}:2`, `${a}:1`]);
    expect(report).to.include({ files: 2, lines: 3, entries: 3 });
  });

  it("splits lines correctly across tiny read buffers, with CRLF endings", async function () {
    const file = join(dir, "split.jsonl");
    const lines = Array.from({ length: 40 }, (_, i) =>
      sampleLine({ epochId: i, chunks: 1 + (i % 7) }),
    );
    await writeArchive(file, [...lines, ""], "\r\n");
    const seen: FileLine[] = [];
    for await (const l of readFileLines(file, { highWaterMark: 97 })) seen.push(l);
    expect(seen).to.deep.equal([
      ...lines.map((l, i) => ({ line: i + 1, text: JSON.stringify(l) })),
      { line: 41, text: "" },
    ]);
  });
});
