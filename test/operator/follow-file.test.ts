import { expect } from "chai";
import { appendFile, mkdtemp, rename, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import {
  CursorFileError,
  readCursor,
  writeCursor,
  type FollowCursor,
} from "../../lib/follow/cursor";
import { followFile, type FollowedLine, type FollowEvent } from "../../lib/follow/follow-file";

/** Follows `file` in the background, collecting lines and events until stopped. */
function follower(file: string, from?: FollowCursor) {
  const controller = new AbortController();
  const lines: FollowedLine[] = [];
  const events: FollowEvent[] = [];
  const done = (async () => {
    for await (const line of followFile({
      path: file,
      from,
      pollIntervalMs: 10,
      signal: controller.signal,
      onEvent: (event) => events.push(event),
    })) {
      lines.push(line);
    }
  })();
  return {
    lines,
    events,
    texts: () => lines.map((line) => line.text),
    async waitFor(count: number): Promise<void> {
      const deadline = Date.now() + 5_000;
      while (lines.length < count) {
        if (Date.now() > deadline)
          throw new Error(
            `saw ${lines.length} lines, expected ${count}: ${JSON.stringify(lines.map((l) => l.text))}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    async stop(): Promise<void> {
      controller.abort();
      await done;
    },
  };
}

describe("file follower", function () {
  let dir: string;
  let file: string;

  beforeEach(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "follow-"));
    file = path.join(dir, "archive.jsonl");
  });

  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("yields each complete line once as the file grows, holding back a partial line", async function () {
    await writeFile(file, "one\ntwo\nthr");
    const f = follower(file);
    await f.waitFor(2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(f.texts()).to.deep.equal(["one", "two"]);
    await appendFile(file, "ee\r\nfour\n");
    await f.waitFor(4);
    await f.stop();
    expect(f.texts()).to.deep.equal(["one", "two", "three", "four"]);
    expect(f.lines.map((l) => l.lineNumber)).to.deep.equal([1, 2, 3, 4]);
    expect(f.lines[3]?.cursor.offset).to.equal(Buffer.byteLength("one\ntwo\nthree\r\nfour\n"));
  });

  it("waits for a file that does not exist yet", async function () {
    const f = follower(file);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await writeFile(file, "first\n");
    await f.waitFor(1);
    await f.stop();
    expect(f.texts()).to.deep.equal(["first"]);
    expect(f.events[0]).to.deep.equal({ type: "waiting-for-file" });
  });

  it("reads a rotated file to its end, then the new file from its start", async function () {
    await writeFile(file, "a\n");
    const f = follower(file);
    await f.waitFor(1);
    await appendFile(file, "b\n");
    await rename(file, `${file}.1`);
    await writeFile(file, "c\nd\n");
    await f.waitFor(4);
    await f.stop();
    expect(f.texts()).to.deep.equal(["a", "b", "c", "d"]);
    expect(f.events.some((event) => event.type === "rotated")).to.equal(true);
    expect(f.lines[2]?.lineNumber, "line numbers restart in the new file").to.equal(1);
  });

  it("starts again from the beginning when the file is truncated in place", async function () {
    await writeFile(file, "old-1\nold-2\n");
    const f = follower(file);
    await f.waitFor(2);
    await truncate(file, 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await appendFile(file, "new\n");
    await f.waitFor(3);
    await f.stop();
    expect(f.texts()).to.deep.equal(["old-1", "old-2", "new"]);
    expect(f.events.some((event) => event.type === "truncated")).to.equal(true);
  });

  it("resumes after the cursor of a previous run, and from the start when the file was replaced", async function () {
    await writeFile(file, "x\ny\n");
    const first = follower(file);
    await first.waitFor(1);
    await first.stop();
    const cursor = first.lines[0]!.cursor;
    await writeCursor(path.join(dir, "state", "cursor.json"), cursor);
    const saved = await readCursor(path.join(dir, "state", "cursor.json"));
    expect(saved).to.deep.equal(cursor);
    await appendFile(file, "z\n");
    const second = follower(file, saved);
    await second.waitFor(2);
    await second.stop();
    expect(second.texts()).to.deep.equal(["y", "z"]);
    expect(second.lines.map((l) => l.lineNumber)).to.deep.equal([2, 3]);

    await rename(file, `${file}.old`);
    await writeFile(file, "fresh\n");
    const third = follower(file, saved);
    await third.waitFor(1);
    await third.stop();
    expect(third.texts()).to.deep.equal(["fresh"]);
    expect(third.events[0]).to.deep.include({ type: "opened", resumed: false, offset: 0 });
  });

  it("returns at the end of the file when asked to stop there", async function () {
    await writeFile(file, "1\n2\n3");
    const seen: string[] = [];
    for await (const line of followFile({ path: file, stopAtEnd: true })) seen.push(line.text);
    expect(seen).to.deep.equal(["1", "2"]);
  });

  it("names a cursor file it cannot use", async function () {
    const cursorFile = path.join(dir, "cursor.json");
    expect(await readCursor(cursorFile)).to.equal(undefined);
    await writeFile(cursorFile, JSON.stringify({ dev: 1, ino: 2, offset: -1, lineNumber: 0 }));
    try {
      await readCursor(cursorFile);
    } catch (error) {
      expect(error).to.be.instanceOf(CursorFileError);
      expect((error as Error).message).to.equal(
        `${cursorFile}: offset: Number must be greater than or equal to 0`,
      );
      return;
    }
    throw new Error("expected the cursor file to be rejected");
  });
});
