/**
 * The events of `EveryChannelRail`, `as const` so viem decodes logs into typed arguments without the
 * hardhat artifacts (indexers run outside hardhat). `test/rail/lib.test.ts` checks them against the
 * compiled contract's ABI. `EIP712DomainChanged` (ERC-5267) is left out: the rail's domain is
 * immutable and the event is never emitted.
 */
import { streamKeyComponents } from "../types/abi";

export const railEventsAbi = [
  {
    type: "event",
    name: "StreamClaimed",
    anonymous: false,
    inputs: [
      { name: "streamId", type: "bytes32", indexed: true },
      { name: "publisher", type: "address", indexed: true },
      { name: "key", type: "tuple", indexed: false, components: streamKeyComponents },
    ],
  },
  {
    type: "event",
    name: "PublisherProposed",
    anonymous: false,
    inputs: [
      { name: "streamId", type: "bytes32", indexed: true },
      { name: "publisher", type: "address", indexed: true },
      { name: "pendingPublisher", type: "address", indexed: true },
    ],
  },
  {
    type: "event",
    name: "PublisherRotated",
    anonymous: false,
    inputs: [
      { name: "streamId", type: "bytes32", indexed: true },
      { name: "previousPublisher", type: "address", indexed: true },
      { name: "newPublisher", type: "address", indexed: true },
    ],
  },
  {
    type: "event",
    name: "ManifestPublished",
    anonymous: false,
    inputs: [
      { name: "streamId", type: "bytes32", indexed: true },
      { name: "epochId", type: "uint64", indexed: true },
      { name: "publisher", type: "address", indexed: true },
      { name: "manifestBodyHash", type: "bytes32", indexed: false },
      { name: "manifestEnvelopeHash", type: "bytes32", indexed: false },
      { name: "dataRoot", type: "bytes32", indexed: false },
      { name: "manifestId", type: "bytes32", indexed: false },
      { name: "revision", type: "uint64", indexed: false },
    ],
  },
  {
    type: "event",
    name: "AnnouncementPublished",
    anonymous: false,
    inputs: [
      { name: "streamId", type: "bytes32", indexed: true },
      { name: "publisher", type: "address", indexed: true },
      { name: "announcementHash", type: "bytes32", indexed: false },
      { name: "descriptorHash", type: "bytes32", indexed: false },
      { name: "sequence", type: "uint64", indexed: false },
    ],
  },
  {
    type: "event",
    name: "NonceUsed",
    anonymous: false,
    inputs: [
      { name: "account", type: "address", indexed: true },
      { name: "nonce", type: "uint256", indexed: false },
    ],
  },
] as const;
