/**
 * The hand-written scenario of the independent archive set: 5 witnesses, quorum 3, three streams.
 * Every epoch's outcome is written down here from the captures alone (who captured the broadcast as
 * aired, who captured it damaged, who missed it), never computed by the smoke. The ledger's rule:
 * a content finalizes once 3 witnesses attested it and it is later than its stream's head; an epoch
 * that does not finalize expires once a later epoch of its stream does.
 */
import type { Capture, Scenario, ScenarioEpoch } from "./scenario-archive";

const all = (capture: Capture): Capture[] => Array(5).fill(capture) as Capture[];
const finalizedByAll: ScenarioEpoch = {
  captures: all("good"),
  outcome: "finalized",
  finalizedBy: [0, 1, 2, 3, 4],
};
const byFirstThree = (a: Capture, b: Capture, c: Capture): ScenarioEpoch => ({
  captures: [a, b, c, "absent", "absent"],
  outcome: "finalized",
  finalizedBy: [0, 1, 2],
});

export const SCENARIO: Scenario = {
  witnesses: 5,
  quorum: 3,
  streams: [
    {
      callsign: "KSMK-A",
      rfChannel: 21,
      epochs: [
        finalizedByAll,
        finalizedByAll,
        // Witness 4 received one chunk damaged: it loses, the other four finalize.
        {
          captures: ["good", "good", "good", "good", "corrupt"],
          outcome: "finalized",
          finalizedBy: [0, 1, 2, 3],
        },
        // Witnesses 3 and 4 damaged differently: three good captures are still a quorum.
        {
          captures: ["good", "good", "good", "corrupt", "missing-chunk"],
          outcome: "finalized",
          finalizedBy: [0, 1, 2],
        },
        // Most witnesses missed the epoch: two captures cannot finalize; it expires with the next.
        {
          captures: ["good", "good", "absent", "absent", "absent"],
          outcome: "open",
          expires: true,
        },
        // The chain continues from the last finalized epoch.
        finalizedByAll,
        // Three different versions, none with three witnesses: contested, then expired.
        {
          captures: ["good", "good", "corrupt", "corrupt", "psip-other"],
          outcome: "contested",
          expires: true,
        },
        finalizedByAll,
        // A retry (same line twice) and a repair (damaged line, then the good one) do not matter.
        {
          captures: ["good", "retry", "repair", "good", "retry"],
          outcome: "finalized",
          finalizedBy: [0, 1, 2, 3, 4],
        },
        // A different PSIP table is a different observation.
        {
          captures: ["good", "good", "good", "psip-other", "psip-other"],
          outcome: "finalized",
          finalizedBy: [0, 1, 2],
        },
        // Witness 4's broadcast clock puts the epoch in 2100: it refuses it; the other four finalize.
        {
          captures: ["good", "good", "good", "good", "future"],
          outcome: "finalized",
          finalizedBy: [0, 1, 2, 3],
        },
        // Only the minority captured it well; the damaged majority agrees with itself.
        {
          captures: ["good", "corrupt", "corrupt", "corrupt", "absent"],
          outcome: "finalized",
          finalizedBy: [1, 2, 3],
        },
      ],
    },
    {
      callsign: "KSMK-B",
      rfChannel: 34,
      epochs: [
        finalizedByAll,
        finalizedByAll,
        finalizedByAll,
        {
          captures: ["good", "good", "good", "absent", "corrupt"],
          outcome: "finalized",
          finalizedBy: [0, 1, 2],
        },
        {
          captures: ["absent", "absent", "absent", "absent", "good"],
          outcome: "open",
          expires: true,
        },
        {
          captures: ["good", "good", "corrupt", "corrupt", "absent"],
          outcome: "contested",
          expires: true,
        },
        // A 2/1/1/1 split where every witness voted.
        {
          captures: ["good", "corrupt", "corrupt-other", "missing-chunk", "psip-other"],
          outcome: "contested",
          expires: true,
        },
        {
          captures: ["good", "good", "absent", "absent", "absent"],
          outcome: "open",
          expires: true,
        },
        finalizedByAll,
        finalizedByAll,
        {
          captures: ["absent", "good", "good", "good", "good"],
          outcome: "finalized",
          finalizedBy: [1, 2, 3, 4],
        },
        finalizedByAll,
      ],
    },
    {
      // Only witnesses 0, 1 and 2 carry this stream: quorum 3 needs all three.
      callsign: "KSMK-C",
      rfChannel: 41,
      epochs: [
        byFirstThree("good", "good", "good"),
        // Damaged at witness 1 and missed by witness 2: it can never finalize...
        {
          captures: ["good", "corrupt", "absent", "absent", "absent"],
          outcome: "contested",
          expires: true,
        },
        // ...and holds up nothing: the ten epochs the three agree on all finalize.
        ...Array.from({ length: 10 }, () => byFirstThree("good", "good", "good")),
        // Witnesses 1 and 2 missed it (a gap): it expires when the next one finalizes.
        {
          captures: ["good", "absent", "absent", "absent", "absent"],
          outcome: "open",
          expires: true,
        },
        byFirstThree("good", "good", "good"),
        // The last epoch has no quorum and nothing after it: it stays open.
        {
          captures: ["absent", "good", "good", "absent", "absent"],
          outcome: "open",
        },
      ],
    },
  ],
};
