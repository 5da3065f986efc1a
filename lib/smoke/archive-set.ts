/**
 * Loads an archive directory (one folder or `.jsonl` file per witness, as `fixtures/archive/`) into
 * the witnesses of the smoke: each witness reads only its own archive and resolves its retries and
 * repairs (`resolveWitnessEpochs`, as `witness:run` does while following its file). The resolved
 * epochs are what each witness's node is fed; their derived contents are what the outcome model
 * groups.
 */
import { resolveWitnessEpochs, type ArchiveEpochEvent, type WitnessEpoch } from "../archive/epochs";
import type { ArchiveLineError } from "../archive/errors";
import { listWitnessArchives, readWitnessArchive } from "../archive/layout";
import { createArchiveReadReport, type ArchiveReadReport } from "../archive/reader";
import { deriveObservationContent, type DerivedContent } from "../derive/observation";

/** One resolved epoch of one witness, with the content derived from it. */
export interface ResolvedEpoch {
  epoch: WitnessEpoch;
  content: DerivedContent;
}

/** One witness: its name (archive folder or file) and its resolved epochs, in resolver order. */
export interface ArchiveWitness {
  /** Position in the archive directory (name order), 0-based. */
  index: number;
  name: string;
  epochs: ResolvedEpoch[];
}

export interface LoadArchiveSetParameters {
  /** The archive directory. */
  dir: string;
  /** Skip invalid lines (reported) instead of failing at the first. */
  skipInvalid?: boolean;
  /** Called for every skipped invalid line (with `skipInvalid`). */
  onInvalid?: (witness: string, error: ArchiveLineError) => void;
  /** Called for every retry, repair or late line. */
  onEpochEvent?: (witness: string, event: ArchiveEpochEvent) => void;
}

export interface ArchiveSet {
  dir: string;
  witnesses: ArchiveWitness[];
  /** Line counters over all witnesses. */
  read: ArchiveReadReport;
  /** Retries and repairs resolved, over all witnesses. */
  retries: number;
  repairs: number;
}

/** Reads every witness archive in `dir`, resolves it and derives each epoch's content. */
export async function loadArchiveSet(parameters: LoadArchiveSetParameters): Promise<ArchiveSet> {
  const read = createArchiveReadReport();
  const archives = await listWitnessArchives(parameters.dir);
  const witnesses: ArchiveWitness[] = [];
  let retries = 0;
  let repairs = 0;
  for (const [index, archive] of archives.entries()) {
    const records = readWitnessArchive(archive, {
      skipInvalid: parameters.skipInvalid ?? false,
      report: read,
      onInvalid: (error) => parameters.onInvalid?.(archive.witness, error),
    });
    const epochs: ResolvedEpoch[] = [];
    for await (const epoch of resolveWitnessEpochs(records, {
      onEvent: (event) => {
        if (event.kind === "retry" || event.kind === "late-retry") retries += 1;
        if (event.kind === "repair") repairs += 1;
        parameters.onEpochEvent?.(archive.witness, event);
      },
    })) {
      epochs.push({ epoch, content: deriveObservationContent(epoch.entry) });
    }
    witnesses.push({ index, name: archive.witness, epochs });
  }
  return { dir: parameters.dir, witnesses, read, retries, repairs };
}
