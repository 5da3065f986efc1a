/**
 * The versioned ids of every commitment the library computes. Each names exactly one formula in
 * `docs/encoding.md`; a changed formula gets a new id, never a changed meaning.
 */
export const commitmentIds = {
  /** keccak256(abi.encode(StreamKey)). */
  streamId: "stream-id-keccak256-v1",
  /** keccak256(abi.encode(StreamDescriptor)). */
  streamDescriptor: "stream-descriptor-abi-keccak256-v1",
  /** keccak256(abi.encode(StreamControlAnnouncement)). */
  controlAnnouncement: "control-announcement-abi-keccak256-v1",
  /** keccak256(abi.encode(bytes32 streamHash, uint64 epochId, uint64 startUnixMs, uint32 durationMs)). */
  epoch: "epoch-abi-keccak256-v1",
  /** keccak256(abi.encode(ManifestBody)). */
  manifestBody: "manifest-body-abi-keccak256-v1",
  /** keccak256(abi.encode(Manifest)). */
  manifestEnvelope: "manifest-envelope-abi-keccak256-v1",
  /** RFC 6962-shaped keccak256 Merkle root over chunk hashes (one variant) or variant roots. */
  manifestDataMerkle: "manifest-data-merkle-keccak256-v1",
  /** keccak256(abi.encode(ObservationContent)): what a witness's attestation names. */
  observationContent: "observation-content-abi-keccak256-v1",
  /** keccak256(abi.encode(ObservationHeader)). */
  observation: "observation-abi-keccak256-v1",
  /** keccak256(abi.encode(bytes32 streamHash, bytes32 epochHash)). */
  observationSlot: "observation-slot-abi-keccak256-v1",
  /** Local rail: BLAKE3 over the RFC 8785 canonical JSON of the manifest body. */
  manifestId: "manifest-id-jcs-blake3-v1",
  /** Local rail: the same RFC 6962-shaped tree with BLAKE3. */
  localMerkle: "merkle+blake3",
  /** Local rail signature: Ed25519 over the 32 bytes of `manifest_id`. */
  ed25519Signature: "ed25519-blake3",
  /** Ethereum rail signature: secp256k1 EIP-712 over the typed `ManifestBody`. */
  eip712Signature: "eip712-secp256k1",
} as const;

export type CommitmentId = (typeof commitmentIds)[keyof typeof commitmentIds];
