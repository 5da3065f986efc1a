// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";

import {ObservationContent} from "../libraries/EveryChannelTypes.sol";
import {IEveryChannelWitnessRegistry} from "./IEveryChannelWitnessRegistry.sol";

/// @notice One witness's EIP-712 signature over an observation content.
/// @param witness The witness address: an EOA (65-byte ECDSA signature) or an ERC-1271 contract.
/// @param signature The signature over `observationDigest(content)`.
struct WitnessSignature {
    address witness;
    bytes signature;
}

/// @notice An observation content with the witness signatures a relayer submits for it.
/// @param content The observation content.
/// @param signatures Signatures of distinct witnesses over the content, in any order.
struct SignedObservation {
    ObservationContent content;
    WitnessSignature[] signatures;
}

/// @notice One witness's signature over a co-signed report, with the report and the entry it is evidence for
///         (`reportReportEquivocation`).
/// @param streamHash The report's stream.
/// @param entries The report's packed entries (104 bytes each, `docs/ledger.md`, "Reports").
/// @param index The entry in question.
/// @param signature The witness's signature over `reportDigest(streamHash, entries)`: 65-byte ECDSA, 64-byte
///        EIP-2098, or ERC-1271.
struct ReportEvidence {
    bytes32 streamHash;
    bytes entries;
    uint256 index;
    bytes signature;
}

/// @title IEveryChannelObservationLedger
/// @notice The observation consensus surface of ECP-0093. Witnesses attest what they derived from their own
///         capture of a broadcast epoch, an `ObservationContent` identified by its `ContentHash`
///         (keccak256(abi.encode(content))) and grouped by its `ObservationSlot`
///         (keccak256(abi.encode(streamHash, epochHash))), by transaction or by EIP-712 signatures that anyone
///         relays. A content finalizes the moment it has the quorum of distinct active witnesses and is later
///         than its stream's finalized head; the ledger then assigns its place in the chain (parent = the head,
///         sequence = the head's plus one) and the finalized `ObservationHeader`'s `ObservationHash`.
/// @dev Rules (each checked by the tests listed in `docs/PROPERTIES.md`; the argument is in `docs/ledger.md`):
///      - At most one observation finalizes per slot, ever; a finalized slot accepts no attestation.
///      - A content finalizes only with `attestations >= quorum`, where `attestations` counts the recorded
///        witnesses that are active in the registry at the moment of counting.
///      - Each stream's finalized observations form one chain: each links to the previous head, with the
///        next sequence and a later `observedUnixMs`. A content at or before its stream's head can never
///        finalize (`Expired`): the stream has moved past its slot, so no damaged, missed or contested
///        epoch holds up a later one.
///      - A witness counts for at most one content per slot. Attesting the same content again is a duplicate
///        (reverted by `attest`, skipped by the batch paths); attesting a different content of the same slot
///        is an equivocation: it is recorded as evidence and never counted. A witness's attestation does not
///        depend on the ledger's state, so a witness that derives each epoch once can never equivocate,
///        whatever the order in which its attestations land.
///      - `observedUnixMs` may be at most `MAX_FUTURE_MS` after the chain's time (`ObservedInFuture`).
///      Storage per slot is one word: the bitmap of witnesses that attested in it while open, replaced by the
///      finalized observation hash at finalization (open bitmaps stay below 2**128; a finalized observation
///      whose hash is below 2**128 is refused). Open contents keep one word, their attestation bitmap; it is
///      deleted at finalization (the finalization event lists the witnesses). See `docs/ledger.md`.
interface IEveryChannelObservationLedger is IERC5267 {
    /// @notice The state of a slot.
    enum SlotStatus {
        /// No attestation was ever recorded in the slot.
        Empty,
        /// At least one witness attested a content of the slot; none is finalized.
        Open,
        /// An observation of the slot is finalized.
        Finalized
    }

    /// @notice The state of a content within its slot and stream.
    enum CandidateStatus {
        /// The ledger has no attestation of the content, its slot is not finalized and it can still finalize.
        Unknown,
        /// The content has recorded attestations, its slot is not finalized and it can still finalize.
        Open,
        /// The content is its slot's finalized observation.
        Finalized,
        /// Another content of its slot is finalized.
        Superseded,
        /// Its slot is not finalized, but its stream's head is at or past its `observedUnixMs`: it can never
        /// finalize (the stream moved on past a damaged, missed or contested epoch).
        Expired
    }

