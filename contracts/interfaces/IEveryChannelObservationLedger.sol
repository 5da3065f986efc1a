// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";

import {ObservationHeader} from "../libraries/EveryChannelTypes.sol";
import {IEveryChannelWitnessRegistry} from "./IEveryChannelWitnessRegistry.sol";

/// @notice One witness's EIP-712 signature over an observation header.
/// @param witness The witness address: an EOA (65-byte ECDSA signature) or an ERC-1271 contract.
/// @param signature The signature over `observationDigest(header)`.
struct WitnessSignature {
    address witness;
    bytes signature;
}

/// @notice An observation header with the witness signatures a relayer submits for it.
/// @param header The observation header.
/// @param signatures Signatures of distinct witnesses over the header, in any order.
struct SignedObservation {
    ObservationHeader header;
    WitnessSignature[] signatures;
}

/// @title IEveryChannelObservationLedger
/// @notice The observation consensus surface of ECP-0093. A candidate observation is identified by its
///         `ObservationHash` (keccak256(abi.encode(header))) and grouped by its `ObservationSlot`
///         (keccak256(abi.encode(streamHash, epochHash))). Registered witnesses attest candidates, by
///         transaction or by EIP-712 signatures that anyone relays; a candidate finalizes the moment it has
///         the quorum of distinct active witnesses and extends its stream's finalized head.
/// @dev Rules (each checked by the tests listed in `docs/PROPERTIES.md`):
///      - At most one observation finalizes per slot, ever; a finalized slot accepts no attestation.
///      - A candidate finalizes only with `attestations >= quorum`, where `attestations` counts the
///        recorded witnesses that are active in the registry at the moment of counting.
///      - Each stream's finalized observations form one chain: a candidate finalizes only when its
///        `parentObservationHash` is the stream's head, its `sequence` is the head's plus one and its
///        `observedUnixMs` is later than the head's (zero parent and sequence 0 for the first).
///      - A witness counts for at most one candidate per slot. A second attestation of the same candidate
///        is a duplicate (reverted by `attest`, skipped in relayed batches); a signed attestation of a
///        different candidate of the same slot is an equivocation: it is recorded as evidence and never
///        counted (the witness's first counted attestation stands).
///      - A candidate that reaches quorum before its parent is the head stays open with its quorum; it
///        finalizes when attested again or through `finalize` once its parent is the head.
///      Storage per slot is one word: the bitmap of witnesses that attested in it while open, replaced by
///      the finalized observation hash at finalization (open bitmaps stay below 2**128; an observation
///      whose hash is below 2**128 is refused). Open candidates keep one word, their attestation bitmap;
///      it is deleted at finalization (the `ObservationFinalized` event lists the witnesses). See
///      `docs/ledger.md`.
interface IEveryChannelObservationLedger is IERC5267 {
    /// @notice The state of a slot.
    enum SlotStatus {
        /// No attestation was ever recorded in the slot.
        Empty,
        /// At least one witness attested a candidate of the slot; none is finalized.
        Open,
        /// An observation of the slot is finalized.
        Finalized
    }

    /// @notice The state of a candidate observation within its slot.
    enum CandidateStatus {
        /// The ledger has no attestation of the candidate and its slot is not finalized.
        Unknown,
        /// The candidate has recorded attestations and its slot is not finalized.
        Open,
        /// The candidate is the slot's finalized observation.
        Finalized,
        /// Another observation of the candidate's slot is finalized.
        Superseded
    }

    // ---------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------

    /// @notice Emitted when the ledger first records a candidate (its first counted attestation), with the
    ///         full header, so that indexers never need the transaction's calldata.
    /// @param observationHash The candidate's `ObservationHash`.
    /// @param streamHash The candidate's stream.
    /// @param slot The candidate's `ObservationSlot`.
    /// @param header The full observation header.
    event ObservationProposed(
        bytes32 indexed observationHash,
        bytes32 indexed streamHash,
        bytes32 indexed slot,
        ObservationHeader header
    );

