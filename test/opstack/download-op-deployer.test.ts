import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { runScript, type ScriptResult } from "../smoke/support/run-script";
import { startFileServer, type FileServer } from "./support/file-server";
import { requireTools } from "./support/tools";

const SCRIPT = "scripts/op-stack/download-op-deployer.sh";
const VERSION = "0.7.1";
const PLATFORM = "linux-amd64";
const ASSET = `op-deployer-${VERSION}-${PLATFORM}.tar.gz`;
const RELEASE_PATH = `/releases/op-deployer%2Fv${VERSION}/${ASSET}`;

const sha256 = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");

/** Builds a release archive shaped like the real one: <top>/op-deployer inside a .tar.gz. */
function buildArchive(dir: string, top: string, program: string): Buffer {
  const root = path.join(dir, `build-${top}-${sha256(Buffer.from(program)).slice(0, 8)}`);
  mkdirSync(path.join(root, top), { recursive: true });
  const binary = path.join(root, top, "op-deployer");
  writeFileSync(binary, program);
  chmodSync(binary, 0o644); // the script must make it executable, and only after verifying
  const out = path.join(root, "release.tar.gz");
  execFileSync("tar", ["-czf", out, "-C", root, top]);
  return readFileSync(out);
}

describe("scripts/op-stack/download-op-deployer.sh", function () {
  let dir: string;
  let archive: Buffer;
  let otherArchive: Buffer;
  let server: FileServer;
  let pins: string;

  before(async function () {
    requireTools(this, ["curl", "tar"], "downloader tests against a 127.0.0.1 release server");
    dir = mkdtempSync(path.join(tmpdir(), "download-op-deployer-"));
    const top = `op-deployer-${VERSION}-${PLATFORM}`;
    archive = buildArchive(dir, top, '#!/bin/sh\necho "op-deployer version 0.7.1-test"\n');
    otherArchive = buildArchive(dir, top, '#!/bin/sh\necho "tampered"\n');
    const checksums =
      `${sha256(archive)}  ${ASSET}\n` +
      `${"ab".repeat(32)}  op-deployer-${VERSION}-darwin-arm64.tar.gz\n` +
      `${"cd".repeat(32)}  op-deployer_${VERSION}_checksums.sig\n`;
    server = await startFileServer(
      new Map([
        [RELEASE_PATH, archive],
        [`/tampered/op-deployer%2Fv${VERSION}/${ASSET}`, otherArchive],
        [`/releases/op-deployer%2Fv${VERSION}/checksums.txt`, Buffer.from(checksums)],
      ]),
    );
    pins = path.join(dir, "op-deployer.pins");
    writeFileSync(
      pins,
      `# test pins\n${VERSION} ${PLATFORM} ${sha256(archive)}\n${VERSION} darwin-arm64 -\n`,
    );
  });
  after(async function () {
    await server?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const run = (cache: string, args: readonly string[]): Promise<ScriptResult> =>
    runScript(SCRIPT, ["--pins", pins, "--platform", PLATFORM, "--cache-dir", cache, ...args]);
  const binaryIn = (cache: string): string =>
    path.join(cache, VERSION, `op-deployer-${VERSION}-${PLATFORM}`, "op-deployer");
  const newCache = (label: string): string => path.join(dir, `cache-${label}`);

  it("downloads from a mirror, verifies the pinned sha256, installs an executable and links it", async function () {
    const cache = newCache("mirror");
    const bin = path.join(dir, "bin-mirror");
    const before = server.requests.length;
    const result = await run(cache, ["--mirror", `${server.url}/releases/`, "--bin-dir", bin]);
    expect(result.code, result.stderr).to.equal(0);
    expect(server.requests.slice(before)).to.deep.equal([RELEASE_PATH]);
    expect(result.stdout).to.contain(`downloading ${server.url}/releases${RELEASE_PATH.slice(9)}`);
    expect(result.stdout).to.contain(`sha256 ${sha256(archive)} matches the pin for ${ASSET}`);
    const binary = binaryIn(cache);
    expect(result.stdout.trimEnd().split("\n").at(-1)).to.equal(`op-deployer: ${binary}`);
    expect(statSync(binary).mode & 0o111).to.equal(0o111);
    expect(execFileSync(path.join(bin, "op-deployer")).toString()).to.equal(
      "op-deployer version 0.7.1-test\n",
    );
    expect(sha256(readFileSync(path.join(cache, VERSION, ASSET)))).to.equal(sha256(archive));
  });

  it("downloads nothing when the verified release is already in the cache", async function () {
    const cache = newCache("rerun");
    const first = await run(cache, ["--mirror", `${server.url}/releases`]);
    expect(first.code, first.stderr).to.equal(0);
    const before = server.requests.length;
    const second = await run(cache, ["--mirror", `${server.url}/releases`]);
    expect(second.code, second.stderr).to.equal(0);
    expect(server.requests.length).to.equal(before);
    expect(second.stdout).to.contain("already in");
    expect(second.stdout).to.contain("nothing downloaded");
  });

  it("refuses an archive whose sha256 differs from the pin and unpacks nothing", async function () {
    const cache = newCache("mismatch");
    const result = await run(cache, ["--mirror", `${server.url}/tampered`]);
    expect(result.code).to.equal(1);
    const line = result.stderr.trim();
    expect(line.split("\n")).to.have.length(1);
    expect(line).to.contain(`sha256 mismatch for ${ASSET}`);
    expect(line).to.contain(`pinned ${sha256(archive)}, got ${sha256(otherArchive)}`);
    expect(line).to.contain("nothing was unpacked");
    expect(readdirSync(path.join(cache, VERSION))).to.deep.equal([]);
    expect(existsSync(binaryIn(cache))).to.equal(false);
  });

  it("refuses a version that is not pinned without contacting the server", async function () {
    const cache = newCache("unpinned");
    const before = server.requests.length;
    const result = await run(cache, ["--version", "0.8.0", "--mirror", `${server.url}/releases`]);
    expect(result.code).to.equal(1);
    expect(result.stderr.trim()).to.equal(
      `download-op-deployer: op-deployer 0.8.0 is not pinned in ${pins} (pinned: ${VERSION}); add its sha256 there first`,
    );
    expect(server.requests.length).to.equal(before);
    expect(existsSync(cache)).to.equal(false);
  });

  it("refuses a platform whose sha256 is not verified yet", async function () {
    const result = await runScript(SCRIPT, [
      "--pins",
      pins,
      "--platform",
      "darwin-arm64",
      "--cache-dir",
      newCache("unverified"),
    ]);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain(
      `op-deployer ${VERSION} darwin-arm64 has no verified sha256 in ${pins} yet`,
    );
  });

  it("installs from an offline file without any network", async function () {
    const cache = newCache("offline");
    const file = path.join(dir, ASSET);
    writeFileSync(file, archive);
    const before = server.requests.length;
    const result = await run(cache, ["--archive", file, "--mirror", "http://127.0.0.1:9/nowhere"]);
    expect(result.code, result.stderr).to.equal(0);
    expect(server.requests.length).to.equal(before);
    expect(result.stdout).to.contain(`from offline file ${file}`);
    expect(execFileSync(binaryIn(cache)).toString()).to.contain("0.7.1-test");
  });

  it("refuses an offline file whose sha256 differs from the pin", async function () {
    const cache = newCache("offline-bad");
    const file = path.join(dir, `bad-${ASSET}`);
    writeFileSync(file, otherArchive);
    const result = await run(cache, ["--archive", file]);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain(`sha256 mismatch for ${ASSET} from offline file ${file}`);
    expect(existsSync(binaryIn(cache))).to.equal(false);
  });

  it("prints pin lines from a release checksums file served over HTTP, installing nothing", async function () {
    const cache = newCache("print-pins");
    const result = await run(cache, [
      "--print-pins",
      `${server.url}/releases/op-deployer%2Fv${VERSION}/checksums.txt`,
    ]);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout.trim().split("\n")).to.deep.equal([
      `${VERSION} linux-amd64 ${sha256(archive)}`,
      `${VERSION} darwin-arm64 ${"ab".repeat(32)}`,
    ]);
    expect(result.stderr).to.contain("check them against a second source");
    expect(existsSync(cache)).to.equal(false);
  });

  it("reports a download that fails with the URL and changes nothing", async function () {
    const cache = newCache("404");
    const result = await run(cache, ["--mirror", `${server.url}/missing`]);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain(
      `download of ${server.url}/missing/op-deployer%2Fv${VERSION}/${ASSET} failed; nothing was unpacked`,
    );
    expect(readdirSync(path.join(cache, VERSION))).to.deep.equal([]);
  });
});