    // ---------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------

    /// @notice Emitted when the ledger first records a content (its first counted attestation) that stays
    ///         open, with the full content, so that indexers never need the transaction's calldata.
    /// @param contentHash The content's `ContentHash`.
    /// @param streamHash The content's stream.
    /// @param slot The content's `ObservationSlot`.
    /// @param content The full observation content.
    event ObservationProposed(
        bytes32 indexed contentHash,
        bytes32 indexed streamHash,
        bytes32 indexed slot,
        ObservationContent content
    );

    /// @notice Emitted when a witness's attestation is recorded on a content that stays open. Attestations
    ///         that finalize the content in the same call are listed by the finalization event's `witnesses`.
    /// @param contentHash The attested content.
    /// @param witness The witness whose attestation was recorded.
    event ObservationAttested(bytes32 indexed contentHash, address indexed witness);

    /// @notice Emitted when a content the ledger had recorded (`ObservationProposed`) finalizes: the
    ///         finalized header is that content with `parentObservationHash` and `sequence`.
    /// @param observationHash The finalized header's `ObservationHash`.
    /// @param streamHash The stream, whose finalized head is now `observationHash`.
    /// @param contentHash The finalized content's `ContentHash`.
    /// @param parentObservationHash The previous head (zero for the stream's first observation).
    /// @param sequence The observation's position in the stream's chain.
    /// @param witnesses Bitmap (registry index) of the active witnesses whose attestations counted.
    event ObservationFinalized(
        bytes32 indexed observationHash,
        bytes32 indexed streamHash,
        bytes32 indexed contentHash,
        bytes32 parentObservationHash,
        uint64 sequence,
        uint256 witnesses
    );

    /// @notice Emitted instead of `ObservationProposed` + `ObservationFinalized` when a content the ledger had
    ///         no attestation of finalizes in the call that brings its first attestations (every path). The
    ///         finalized header is flattened; nothing derivable is repeated (the slot is
    ///         keccak256(abi.encode(streamHash, epochHash)), the content hash keccak256 of the content).
    /// @param observationHash The finalized header's `ObservationHash`.
    /// @param streamHash The stream, whose finalized head is now `observationHash`.
    /// @param epochHash The header's `epochHash`.
    /// @param parentObservationHash The previous head (zero for the stream's first observation).
    /// @param dataRoot The header's `dataRoot`.
    /// @param locatorHash The header's `locatorHash`.
    /// @param observedUnixMs The header's `observedUnixMs`.
    /// @param sequence The observation's position in the stream's chain.
    /// @param witnesses Bitmap (registry index) of the active witnesses whose attestations counted.
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

    /// @notice Emitted when a co-signed report is accepted (`submitReport`), after the
    ///         `ObservationProposedAndFinalized` of each entry it finalized (a report finalizes a consecutive run of
    ///         its entries, sequences `firstSequence` to `firstSequence + finalized - 1`, and skips the others).
    /// @param streamHash The report's stream.
    /// @param reportDigest The report's EIP-712 digest (`reportDigest`), which its signers signed.
    /// @param witnesses Bitmap (registry index) of the signers, every one an active witness.
    /// @param firstSequence The sequence of the first finalized entry (meaningless when `finalized` is 0).
    /// @param finalized How many entries finalized.
    /// @param skipped How many entries were skipped (at or before the stream's head).
    event ReportAccepted(
        bytes32 indexed streamHash,
        bytes32 indexed reportDigest,
        uint256 witnesses,
        uint64 firstSequence,
        uint256 finalized,
        uint256 skipped
    );

    /// @notice Emitted when a witness is found attesting two different contents of one slot.
    /// @param slot The slot.
    /// @param witness The equivocating witness.
    /// @param contentA One content (zero: the one its counted attestation in the slot is recorded on).
    /// @param contentB The other content (the refused attestation's, when detected while attesting).
    event EquivocationRecorded(
        bytes32 indexed slot,
        address indexed witness,
        bytes32 contentA,
        bytes32 contentB
    );

    // ---------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------

    /// @notice Thrown when the constructor is given the zero address as registry.
    error ZeroRegistry();

