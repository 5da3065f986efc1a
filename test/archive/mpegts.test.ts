import { blake3 } from "@noble/hashes/blake3";
import { bytesToHex } from "@noble/hashes/utils";
import { expect } from "chai";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";

import { streamContent } from "../../scripts/fixtures/generate-archives";
import { crc32Mpeg2, PSIP_BASE_PID, TS_PACKET_BYTES } from "../../scripts/fixtures/mpegts";
import { STREAMS, type StreamDefinition } from "../../scripts/fixtures/scenario";

interface Packet {
  pid: number;
  start: boolean;
  cc: number;
  hasPayload: boolean;
  pcr: bigint | null;
  payload: Uint8Array;
}

function packets(bytes: Uint8Array): Packet[] {
  expect(bytes.length % TS_PACKET_BYTES).to.equal(0);
  const out: Packet[] = [];
  for (let at = 0; at < bytes.length; at += TS_PACKET_BYTES) {
    const p = bytes.subarray(at, at + TS_PACKET_BYTES);
    expect(p[0], `sync byte of packet ${at / TS_PACKET_BYTES}`).to.equal(0x47);
    expect(p[1]! & 0x80, "transport_error_indicator").to.equal(0);
    const control = (p[3]! >> 4) & 0x3;
    let offset = 4;
    let pcr: bigint | null = null;
    if (control & 0x2) {
      const length = p[4]!;
      if (length > 0 && p[5]! & 0x10) {
        const base =
          (BigInt(p[6]!) << 25n) |
          (BigInt(p[7]!) << 17n) |
          (BigInt(p[8]!) << 9n) |
          (BigInt(p[9]!) << 1n) |
          BigInt(p[10]! >> 7);
        pcr = base * 300n + BigInt(((p[10]! & 1) << 8) | p[11]!);
      }
      offset = 5 + length;
    }
    out.push({
      pid: ((p[1]! & 0x1f) << 8) | p[2]!,
      start: (p[1]! & 0x40) !== 0,
      cc: p[3]! & 0x0f,
      hasPayload: (control & 0x1) !== 0,
      pcr,
      payload: p.subarray(offset),
    });
  }
  return out;
}

/** The PSI section starting in a payload_unit_start packet (pointer_field 0). */
function section(payload: Uint8Array): Uint8Array {
  expect(payload[0], "pointer_field").to.equal(0);
  const length = 3 + (((payload[2]! & 0x0f) << 8) | payload[3]!);
  const s = payload.subarray(1, 1 + length);
  expect(crc32Mpeg2(s), "CRC-32 over the section including its CRC").to.equal(0);
  return s;
}

function pts(pes: Uint8Array): bigint {
  return (
    (BigInt((pes[9]! >> 1) & 0x07) << 30n) |
    (BigInt(pes[10]!) << 22n) |
    (BigInt(pes[11]! >> 1) << 15n) |
    (BigInt(pes[12]!) << 7n) |
    BigInt(pes[13]! >> 1)
  );
}

function firstEpochs(def: StreamDefinition, count: number): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  for (const epoch of streamContent(def)) {
    out.push(epoch.chunks);
    if (out.length === count) break;
  }
  return out;
}

describe("fixture transport streams", function () {
  for (const def of STREAMS) {
    it(`${def.name}: valid MPEG-TS (sync, continuity, PAT/PMT${def.psip ? "/PSIP" : ""} with CRC, PES with PTS and PCR on the broadcast clock)`, function () {
      const epochs = firstEpochs(def, 3);
      const counters = new Map<number, number>();
      let lastPts = -1n;
      epochs.forEach((chunks, offset) => {
        expect(chunks.length).to.be.within(2, 4);
        const all = chunks.flatMap((c) => packets(c));
        for (const p of all) {
          const previous = counters.get(p.pid);
          if (previous !== undefined && p.hasPayload)
            expect(p.cc, `continuity of PID ${p.pid}`).to.equal((previous + 1) & 0x0f);
          counters.set(p.pid, p.cc);
        }
        const pat = section(all[0]!.payload);
        expect(all[0]!.pid).to.equal(0);
        expect(pat[0], "table_id PAT").to.equal(0x00);
        expect((pat[3]! << 8) | pat[4]!).to.equal(def.stream.broadcast.transportStreamId);
        expect((pat[8]! << 8) | pat[9]!).to.equal(def.stream.broadcast.programNumber);
        expect(((pat[10]! & 0x1f) << 8) | pat[11]!).to.equal(def.pmtPid);
        const pmt = section(all.find((p) => p.pid === def.pmtPid && p.start)!.payload);
        expect(pmt[0], "table_id PMT").to.equal(0x02);
        expect(((pmt[8]! & 0x1f) << 8) | pmt[9]!, "PCR_PID").to.equal(def.elementaryPid);
        expect(pmt[12], "stream_type").to.equal(0x06);
        const tvct = all
          .filter((p) => p.pid === PSIP_BASE_PID && p.start)
          .map((p) => section(p.payload));
        if (def.psip) {
          expect(tvct.map((s) => s[0])).to.deep.equal([0xc7, 0xc8]);
          const name = Buffer.from(tvct[1]!.subarray(10, 24))
            .swap16()
            .toString("utf16le")
            .replace(/\0+$/, "");
          expect(name).to.equal(def.stream.broadcast.callsign.slice(0, 7));
        } else expect(tvct).to.deep.equal([]);
        const pesStarts = all.filter((p) => p.pid === def.elementaryPid && p.start);
        expect(pesStarts).to.have.length(def.durationMs / 100);
        pesStarts.forEach((p, j) => {
          expect([...p.payload.subarray(0, 4)]).to.deep.equal([0, 0, 1, 0xbd]);
          const ms = BigInt(def.firstStartUnixMs + offset * def.durationMs + j * 100);
          const t = pts(p.payload);
          expect(t).to.equal((ms * 90n) & 0x1_ffff_ffffn);
          expect(t > lastPts).to.equal(true);
          lastPts = t;
          expect(p.pcr, "PCR (33-bit base wraps)").to.equal(
            (((ms - 700n) * 90n) & 0x1_ffff_ffffn) * 300n,
          );
        });
      });
    });
  }

  it("are the bytes whose BLAKE3 hashes the fixture archives list", async function () {
    const def = STREAMS.find((s) => s.name === "kgo")!;
    const lines = (
      await readFile(resolve(__dirname, "../../fixtures/archive/witness-b.jsonl"), "utf8")
    ).split("\n");
    const epochs = firstEpochs(def, 3);
    epochs.forEach((chunks, offset) => {
      const id = (def.firstStartUnixMs + offset * def.durationMs) / def.durationMs;
      const line = lines.find(
        (l) => l.includes(`"id":${id},`) && l.includes('"callsign":"KGO-HD"'),
      )!;
      const listed = (JSON.parse(line) as { chunks: { blake3: string; bytes: number }[] }).chunks;
      expect(listed).to.deep.equal(
        chunks.map((c, index) => ({ index, blake3: bytesToHex(blake3(c)), bytes: c.length })),
      );
    });
  });
});
