// Slices of the recorded archive fixtures for operator tests: the first epochs of one stream as one
// witness captured them, in file order.
import { readFileSync } from "node:fs";
import path from "node:path";

const FIXTURES = path.join(__dirname, "..", "..", "fixtures", "archive");

/** The first `count` lines of `witness`'s archive whose callsign is `callsign`. */
export function archiveSlice(
  witness: "witness-a" | "witness-b" | "witness-d" | "witness-e",
  callsign: string,
  count: number,
): string[] {
  const lines = readFileSync(path.join(FIXTURES, `${witness}.jsonl`), "utf8").split("\n");
  const picked: string[] = [];
  for (const line of lines) {
    if (picked.length === count) break;
    if (line.trim() === "") continue;
    const value = JSON.parse(line) as { stream?: { broadcast?: { callsign?: string } } };
    if (value.stream?.broadcast?.callsign === callsign) picked.push(line.replace(/\r$/, ""));
  }
  if (picked.length < count)
    throw new Error(`${witness} has only ${picked.length} lines of ${callsign}`);
  return picked;
}