    /// @notice Thrown when `account` is not an active witness of the registry.
    /// @param account The account.
    error NotAWitness(address account);

    /// @notice Thrown when attesting or finalizing in a slot that already has a finalized observation.
    /// @param slot The slot.
    /// @param finalizedContentHash The slot's finalized content.
    error SlotAlreadyFinalized(bytes32 slot, bytes32 finalizedContentHash);

    /// @notice Thrown by `attest` when the witness's attestation of the content is already recorded.
    /// @param contentHash The content.
    /// @param witness The witness.
    error AlreadyAttested(bytes32 contentHash, address witness);

    /// @notice Thrown by `finalize` for a content the ledger has no attestation of.
    /// @param contentHash The content.
    error UnknownObservation(bytes32 contentHash);

    /// @notice Thrown by `finalize` when the content has fewer counted attestations than the quorum.
    /// @param contentHash The content.
    /// @param attestations Its counted attestations.
    /// @param quorum The current quorum.
    error QuorumNotReached(bytes32 contentHash, uint256 attestations, uint256 quorum);

    /// @notice Thrown by `attest` and `finalize` for a content at or before its stream's head, which can never
    ///         finalize (the batch paths skip it).
    /// @param contentHash The content.
    /// @param observedUnixMs The content's `observedUnixMs`.
    /// @param headObservedUnixMs The stream's head's `observedUnixMs`.
    error ObservationExpired(bytes32 contentHash, uint64 observedUnixMs, uint64 headObservedUnixMs);

    /// @notice Thrown for a content whose `observedUnixMs` is more than `MAX_FUTURE_MS` after the chain's time.
    /// @param contentHash The content.
    /// @param observedUnixMs The content's `observedUnixMs`.
    /// @param latestAcceptedUnixMs The latest `observedUnixMs` accepted now (block time + `MAX_FUTURE_MS`).
    error ObservedInFuture(bytes32 contentHash, uint64 observedUnixMs, uint256 latestAcceptedUnixMs);

    /// @notice Thrown when a relayed signature does not verify for its witness and content.
    /// @param witness The named witness.
    /// @param contentHash The content.
    error InvalidSignature(address witness, bytes32 contentHash);

    /// @notice Thrown when a batch entry point is called with no item.
    error EmptyBatch();

    /// @notice Thrown when a relayed item carries no signature.
    /// @param contentHash The item's content.
    error NoSignatures(bytes32 contentHash);

    /// @notice Thrown when the `signatures` argument of `submitCompactAttestations` does not fit its contents.
    /// @param item The content index where the groups stop fitting (the number of contents: bytes remain).
    /// @param offset The byte offset in `signatures` of the group's count byte (or of the remaining bytes).
    error MalformedCompactSignatures(uint256 item, uint256 offset);

    /// @notice Thrown when a compact signature recovers no signer (`r` or `s` zero, `s` in the upper half).
    /// @param contentHash The item's content.
    /// @param signatureIndex The signature's index in its group.
    error InvalidCompactSignature(bytes32 contentHash, uint256 signatureIndex);

    /// @notice Thrown when the content that would finalize hashes below 2**128, the range reserved for open slot
    ///         bitmaps (probability 2**-128 for a real content).
    /// @param contentHash The content hash.
    error ReservedContentHash(bytes32 contentHash);

    /// @notice Thrown by `reportEquivocation` when the two contents are of different slots.
    /// @param slotA The first content's slot.
    /// @param slotB The second content's slot.
    error DifferentSlots(bytes32 slotA, bytes32 slotB);

    /// @notice Thrown by `reportEquivocation` when the two contents are the same.
    /// @param contentHash The content.
    error SameObservation(bytes32 contentHash);

    /// @notice Thrown by `reportEquivocation` when the witness's equivocation in the slot is already recorded.
    /// @param slot The slot.
    /// @param witness The witness.
    error EquivocationAlreadyRecorded(bytes32 slot, address witness);

    /// @notice Thrown when a report's entries are not a whole number (1 to `MAX_REPORT_ENTRIES`) of 104-byte
    ///         entries or its signatures not a whole, non-zero number of 64-byte signatures.
    /// @param entriesLength The length of `entries` in bytes.
    /// @param signaturesLength The length of `signatures` in bytes.
    error MalformedReport(uint256 entriesLength, uint256 signaturesLength);