    /// @notice Emitted when a witness's attestation is recorded on a candidate that stays open.
    ///         Attestations that finalize the candidate in the same call are listed by
    ///         `ObservationFinalized.witnesses` instead.
    /// @param observationHash The candidate.
    /// @param witness The attesting witness.
    event ObservationAttested(bytes32 indexed observationHash, address indexed witness);

    /// @notice Emitted when an observation finalizes and becomes its stream's head.
    /// @param observationHash The finalized observation.
    /// @param streamHash Its stream.
    /// @param slot Its slot.
    /// @param sequence Its position in the stream's chain.
    /// @param witnesses Bitmap (by registry index) of the active witnesses whose attestations finalized it.
    event ObservationFinalized(
        bytes32 indexed observationHash,
        bytes32 indexed streamHash,
        bytes32 indexed slot,
        uint64 sequence,
        uint256 witnesses
    );

    /// @notice Emitted instead of `ObservationProposed` followed by `ObservationFinalized` when
    ///         `submitCompactAttestations` finalizes a candidate the ledger had no attestation of: the
    ///         candidate is first seen and finalized in the same call. Carries the full header, flattened,
    ///         without repeating what the topics or the header already give: the header's `streamHash` is the
    ///         `streamHash` topic, and the slot is `keccak256(abi.encode(streamHash, epochHash))`.
    /// @param observationHash The finalized observation.
    /// @param streamHash Its stream (the header's `streamHash`).
    /// @param epochHash The header's `epochHash`.
    /// @param parentObservationHash The header's `parentObservationHash` (the previous head).
    /// @param dataRoot The header's `dataRoot`.
    /// @param locatorHash The header's `locatorHash`.
    /// @param observedUnixMs The header's `observedUnixMs`.
    /// @param sequence The header's `sequence` (its position in the stream's chain).
    /// @param witnesses Bitmap (by registry index) of the active witnesses whose attestations finalized it.
    event ObservationProposedAndFinalized(
        bytes32 indexed observationHash,
        bytes32 indexed streamHash,
        bytes32 epochHash,
        bytes32 parentObservationHash,
        bytes32 dataRoot,
        bytes32 locatorHash,
        uint64 observedUnixMs,
        uint64 sequence,
        uint256 witnesses
    );

    /// @notice Emitted when a witness is found to have attested two different candidates of one slot.
    /// @param slot The slot.
    /// @param witness The equivocating witness.
    /// @param observationA The other candidate the witness signed, or zero when it is the one the witness's
    ///        counted attestation in this slot is recorded on (automatic detection while attesting).
    /// @param observationB The candidate whose attestation was presented and refused.
    event EquivocationRecorded(
        bytes32 indexed slot,
        address indexed witness,
        bytes32 observationA,
        bytes32 observationB
    );

    // ---------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------

    /// @notice Thrown by the constructor when the registry address is zero.
    error ZeroRegistry();

    /// @notice Thrown when an account that is not an active witness attests or is named in a signature.
    /// @param account The account.
    error NotAWitness(address account);

    /// @notice Thrown when attesting or finalizing in a slot that already has a finalized observation.
    /// @param slot The slot.
    /// @param finalizedObservationHash The slot's finalized observation.
    error SlotAlreadyFinalized(bytes32 slot, bytes32 finalizedObservationHash);

    /// @notice Thrown when a witness attests by transaction a candidate it already attested.
    /// @param observationHash The candidate.
    /// @param witness The witness.
    error AlreadyAttested(bytes32 observationHash, address witness);

    /// @notice Thrown when finalizing a candidate the ledger has no attestation of.
    /// @param observationHash The candidate.
    error UnknownObservation(bytes32 observationHash);

    /// @notice Thrown when finalizing a candidate without the quorum of active witnesses.
    /// @param observationHash The candidate.
    /// @param attestations Its attestations from active witnesses.
    /// @param quorum The registry's quorum.
    error QuorumNotReached(bytes32 observationHash, uint256 attestations, uint256 quorum);

    /// @notice Thrown when finalizing a candidate whose parent is not its stream's finalized head.
    /// @param streamHash The stream.
    /// @param parentObservationHash The candidate's parent.
    /// @param headObservationHash The stream's head (zero when the stream has none).
    error ParentNotHead(bytes32 streamHash, bytes32 parentObservationHash, bytes32 headObservationHash);

