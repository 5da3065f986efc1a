// The indexer's status page: polls the /v1 query API every few seconds and fills the two tables.
// Plain browser JavaScript, no framework and no outside resource. `?refresh=<ms>` changes the
// polling interval (250 ms to 60 s; 2 s by default).
"use strict";

(function () {
  var DEFAULT_REFRESH_MS = 2000;
  var STREAM_PAGE = 1000;
  var MAX_STREAM_PAGES = 20;

  function refreshInterval() {
    var asked = Number(new URLSearchParams(window.location.search).get("refresh"));
    if (!Number.isFinite(asked) || asked <= 0) return DEFAULT_REFRESH_MS;
    return Math.min(60000, Math.max(250, Math.round(asked)));
  }

  async function getJson(path) {
    var response = await fetch(path, { headers: { accept: "application/json" } });
    var body = await response.json();
    if (!response.ok) throw new Error("GET " + path + ": " + (body.error || response.status));
    return body;
  }

  /** Every stream, following the cursor (at most MAX_STREAM_PAGES pages). */
  async function allStreams() {
    var streams = [];
    var cursor = null;
    for (var page = 0; page < MAX_STREAM_PAGES; page += 1) {
      var query = "?limit=" + STREAM_PAGE + (cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
      var body = await getJson("/v1/streams" + query);
      streams = streams.concat(body.data);
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    return streams;
  }

  function short(hash) {
    return hash.length > 14 ? hash.slice(0, 10) + "…" + hash.slice(-4) : hash;
  }

  function percent(rate) {
    return rate === null ? "–" : (100 * rate).toFixed(1) + " %";
  }

  function age(seconds) {
    var s = Number(seconds);
    if (s < 120) return s + " s";
    if (s < 7200) return Math.floor(s / 60) + " min";
    return (s / 3600).toFixed(1) + " h";
  }

  /** A table cell; `field` names it for readers and tests (`data-field`). */
  function cell(field, text, options) {
    var td = document.createElement("td");
    td.dataset.field = field;
    td.textContent = text;
    if (options && options.number) td.className = "number";
    if (options && options.hash) {
      td.className = "hash";
      td.title = options.hash;
      td.dataset.value = options.hash;
    }
    if (options && options.warn) td.classList.add("warn");
    return td;
  }

  function replaceRows(table, rows) {
    var body = table.querySelector("tbody");
    body.replaceChildren.apply(body, rows);
  }

  function streamRow(stream) {
    var tr = document.createElement("tr");
    tr.dataset.stream = stream.streamHash;
    var head = stream.head;
    tr.append(
      cell("stream", short(stream.streamHash), { hash: stream.streamHash }),
      cell("headSequence", head ? head.sequence : "–", { number: true }),
      head
        ? cell("headObservation", short(head.observationHash), { hash: head.observationHash })
        : cell("headObservation", "none yet"),
      cell("headBlock", head ? head.blockNumber + (head.finalized ? " (final)" : "") : "–", {
        number: true,
      }),
      cell("headAge", head ? age(head.ageSeconds) : "–", { number: true }),
      cell("finalizedCount", String(stream.finalizedCount), { number: true }),
      cell("finalizationRate", percent(stream.finalizationRate), { number: true }),
      cell("open", String(stream.slots.open), { number: true }),
      cell("contested", String(stream.slots.contested), {
        number: true,
        warn: stream.slots.contested > 0,
      }),
      cell("expired", String(stream.slots.expired), { number: true }),
    );
    return tr;
  }

  function witnessRow(witness) {
    var tr = document.createElement("tr");
    tr.dataset.witness = witness.address;
    var state = witness.rotatedTo
      ? "rotated to " + short(witness.rotatedTo)
      : witness.active
        ? "active"
        : "removed";
    if (!witness.active) tr.className = "inactive";
    tr.append(
      cell("index", String(witness.index), { number: true }),
      cell("address", witness.address, { hash: witness.address }),
      cell("state", state),
      cell("counted", String(witness.finalizationsCounted), { number: true }),
      cell("sinceAdded", String(witness.finalizationsSinceAdded), { number: true }),
      cell("participation", percent(witness.participation), { number: true }),
      cell("attestations", String(witness.attestationsRecorded), { number: true }),
      cell("equivocations", String(witness.equivocations), {
        number: true,
        warn: witness.equivocations > 0,
      }),
    );
    return tr;
  }

  function chainLine(status) {
    var chain = status.chain;
    var lag = BigInt(chain.latestBlock) - BigInt(chain.indexedBlock);
    return (
      status.data.network +
      " (chain " +
      chain.chainId +
      "): tip " +
      chain.latestBlock +
      ", finalized " +
      chain.finalizedBlock +
      ", indexed " +
      chain.indexedBlock +
      (lag > 0n ? " (" + lag + " behind)" : " (caught up)") +
      " — " +
      status.data.streams +
      " streams, " +
      status.data.finalizedObservations +
      " finalized observations, " +
      status.data.equivocations +
      " equivocations"
    );
  }

  async function refresh() {
    var problem = document.getElementById("problem");
    try {
      var answers = await Promise.all([
        getJson("/v1/status"),
        allStreams(),
        getJson("/v1/witnesses"),
      ]);
      document.getElementById("chain").textContent = chainLine(answers[0]);
      replaceRows(document.getElementById("streams"), answers[1].map(streamRow));
      replaceRows(document.getElementById("witnesses"), answers[2].data.map(witnessRow));
      document.getElementById("refreshed").textContent = new Date().toLocaleTimeString();
      document.body.dataset.indexedBlock = answers[0].chain.indexedBlock;
      problem.hidden = true;
    } catch (error) {
      problem.textContent = "Refresh failed: " + error.message;
      problem.hidden = false;
    }
  }

  var interval = refreshInterval();
  document.getElementById("interval").textContent = String(interval / 1000);
  async function loop() {
    await refresh();
    window.setTimeout(loop, interval);
  }
  loop();
})();
