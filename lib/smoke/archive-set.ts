/**
 * Loads an archive directory (one folder or `.jsonl` file per witness, as `fixtures/archive/`) into
 * the witnesses of the smoke: each witness reads only its own archive, resolves its retries and
 * repairs, and derives the broadcast-derived part of every epoch's header. The parent and sequence
 * are filled in later, from whatever head the ledger (or the outcome model) reports.
 */
import { resolveWitnessEpochs, type ArchiveEpochEvent } from "../archive/epochs";
import type { ArchiveLineError } from "../archive/errors";
import { listWitnessArchives, readWitnessArchive } from "../archive/layout";
import { createArchiveReadReport, type ArchiveReadReport } from "../archive/reader";
import { chainObservation, deriveObservationContent } from "../derive/observation";
import type { Witness, WitnessObservation } from "./observations";
import { ZERO_HASH } from "./observations";

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
  witnesses: Witness[];
  /** Line counters over all witnesses. */
  read: ArchiveReadReport;
  /** Retries and repairs resolved, over all witnesses. */
  retries: number;
  repairs: number;
}

/** Reads every witness archive in `dir` and derives its observations' content. */
export async function loadArchiveSet(parameters: LoadArchiveSetParameters): Promise<ArchiveSet> {
  const read = createArchiveReadReport();
  const archives = await listWitnessArchives(parameters.dir);
  const witnesses: Witness[] = [];
  let retries = 0;
  let repairs = 0;
  for (const [index, archive] of archives.entries()) {
    const observations: WitnessObservation[] = [];
    const records = readWitnessArchive(archive, {
      skipInvalid: parameters.skipInvalid ?? false,
      report: read,
      onInvalid: (error) => parameters.onInvalid?.(archive.witness, error),
    });
    const epochs = resolveWitnessEpochs(records, {
      onEvent: (event) => {
        if (event.kind === "retry" || event.kind === "late-retry") retries += 1;
        if (event.kind === "repair") repairs += 1;
        parameters.onEpochEvent?.(archive.witness, event);
      },
    });
    for await (const epoch of epochs) {
      const content = deriveObservationContent(epoch.entry);
      observations.push({
        witness: index,
        streamHash: content.streamHash,
        epochHash: content.epochHash,
        epochId: content.epochId,
        slot: content.slot,
        header: (head) => chainObservation(content, head.hash === ZERO_HASH ? null : head).header,
      });
    }
    witnesses.push({ index, name: archive.witness, observations });
  }
  return { dir: parameters.dir, witnesses, read, retries, repairs };
}