    /// @notice Thrown when finalizing a candidate whose sequence is not the head's plus one (0 for the first).
    /// @param streamHash The stream.
    /// @param sequence The candidate's sequence.
    /// @param expectedSequence The sequence the next finalized observation of the stream must have (2**64 when
    ///        the head's sequence is the largest uint64: the stream can grow no further).
    error SequenceNotNext(bytes32 streamHash, uint64 sequence, uint256 expectedSequence);

    /// @notice Thrown when finalizing a candidate whose epoch is not later than the head's.
    /// @param streamHash The stream.
    /// @param observedUnixMs The candidate's `observedUnixMs`.
    /// @param headObservedUnixMs The head's `observedUnixMs`.
    error EpochNotLater(bytes32 streamHash, uint64 observedUnixMs, uint64 headObservedUnixMs);

    /// @notice Thrown when a signature does not verify for the witness it names.
    /// @param witness The named witness.
    /// @param observationHash The observation the signature was presented for.
    error InvalidSignature(address witness, bytes32 observationHash);

    /// @notice Thrown when a batch has no item.
    error EmptyBatch();

    /// @notice Thrown when a relayed item carries no signature.
    /// @param observationHash The item's observation.
    error NoSignatures(bytes32 observationHash);

    /// @notice Thrown by `submitCompactAttestations` when its packed `signatures` do not hold one group per
    ///         header: at header `item` the bytes end, the count byte is zero, or the group runs past the
    ///         end; or bytes remain after the last group (`item` = the number of headers).
    /// @param item The index of the header whose group is malformed (the number of headers for extra bytes).
    /// @param offset The offset in `signatures` of that group's count byte (or of the extra bytes).
    error MalformedCompactSignatures(uint256 item, uint256 offset);

    /// @notice Thrown by `submitCompactAttestations` when a compact signature recovers no signer (`s` in the
    ///         upper half order or an invalid point).
    /// @param observationHash The item's observation.
    /// @param signatureIndex The position of the signature in the item's packed signatures.
    error InvalidCompactSignature(bytes32 observationHash, uint256 signatureIndex);

    /// @notice Thrown when an observation hash falls in the range reserved for open-slot bitmaps (< 2**128).
    ///         Finding such a header takes about 2**128 hash evaluations.
    /// @param observationHash The observation hash.
    error ReservedObservationHash(bytes32 observationHash);

    /// @notice Thrown by `reportEquivocation` when the two headers are in different slots.
    /// @param slotA The slot of the first header.
    /// @param slotB The slot of the second header.
    error DifferentSlots(bytes32 slotA, bytes32 slotB);

    /// @notice Thrown by `reportEquivocation` when the two headers are the same observation.
    /// @param observationHash The observation.
    error SameObservation(bytes32 observationHash);

    /// @notice Thrown by `reportEquivocation` when the witness's equivocation in the slot is already recorded.
    /// @param slot The slot.
    /// @param witness The witness.
    error EquivocationAlreadyRecorded(bytes32 slot, address witness);

    // ---------------------------------------------------------------------------------------------
    // Actions
    // ---------------------------------------------------------------------------------------------

    /// @notice Attests `header` as the sender (an active witness; ECP-0093 "first tranche") and finalizes it
    ///         when the attestation brings it to quorum and its parent is the stream's head.
    /// @dev Emits `ObservationProposed` when the candidate is new, then `ObservationAttested` (stays open) or
    ///      `ObservationFinalized`. When the sender already attested another candidate of the slot, records
    ///      the equivocation (`EquivocationRecorded`, once per slot and witness) and returns false without
    ///      counting. Reverts with `NotAWitness`, `SlotAlreadyFinalized`, `AlreadyAttested`,
    ///      `ReservedObservationHash`.
    /// @param header The observation header.
    /// @return finalized True when this call finalized the observation.
    function attest(ObservationHeader calldata header) external returns (bool finalized);

