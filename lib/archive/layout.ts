/**
 * Archive directory layout: one entry per witness, either a `<witness>.jsonl` file or a
 * `<witness>/` folder whose `*.jsonl` files (rotated captures) are read in name order. Other files
 * (README, expectations) are ignored.
 */
import { readdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";

import { ArchiveLayoutError } from "./errors";
import {
  readArchiveFiles,
  type ArchiveRecord,
  type ArchiveReadReport,
  type ReadArchiveOptions,
} from "./reader";

/** One witness's archive: its name and its files in reading order. */
export interface WitnessArchive {
  witness: string;
  files: string[];
}

const JSONL = ".jsonl";

/** Names compared by UTF-16 code units: the same order on every machine and locale. */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Lists the witness archives in `dir`, sorted by witness name. */
export async function listWitnessArchives(dir: string): Promise<WitnessArchive[]> {
  const info = await stat(dir).catch((cause: unknown) => {
    throw new ArchiveLayoutError(dir, `cannot read the archive directory (${String(cause)})`);
  });
  if (!info.isDirectory()) throw new ArchiveLayoutError(dir, "is not a directory");
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    byName(a.name, b.name),
  );
  const archives: WitnessArchive[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const path = join(dir, entry.name);
    let archive: WitnessArchive | undefined;
    if (entry.isDirectory()) {
      const files = (await readdir(path, { withFileTypes: true }))
        .filter((f) => f.isFile() && f.name.endsWith(JSONL))
        .map((f) => f.name)
        .sort(byName)
        .map((name) => join(path, name));
      if (files.length === 0)
        throw new ArchiveLayoutError(path, "witness folder holds no .jsonl file");
      archive = { witness: entry.name, files };
    } else if (entry.isFile() && entry.name.endsWith(JSONL)) {
      archive = { witness: basename(entry.name, JSONL), files: [path] };
    }
    if (archive === undefined) continue;
    if (seen.has(archive.witness))
      throw new ArchiveLayoutError(
        path,
        `witness "${archive.witness}" has both a folder and a .jsonl file`,
      );
    seen.add(archive.witness);
    archives.push(archive);
  }
  if (archives.length === 0) throw new ArchiveLayoutError(dir, "holds no witness archive");
  return archives;
}

/** Reads one witness's archive (all its files in order) as one stream of records. */
export function readWitnessArchive(
  archive: WitnessArchive,
  options: ReadArchiveOptions = {},
): AsyncGenerator<ArchiveRecord, ArchiveReadReport, undefined> {
  return readArchiveFiles(archive.files, options);
}
