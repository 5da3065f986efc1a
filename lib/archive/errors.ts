import { EveryChannelError } from "../errors";

/**
 * A line of an archive file that is not a valid `every.channel/archive/epoch/v1` entry. The message
 * is exactly `file:line: field: problem`, with `field` a path such as `chunks[3].blake3` (`$` for
 * the line as a whole) and `line` 1-based.
 */
export class ArchiveLineError extends EveryChannelError {
  override name = "ArchiveLineError";
  readonly file: string;
  readonly line: number;
  readonly field: string;
  readonly problem: string;

  constructor(file: string, line: number, field: string, problem: string) {
    super(`${file}:${line}: ${field}: ${problem}`, { file, line, field, problem });
    this.file = file;
    this.line = line;
    this.field = field;
    this.problem = problem;
  }
}

/** An archive directory or file that cannot be used as a whole (not a line problem). */
export class ArchiveLayoutError extends EveryChannelError {
  override name = "ArchiveLayoutError";
  readonly path: string;
  readonly problem: string;

  constructor(path: string, problem: string) {
    super(`${path}: ${problem}`, { path, problem });
    this.path = path;
    this.problem = problem;
  }
}
