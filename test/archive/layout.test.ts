import { expect } from "chai";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { ArchiveLayoutError } from "../../lib/archive/errors";
import { listWitnessArchives, readWitnessArchive } from "../../lib/archive/layout";
import { sampleLine, temporaryDirectory, writeArchive } from "../support/archive-lines";

describe("archive directory layout", function () {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async function () {
    ({ dir, cleanup } = await temporaryDirectory());
  });
  afterEach(async function () {
    await cleanup();
  });

  it("lists one witness per .jsonl file and per folder, sorted by name, ignoring other files", async function () {
    await writeArchive(join(dir, "witness-b.jsonl"), [sampleLine()]);
    await mkdir(join(dir, "witness-a"));
    await writeArchive(join(dir, "witness-a", "2026-11-20T01.jsonl"), [sampleLine({ epochId: 2 })]);
    await writeArchive(join(dir, "witness-a", "2026-11-20T00.jsonl"), [sampleLine({ epochId: 1 })]);
    await writeFile(join(dir, "witness-a", "notes.txt"), "not an archive");
    await writeFile(join(dir, "README.md"), "# fixtures");
    await writeFile(join(dir, "expected.json"), "{}");
    expect(await listWitnessArchives(dir)).to.deep.equal([
      {
        witness: "witness-a",
        files: [
          join(dir, "witness-a", "2026-11-20T00.jsonl"),
          join(dir, "witness-a", "2026-11-20T01.jsonl"),
        ],
      },
      { witness: "witness-b", files: [join(dir, "witness-b.jsonl")] },
    ]);
  });

  it("reads a witness folder's rotated files in name order as one archive", async function () {
    await mkdir(join(dir, "w"));
    await writeArchive(join(dir, "w", "b.jsonl"), [sampleLine({ epochId: 3 })]);
    await writeArchive(join(dir, "w", "a.jsonl"), [
      sampleLine({ epochId: 1 }),
      sampleLine({ epochId: 2 }),
    ]);
    const [archive] = await listWitnessArchives(dir);
    const ids: bigint[] = [];
    for await (const r of readWitnessArchive(archive!)) ids.push(r.entry.epoch.id);
    expect(ids).to.deep.equal([1n, 2n, 3n]);
  });

  it("rejects a witness folder without a .jsonl file", async function () {
    await mkdir(join(dir, "w"));
    await writeFile(join(dir, "w", "x.txt"), "");
    await expectLayoutError(
      listWitnessArchives(dir),
      `${join(dir, "w")}: witness folder holds no .jsonl file`,
    );
  });

  it("rejects a witness that has both a folder and a file", async function () {
    await mkdir(join(dir, "w"));
    await writeArchive(join(dir, "w", "a.jsonl"), [sampleLine()]);
    await writeArchive(join(dir, "w.jsonl"), [sampleLine()]);
    await expectLayoutError(
      listWitnessArchives(dir),
      `${join(dir, "w.jsonl")}: witness "w" has both a folder and a .jsonl file`,
    );
  });

  it("rejects a directory without witness archives, a file, and a missing path", async function () {
    await expectLayoutError(listWitnessArchives(dir), `${dir}: holds no witness archive`);
    await writeArchive(join(dir, "w.jsonl"), [sampleLine()]);
    await expectLayoutError(
      listWitnessArchives(join(dir, "w.jsonl")),
      `${join(dir, "w.jsonl")}: is not a directory`,
    );
    const missing = join(dir, "missing");
    const error = await expectLayoutError(listWitnessArchives(missing));
    expect(error.message).to.match(
      new RegExp(`^${missing}: cannot read the archive directory \\(Error: ENOENT`),
    );
  });
});

async function expectLayoutError(
  promise: Promise<unknown>,
  message?: string,
): Promise<ArchiveLayoutError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(ArchiveLayoutError);
    if (message !== undefined) expect((error as Error).message).to.equal(message);
    return error as ArchiveLayoutError;
  }
  throw new Error("no ArchiveLayoutError was thrown");
}