    /// @notice Thrown when a report's entry is not strictly later than the one before.
    /// @param index The entry.
    /// @param observedUnixMs Its `observedUnixMs`.
    /// @param previousObservedUnixMs The previous entry's.
    error ReportEntriesNotIncreasing(uint256 index, uint64 observedUnixMs, uint64 previousObservedUnixMs);

    /// @notice Thrown when a report's compact signature recovers no signer (`r` or `s` zero, `s` above n/2).
    /// @param reportDigest The report's digest.
    /// @param signatureIndex The signature's position in the report's signatures.
    error InvalidReportSignature(bytes32 reportDigest, uint256 signatureIndex);

    /// @notice Thrown when a witness signed a report twice in its signatures.
    /// @param reportDigest The report's digest.
    /// @param witness The witness.
    error DuplicateReportSigner(bytes32 reportDigest, address witness);

    /// @notice Thrown when an evidence's entry index is not in its report.
    /// @param index The index.
    /// @param count How many entries the report has.
    error ReportEntryOutOfRange(uint256 index, uint256 count);

    // ---------------------------------------------------------------------------------------------
    // Actions
    // ---------------------------------------------------------------------------------------------

    /// @notice Attests `content` as the caller, an active witness; finalizes it when this attestation brings
    ///         the quorum. Reverts `NotAWitness`, `SlotAlreadyFinalized`, `ObservationExpired`,
    ///         `ObservedInFuture`, or `AlreadyAttested` (the caller's attestation of this content is recorded).
    ///         Attesting another content of a slot where the caller's attestation is recorded does not revert:
    ///         it records the equivocation and returns false.
    /// @param content The observation content.
    /// @return finalized Whether the content finalized.
    function attest(ObservationContent calldata content) external returns (bool finalized);

    /// @notice Attests several contents as the caller, an active witness, in order. Contents whose slot is
    ///         finalized, that the caller's attestation is already recorded on, or that are expired when the
    ///         caller's attestation would bring their quorum are skipped (racing relayers never make a witness lose
    ///         the rest of its batch); below quorum an expired content's vote is recorded as on any open content
    ///         (it can never finalize). A conflicting content of a slot records the equivocation. Reverts
    ///         `EmptyBatch`, `NotAWitness`, and `ObservedInFuture` (checked first: a future content is invalid
    ///         input, not a race).
    /// @param contents The observation contents.
    /// @return counted How many attestations were recorded or finalized their content.
    /// @return finalizedCount How many contents finalized.
    function attestMany(
        ObservationContent[] calldata contents
    ) external returns (uint256 counted, uint256 finalizedCount);

    /// @notice Records relayed EIP-712 witness signatures (EOA or ERC-1271), item by item, and finalizes
    ///         every content that reaches quorum. Skips without reverting: an item whose slot is finalized or
    ///         that is expired, and a signature of a witness already counted on the item's content. Reverts
    ///         `EmptyBatch`, `NoSignatures`, `NotAWitness`, `InvalidSignature`, `ObservedInFuture`.
    /// @param items The contents with their signatures.
    /// @return finalizedCount How many contents finalized.
    function submitSignedAttestations(
        SignedObservation[] calldata items
    ) external returns (uint256 finalizedCount);

    /// @notice `submitSignedAttestations` for EOA witnesses with 64-byte EIP-2098 signatures: item `i` is
    ///         `contents[i]` with the `i`-th group of `signatures` (a count byte 1 to 255, then that many
    ///         signatures). Every signature of a processed item is recovered; a signer that is not an active
    ///         witness reverts `NotAWitness(recovered)`. Also reverts `MalformedCompactSignatures`,
    ///         `InvalidCompactSignature`.
    /// @param contents The contents.
    /// @param signatures The concatenated signature groups, one per content, in order.
    /// @return finalizedCount How many contents finalized.
    function submitCompactAttestations(
        ObservationContent[] calldata contents,
        bytes calldata signatures
    ) external returns (uint256 finalizedCount);