    /// @notice `attest` for several headers in order (for example consecutive epochs of one stream).
    /// @dev Same events and errors as `attest`, per header; reverts with `EmptyBatch` on an empty array.
    /// @param headers The observation headers.
    /// @return finalizedCount How many of them this call finalized.
    function attestMany(ObservationHeader[] calldata headers) external returns (uint256 finalizedCount);

    /// @notice Records relayed EIP-712 witness signatures (anyone may submit) and finalizes every item that
    ///         reaches quorum with its parent as the head. Items are processed in order, so a batch ordered
    ///         by sequence finalizes a run of consecutive epochs of one stream.
    /// @dev Skipped, so that racing relayers do not lose a batch: signatures of witnesses already counted on
    ///      the item's candidate (duplicates, replays; not verified again) and items whose slot is already
    ///      finalized. A verified signature of a witness that already attested another candidate of the slot
    ///      is recorded as an equivocation (`EquivocationRecorded`) and not counted. Emits
    ///      `ObservationProposed`, `ObservationAttested` (per signature recorded on a candidate that stays
    ///      open) and `ObservationFinalized`. Reverts with `EmptyBatch`, `NoSignatures`, `NotAWitness` (a
    ///      named witness is not active), `InvalidSignature`, `ReservedObservationHash`.
    /// @param items The signed observations.
    /// @return finalizedCount How many observations this call finalized.
    function submitSignedAttestations(
        SignedObservation[] calldata items
    ) external returns (uint256 finalizedCount);

    /// @notice `submitSignedAttestations` for EOA witnesses with 64-byte EIP-2098 compact signatures: each
    ///         signer is recovered from its signature and looked up in the registry (once per call), so an
    ///         item carries no witness address, and the headers and signatures are two flat arrays, so an
    ///         item carries no offsets either: 417 calldata bytes for an observation with 3 signatures.
    /// @dev Item `i` is `headers[i]` with the `i`-th group of `signatures`. `signatures` is the concatenation,
    ///      in header order, of one group per header: a count byte `n` (1 to 255) followed by `n` compact
    ///      signatures over `observationDigest(headers[i])`, 64 bytes each (`r` then `yParityAndS`: bit 255
    ///      the recovery parity, bits 0-254 `s` in the lower half order), in any order; it must end with the
    ///      last group. Same rules as `submitSignedAttestations`: items in order (a batch ordered by sequence
    ///      finalizes a run of consecutive epochs), signatures of witnesses already counted on the candidate
    ///      and items whose slot is finalized are skipped, a signature of a witness that attested another
    ///      candidate of the slot is recorded as an equivocation (`EquivocationRecorded`) and not counted.
    ///      Every signature of a processed item is recovered. Emits `ObservationProposedAndFinalized` when a
    ///      candidate the ledger had no attestation of finalizes in the call; otherwise as
    ///      `submitSignedAttestations`: `ObservationProposed` for a new candidate, then
    ///      `ObservationAttested` (per witness newly recorded on a candidate that stays open, in registry
    ///      index order) or `ObservationFinalized`. Reverts with `EmptyBatch`, `MalformedCompactSignatures`,
    ///      `InvalidCompactSignature`, `NotAWitness` (the recovered signer is not an active witness: also
    ///      what a signature over another digest, domain or chain gives), `ReservedObservationHash`.
    /// @param headers The observation headers.
    /// @param signatures One group of compact signatures per header, packed as above.
    /// @return finalizedCount How many observations this call finalized.
    function submitCompactAttestations(
        ObservationHeader[] calldata headers,
        bytes calldata signatures
    ) external returns (uint256 finalizedCount);

    /// @notice Finalizes a candidate that has quorum but could not finalize when it reached it, because its
    ///         parent was not yet the head (anyone may call).
    /// @dev Emits `ObservationFinalized`. Reverts with `SlotAlreadyFinalized`, `UnknownObservation`,
    ///      `QuorumNotReached`, `ParentNotHead`, `SequenceNotNext`, `EpochNotLater`.
    /// @param header The candidate's header.
    /// @return finalized Always true (failures revert).
    function finalize(ObservationHeader calldata header) external returns (bool finalized);

