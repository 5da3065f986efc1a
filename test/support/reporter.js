// Mocha reporter: the spec reporter, followed by one plain closing line "N passed, N failed, N skipped"
// so that any log reader can tell how many tests ran.
"use strict";
const Mocha = require("mocha");
const { EVENT_RUN_END } = Mocha.Runner.constants;

class SpecWithTotals extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats;
      process.stdout.write(
        `\nmocha: ${s.passes} passed, ${s.failures} failed, ${s.pending} skipped\n`,
      );
    });
  }
}

module.exports = SpecWithTotals;