    /// @notice Finalizes a recorded content whose counted attestations reach the quorum (after a membership or
    ///         quorum change). Reverts `SlotAlreadyFinalized`, `UnknownObservation`, `QuorumNotReached`,
    ///         `ObservationExpired`.
    /// @param content The content.
    /// @return finalized Always true (it reverts otherwise).
    function finalize(ObservationContent calldata content) external returns (bool finalized);

    /// @notice Records, from two signatures of `witness` over different contents of one slot, that it
    ///         equivocated. In an open slot none of its attestations counts from then on. Works after
    ///         finalization (evidence only) and against removed witnesses. Reverts `DifferentSlots`,
    ///         `SameObservation`, `NotAWitness` (never registered), `EquivocationAlreadyRecorded`,
    ///         `InvalidSignature`.
    /// @param witness The witness.
    /// @param a The first content.
    /// @param signatureA The witness's signature over `a`.
    /// @param b The second content.
    /// @param signatureB The witness's signature over `b`.
    function reportEquivocation(
        address witness,
        ObservationContent calldata a,
        bytes calldata signatureA,
        ObservationContent calldata b,
        bytes calldata signatureB
    ) external;

    /// @notice Finalizes a co-signed report: a run of one stream's epochs that each signer signed once
    ///         (EIP-712 `ObservationReport`, `reportDigest`). The signatures must recover to at least `quorum`
    ///         distinct active witnesses (EOAs; a contract witness attests through the other paths). Each entry,
    ///         with `streamHash`, is an `ObservationContent`; entries at or before the stream's head are skipped
    ///         (expired), the others finalize in order, each linked to the one before (parent = head, sequence + 1).
    ///         Writes no per-slot word: the head once (`docs/ledger.md`, "Reports"). Emits
    ///         `ObservationProposedAndFinalized` per finalized entry, then `ReportAccepted`. Reverts
    ///         `MalformedReport`, `ReportEntriesNotIncreasing`, `ObservedInFuture` (the first entry beyond the
    ///         time tolerance), `InvalidReportSignature`, `NotAWitness` (a signer that is not an active witness),
    ///         `DuplicateReportSigner`, `QuorumNotReached(reportDigest, signers, quorum)`.
    /// @param streamHash The report's stream.
    /// @param entries The packed entries: per entry `epochHash ‖ dataRoot ‖ locatorHash ‖ uint64 observedUnixMs`
    ///        (104 bytes), strictly increasing `observedUnixMs`, at most `MAX_REPORT_ENTRIES`.
    /// @param signatures The signers' 64-byte EIP-2098 signatures (`r ‖ yParityAndS`) over the report's digest.
    /// @return finalizedCount How many entries finalized.
    function submitReport(
        bytes32 streamHash,
        bytes calldata entries,
        bytes calldata signatures
    ) external returns (uint256 finalizedCount);

    /// @notice Records the equivocation of `witness` shown by two reports it signed with different contents for
    ///         one slot (`a`'s entry `a.index` and `b`'s entry `b.index`), as `reportEquivocation` does for two
    ///         single signatures (same record, same rules). Reverts `ReportEntryOutOfRange`, `MalformedReport`,
    ///         `DifferentSlots`, `SameObservation`, `NotAWitness`, `EquivocationAlreadyRecorded`,
    ///         `InvalidSignature`.
    /// @param witness The witness.
    /// @param a The first report, entry and signature.
    /// @param b The second report, entry and signature.
    function reportReportEquivocation(
        address witness,
        ReportEvidence calldata a,
        ReportEvidence calldata b
    ) external;

    /// @notice Records the equivocation of `witness` shown by a report it signed (`a`'s entry `a.index`) and its
    ///         signature over another content `b` of the same slot, as `reportEquivocation` does.
    /// @param witness The witness.
    /// @param a The report, entry and signature.
    /// @param b The other content.
    /// @param signatureB The witness's signature over `observationDigest(b)`.
    function reportReportAndContentEquivocation(
        address witness,
        ReportEvidence calldata a,
        ObservationContent calldata b,
        bytes calldata signatureB
    ) external;

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @notice keccak256 of `ObservationReport(bytes32 streamHash,ReportEntry[] entries)ReportEntry(bytes32
    ///         epochHash,bytes32 dataRoot,bytes32 locatorHash,uint64 observedUnixMs)`.
    /// @return The report type hash.
    function REPORT_TYPEHASH() external view returns (bytes32);

