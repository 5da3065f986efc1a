import { expect } from "chai";
import { getEventListeners } from "node:events";

import { sleepUnlessStopped } from "../../lib/cli/signals";

describe("sleepUnlessStopped", function () {
  it("leaves no listener on the signal, round after round", async function () {
    const controller = new AbortController();
    for (let round = 0; round < 20; round += 1) await sleepUnlessStopped(1, controller.signal);
    expect(getEventListeners(controller.signal, "abort")).to.have.length(0);
  });

  it("returns as soon as the signal aborts", async function () {
    const controller = new AbortController();
    const started = Date.now();
    const sleeping = sleepUnlessStopped(60_000, controller.signal);
    controller.abort();
    await sleeping;
    expect(Date.now() - started).to.be.lessThan(1_000);
    expect(getEventListeners(controller.signal, "abort")).to.have.length(0);
  });
});
