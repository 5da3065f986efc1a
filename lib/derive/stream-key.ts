import { stringToHex } from "viem";

import type { ArchiveStream } from "../archive/schema";
import { BROADCAST_STANDARDS, type StreamKey } from "../types/abi";

/**
 * The canonical `StreamKey` of an archive stream: the standard name becomes its code (index in
 * `BROADCAST_STANDARDS`), the ISO region its two ASCII bytes (`"US"` → `0x5553`); numbers and
 * strings are taken as they are (strings are committed as their exact UTF-8 bytes, no trimming or
 * normalisation).
 */
export function archiveStreamKey(stream: ArchiveStream): StreamKey {
  const b = stream.broadcast;
  return {
    broadcast: {
      standard: BROADCAST_STANDARDS.indexOf(b.standard),
      region: stringToHex(b.region, { size: 2 }),
      rfChannel: b.rfChannel,
      transportStreamId: b.transportStreamId,
      programNumber: b.programNumber,
      majorChannel: b.majorChannel,
      minorChannel: b.minorChannel,
      callsign: b.callsign,
    },
    profile: stream.profile,
  };
}
