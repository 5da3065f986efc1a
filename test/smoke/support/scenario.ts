/**
 * The hand-written scenario of the independent archive set: 5 witnesses, quorum 3, two streams of
 * 12 epochs. Every epoch's outcome is written down here from the captures alone (who captured the
 * broadcast as aired, who captured it damaged, who missed it), never computed by the smoke.
 */
import type { Capture, Scenario, ScenarioEpoch } from "./scenario-archive";

const all = (capture: Capture): Capture[] => Array(5).fill(capture) as Capture[];
const finalizedByAll: ScenarioEpoch = {
  captures: all("good"),
  outcome: "finalized",
  finalizedBy: [0, 1, 2, 3, 4],
};

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
        // Most witnesses missed the epoch: two captures cannot finalize; the slot stays open.
        { captures: ["good", "good", "absent", "absent", "absent"], outcome: "open" },
        // The chain continues from the last finalized epoch.
        finalizedByAll,
        // Three different versions, none with three witnesses: contested.
        {
          captures: ["good", "good", "corrupt", "corrupt", "psip-other"],
          outcome: "contested",
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
        finalizedByAll,
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
        { captures: ["absent", "absent", "absent", "absent", "good"], outcome: "open" },
        {
          captures: ["good", "good", "corrupt", "corrupt", "absent"],
          outcome: "contested",
        },
        {
          captures: ["good", "corrupt", "corrupt-other", "missing-chunk", "psip-other"],
          outcome: "contested",
        },
        { captures: ["good", "good", "absent", "absent", "absent"], outcome: "open" },
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
  ],
};