    /// @notice Records that `witness` signed two different candidates of one slot (anyone may call). The
    ///         witness's attestations in the slot, if any, stand as counted; none is counted afterwards.
    /// @dev Emits `EquivocationRecorded`. Reverts with `DifferentSlots`, `SameObservation`, `NotAWitness`
    ///      (the witness never had a registry index), `InvalidSignature`, `EquivocationAlreadyRecorded`.
    /// @param witness The witness.
    /// @param a The first header.
    /// @param signatureA The witness's signature over `a`.
    /// @param b The second header.
    /// @param signatureB The witness's signature over `b`.
    function reportEquivocation(
        address witness,
        ObservationHeader calldata a,
        bytes calldata signatureA,
        ObservationHeader calldata b,
        bytes calldata signatureB
    ) external;

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @notice The EIP-712 typehash of `Observation(bytes32 streamHash,bytes32 epochHash,bytes32
    ///         parentObservationHash,bytes32 dataRoot,bytes32 locatorHash,uint64 observedUnixMs,uint64 sequence)`.
    /// @return The typehash.
    // solhint-disable-next-line func-name-mixedcase
    function OBSERVATION_TYPEHASH() external view returns (bytes32);

    /// @notice The EIP-712 digest a witness signs for `header` (domain "EveryChannelObservationLedger", "1",
    ///         this chain and this contract; read it with `eip712Domain()`).
    /// @param header The observation header.
    /// @return The digest.
    function observationDigest(ObservationHeader calldata header) external view returns (bytes32);

    /// @notice The witness registry (immutable).
    /// @return The registry.
    function registry() external view returns (IEveryChannelWitnessRegistry);

    /// @notice The finalized head of a stream (all zero when the stream has none).
    /// @param streamHash The stream.
    /// @return observationHash The head observation.
    /// @return sequence Its sequence.
    /// @return observedUnixMs Its `observedUnixMs`.
    function finalizedHead(
        bytes32 streamHash
    ) external view returns (bytes32 observationHash, uint64 sequence, uint64 observedUnixMs);

    /// @notice The state of a slot.
    /// @param slot The `ObservationSlot`.
    /// @return status Empty, Open or Finalized.
    /// @return finalizedObservationHash The finalized observation (zero unless Finalized).
    /// @return attestedWitnesses While Open: bitmap (by registry index) of the witnesses that attested a
    ///         candidate of the slot or were reported equivocating in it; zero otherwise.
    function slotStatus(
        bytes32 slot
    ) external view returns (SlotStatus status, bytes32 finalizedObservationHash, uint256 attestedWitnesses);

    /// @notice The state of a candidate. Takes the slot with the hash because a finalized observation is
    ///         recorded by its slot only (see the contract notes).
    /// @param slot The candidate's `ObservationSlot`.
    /// @param observationHash The candidate's `ObservationHash`.
    /// @return status Unknown, Open, Finalized or Superseded.
    /// @return attestations Recorded attestations from currently active witnesses (zero once Finalized;
    ///         `ObservationFinalized.witnesses` lists them).
    /// @return currentQuorum The registry's quorum.
    function candidateStatus(
        bytes32 slot,
        bytes32 observationHash
    ) external view returns (CandidateStatus status, uint256 attestations, uint256 currentQuorum);

    /// @notice The witnesses with an attestation recorded on an open (or superseded) candidate, in registry
    ///         index order, including witnesses removed since (whose attestations do not count while removed).
    ///         Empty for unknown and finalized candidates.
    /// @param observationHash The candidate.
    /// @return The witness addresses.
    function attestationsOf(bytes32 observationHash) external view returns (address[] memory);

    /// @notice The recorded equivocation of `witness` in `slot` (both zero when none).
    /// @param slot The slot.
    /// @param witness The witness.
    /// @return observationA As in `EquivocationRecorded`.
    /// @return observationB As in `EquivocationRecorded`.
    function equivocation(
        bytes32 slot,
        address witness
    ) external view returns (bytes32 observationA, bytes32 observationB);

    /// @notice The contract version (semver, see `docs/versioning.md`).
    /// @return The version string.
    function version() external view returns (string memory);
}