    /// @notice keccak256 of `ReportEntry(bytes32 epochHash,bytes32 dataRoot,bytes32 locatorHash,uint64 observedUnixMs)`.
    /// @return The report entry type hash.
    function REPORT_ENTRY_TYPEHASH() external view returns (bytes32);

    /// @notice The most entries a report carries.
    /// @return 256.
    function MAX_REPORT_ENTRIES() external view returns (uint256);

    /// @notice The EIP-712 digest a witness signs for the report of `streamHash` and the packed `entries` (as
    ///         `submitReport` takes them), under the ledger's domain. Reverts `MalformedReport` when `entries` is
    ///         not a whole number of entries.
    /// @param streamHash The report's stream.
    /// @param entries The packed entries.
    /// @return The digest.
    function reportDigest(bytes32 streamHash, bytes calldata entries) external view returns (bytes32);

    /// @notice The EIP-712 typehash of `Observation(bytes32 streamHash,bytes32 epochHash,bytes32 dataRoot,
    ///         bytes32 locatorHash,uint64 observedUnixMs)`.
    /// @return The typehash.
    // solhint-disable-next-line func-name-mixedcase
    function OBSERVATION_TYPEHASH() external view returns (bytes32);

    /// @notice The largest `observedUnixMs` accepted, in milliseconds after the chain's time.
    /// @return The tolerance in milliseconds.
    // solhint-disable-next-line func-name-mixedcase
    function MAX_FUTURE_MS() external view returns (uint256);

    /// @notice The EIP-712 digest a witness signs for `content`.
    /// @param content The content.
    /// @return The digest.
    function observationDigest(ObservationContent calldata content) external view returns (bytes32);

    /// @notice The witness registry.
    /// @return The registry.
    function registry() external view returns (IEveryChannelWitnessRegistry);

    /// @notice A stream's finalized head.
    /// @param streamHash The stream.
    /// @return observationHash The head (zero when the stream has none).
    /// @return sequence The head's sequence.
    /// @return observedUnixMs The head's `observedUnixMs`.
    function finalizedHead(
        bytes32 streamHash
    ) external view returns (bytes32 observationHash, uint64 sequence, uint64 observedUnixMs);

    /// @notice A slot's state.
    /// @param slot The slot.
    /// @return status Empty, open or finalized.
    /// @return finalizedContentHash The finalized content (finalized slots); its `ObservationHash` is in the
    ///         finalization event and, while it is the head, `finalizedHead`.
    /// @return attestedWitnesses Bitmap (registry index) of the witnesses that attested in the slot (open).
    function slotStatus(
        bytes32 slot
    ) external view returns (SlotStatus status, bytes32 finalizedContentHash, uint256 attestedWitnesses);

    /// @notice A content's state, its counted attestations under the current membership, the quorum, and
    ///         whether it can still reach quorum: not finalized, superseded or expired, and its attestations
    ///         plus the active witnesses that have not attested in its slot reach the quorum. A slot none of
    ///         whose contents is reachable can no longer finalize under the current membership; it ends when
    ///         its stream's head passes it (`Expired`).
    /// @param content The content.
    /// @return status The status.
    /// @return attestations Counted attestations (active witnesses recorded on the content).
    /// @return currentQuorum The registry's quorum.
    /// @return reachable Whether the content can still reach quorum.
    function candidateStatus(
        ObservationContent calldata content
    )
        external
        view
        returns (CandidateStatus status, uint256 attestations, uint256 currentQuorum, bool reachable);

    /// @notice The witnesses whose attestations are recorded on an open content (none once its slot finalized).
    /// @param contentHash The content.
    /// @return The witnesses, by registry index.
    function attestationsOf(bytes32 contentHash) external view returns (address[] memory);

    /// @notice A recorded equivocation of `witness` in `slot` (zeros when none).
    /// @param slot The slot.
    /// @param witness The witness.
    /// @return contentA As in `EquivocationRecorded`.
    /// @return contentB As in `EquivocationRecorded`.
    function equivocation(
        bytes32 slot,
        address witness
    ) external view returns (bytes32 contentA, bytes32 contentB);

    /// @notice The contract's semantic version (`docs/versioning.md`).
    /// @return The version.
    function version() external view returns (string memory);
}
