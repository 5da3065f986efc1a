// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {
    IEveryChannelObservationLedger,
    ReportEvidence,
    SignedObservation,
    WitnessSignature
} from "./interfaces/IEveryChannelObservationLedger.sol";
import {IEveryChannelWitnessRegistry} from "./interfaces/IEveryChannelWitnessRegistry.sol";
import {EveryChannelBitmap} from "./libraries/EveryChannelBitmap.sol";
import {EveryChannelCompactCalldata as CompactCalldata} from "./libraries/EveryChannelCompactCalldata.sol";
import {ObservationContent} from "./libraries/EveryChannelTypes.sol";

/// @title EveryChannelObservationLedger
/// @notice Witness attestations of observation contents (by transaction and relayed EIP-712 signatures),
///         finalized at quorum into one linear chain per stream whose links the ledger assigns (ECP-0093).
/// @dev Storage (see `docs/ledger.md`):
///      - `_slots[slot]`: 0 (empty), a bitmap below 2**128 of the witnesses that attested in the slot (open),
///        or the finalized `ContentHash` (finalized; content hashes below 2**128 never finalize).
///      - `_candidates[contentHash]`: bitmap of the witnesses whose attestation is recorded on an open
///        content; deleted when it finalizes. A content first seen and finalized in the same call never gets
///        one, so a finalized observation costs exactly one new storage word (its slot's).
///      - `_heads[streamHash]`: the stream's finalized head (two words).
///      - `_equivocations[slot][witness]`: evidence, written only when a witness equivocates.
///      Calldata and memory layouts, with their named offsets, and the assembly that reads them are in
///      `EveryChannelCompactCalldata`.
contract EveryChannelObservationLedger is IEveryChannelObservationLedger, EIP712 {
    using EveryChannelBitmap for uint256;

    /// @notice A stream's finalized head.
    /// @param observationHash The head observation (zero when the stream has none).
    /// @param position The head's `sequence` (bits 0-63) and `observedUnixMs` (bits 64-127).
    struct Head {
        bytes32 observationHash;
        uint256 position;
    }

    /// @notice Recorded evidence of an equivocation (see `EquivocationRecorded`).
    /// @param contentA The other content, or zero when it is the witness's counted attestation.
    /// @param contentB The content whose attestation was refused.
    struct Equivocation {
        bytes32 contentA;
        bytes32 contentB;
    }

    /// @notice One side of equivocation evidence, checked.
    /// @param contentHash The content's hash.
    /// @param slot The content's slot.
    /// @param valid Whether the witness's signature over it verified.
    struct Evidence {
        bytes32 contentHash;
        bytes32 slot;
        bool valid;
    }

    /// @notice The registry membership, read once per relayed batch and kept in memory.
    /// @param loaded Whether `active` and `quorum` have been read (with the first witness looked up).
    /// @param active Bitmap of active witnesses by registry index.
    /// @param quorum The quorum.
    /// @param entries Witnesses already looked up: `uint160(witness) | (index << 160)`.
    /// @param size How many entries are used.
    struct MembershipCache {
        bool loaded;
        uint256 active;
        uint256 quorum;
        uint256[] entries;
        uint256 size;
    }

    /// @inheritdoc IEveryChannelObservationLedger
    // Observation(bytes32 streamHash,bytes32 epochHash,bytes32 dataRoot,bytes32 locatorHash,uint64 observedUnixMs)
    bytes32 public constant OBSERVATION_TYPEHASH =
        keccak256(
            "Observation(bytes32 streamHash,bytes32 epochHash,bytes32 dataRoot,bytes32 locatorHash,uint64 observedUnixMs)"
        );

    /// @inheritdoc IEveryChannelObservationLedger
    uint256 public constant MAX_FUTURE_MS = 300_000;

    /// @inheritdoc IEveryChannelObservationLedger
    // ObservationReport(bytes32 streamHash,ReportEntry[] entries)ReportEntry(bytes32 epochHash,bytes32 dataRoot,
    // bytes32 locatorHash,uint64 observedUnixMs)
    bytes32 public constant REPORT_TYPEHASH =
        keccak256(
            "ObservationReport(bytes32 streamHash,ReportEntry[] entries)ReportEntry(bytes32 epochHash,bytes32 dataRoot,bytes32 locatorHash,uint64 observedUnixMs)"
        );

    /// @inheritdoc IEveryChannelObservationLedger
    bytes32 public constant REPORT_ENTRY_TYPEHASH =
        keccak256(
            "ReportEntry(bytes32 epochHash,bytes32 dataRoot,bytes32 locatorHash,uint64 observedUnixMs)"
        );

    /// @inheritdoc IEveryChannelObservationLedger
    uint256 public constant MAX_REPORT_ENTRIES = 256;

    /// @dev Outcomes of an item: nothing recorded, recorded on a content that stays open, finalized, or the
    ///      witness's conflicting attestation recorded as equivocation (`_attest` only).
    uint256 internal constant NOT_HANDLED = 0;
    uint256 internal constant FINALIZED = 1;
    uint256 internal constant OPEN = 2;
    uint256 internal constant EQUIVOCATED = 3;

    /// @dev Slot words below this value are open-slot bitmaps; at or above it, a finalized content hash.
    uint256 private constant FINALIZED_THRESHOLD = 1 << 128;

    /// @dev `Head.position`: the sequence in the low 64 bits, `observedUnixMs` above.
    uint256 private constant POSITION_OBSERVED_SHIFT = CompactCalldata.POSITION_OBSERVED_SHIFT;

    IEveryChannelWitnessRegistry private immutable _REGISTRY;

    mapping(bytes32 slot => uint256 word) private _slots;
    mapping(bytes32 contentHash => uint256 witnesses) private _candidates;
    mapping(bytes32 streamHash => Head head) private _heads;
    mapping(bytes32 slot => mapping(address witness => Equivocation record)) private _equivocations;

    /// @notice Creates the ledger over a witness registry.
    /// @param registry_ The witness registry (immutable).
    constructor(address registry_) EIP712("EveryChannelObservationLedger", "2") {
        if (registry_ == address(0)) revert ZeroRegistry();
        _REGISTRY = IEveryChannelWitnessRegistry(registry_);
    }

    // ---------------------------------------------------------------------------------------------
    // Actions
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IEveryChannelObservationLedger
    function attest(ObservationContent calldata content) external returns (bool finalized) {
        (uint256 active, uint256 quorum, uint256 bit) = _senderMembership();
        return _attest(content, bit, active, quorum, true) == FINALIZED;
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function attestMany(
        ObservationContent[] calldata contents
    ) external returns (uint256 counted, uint256 finalizedCount) {
        if (contents.length == 0) revert EmptyBatch();
        (uint256 active, uint256 quorum, uint256 bit) = _senderMembership();
        for (uint256 i = 0; i < contents.length; ++i) {
            uint256 outcome = _attest(contents[i], bit, active, quorum, false);
            if (outcome == FINALIZED) {
                ++counted;
                ++finalizedCount;
            } else if (outcome == OPEN) {
                ++counted;
            }
        }
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function submitSignedAttestations(
        SignedObservation[] calldata items
    ) external returns (uint256 finalizedCount) {
        if (items.length == 0) revert EmptyBatch();
        MembershipCache memory cache;
        cache.entries = new uint256[](8);
        for (uint256 i = 0; i < items.length; ++i) {
            if (_submit(items[i], cache)) ++finalizedCount;
        }
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function submitCompactAttestations(
        ObservationContent[] calldata contents,
        bytes calldata signatures
    ) external returns (uint256 finalizedCount) {
        uint256 count = contents.length;
        if (count == 0) revert EmptyBatch();
        MembershipCache memory cache;
        cache.entries = new uint256[](8);
        CompactCalldata.CompactBatch memory batch;
        batch.domainSeparator = _domainSeparatorV4();
        (uint256 start, uint256 end) = CompactCalldata.range(signatures);
        uint256 at = start;
        for (uint256 i = 0; i < count; ) {
            // The item's group: one count byte (1 to 255), then that many 64-byte signatures.
            uint256 next = CompactCalldata.groupEnd(at, end);
            if (next == 0) revert MalformedCompactSignatures(i, at - start);
            ObservationContent calldata content = CompactCalldata.contentAt(contents, i);
            uint256 outcome = _fastPathEnabled()
                ? _submitCompactFast(content, at + 1, next, cache, batch)
                : NOT_HANDLED;
            if (outcome == NOT_HANDLED) {
                // The general path reads and writes `_heads`: store the cached head and forget it.
                _storeHead(batch);
                if (_submitCompact(content, at + 1, next, cache)) outcome = FINALIZED;
            }
            unchecked {
                if (outcome == FINALIZED) ++finalizedCount;
                ++i;
            }
            at = next;
        }
        if (at != end) revert MalformedCompactSignatures(count, at - start);
        _storeHead(batch);
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function finalize(ObservationContent calldata content) external returns (bool finalized) {
        (bytes32 contentHash, bytes32 slot) = _hashes(content);
        uint256 slotWord = _slots[slot];
        if (slotWord >= FINALIZED_THRESHOLD) revert SlotAlreadyFinalized(slot, bytes32(slotWord));
        uint256 recorded = _candidates[contentHash];
        if (recorded == 0) revert UnknownObservation(contentHash);
        (uint256 active, uint256 quorum) = _REGISTRY.membership();
        uint256 counted = recorded & active;
        uint256 attestations = counted.popCount();
        if (attestations < quorum) revert QuorumNotReached(contentHash, attestations, quorum);
        (bool done, uint64 headObservedUnixMs) = _tryFinalize(content, contentHash, slot, counted, recorded);
        if (!done) revert ObservationExpired(contentHash, content.observedUnixMs, headObservedUnixMs);
        return true;
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function reportEquivocation(
        address witness,
        ObservationContent calldata a,
        bytes calldata signatureA,
        ObservationContent calldata b,
        bytes calldata signatureB
    ) external {
        _recordEvidence(
            witness,
            _contentEvidence(witness, a, signatureA),
            _contentEvidence(witness, b, signatureB)
        );
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function submitReport(
        bytes32 streamHash,
        bytes calldata entries,
        bytes calldata signatures
    ) external returns (uint256 finalizedCount) {
        (uint256 start, uint256 count) = _reportEntries(entries, signatures.length);
        bytes32 digest = _checkedReportDigest(streamHash, start, count);
        uint256 witnesses = _reportSigners(digest, signatures);
        uint64 firstSequence;
        (finalizedCount, firstSequence) = _finalizeReport(streamHash, start, count, witnesses);
        emit ReportAccepted(
            streamHash,
            digest,
            witnesses,
            firstSequence,
            finalizedCount,
            count - finalizedCount
        );
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function reportReportEquivocation(
        address witness,
        ReportEvidence calldata a,
        ReportEvidence calldata b
    ) external {
        _recordEvidence(witness, _reportEvidence(witness, a), _reportEvidence(witness, b));
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function reportReportAndContentEquivocation(
        address witness,
        ReportEvidence calldata a,
        ObservationContent calldata b,
        bytes calldata signatureB
    ) external {
        _recordEvidence(witness, _reportEvidence(witness, a), _contentEvidence(witness, b, signatureB));
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IEveryChannelObservationLedger
    function observationDigest(ObservationContent calldata content) external view returns (bytes32) {
        return _digest(content);
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function reportDigest(bytes32 streamHash, bytes calldata entries) external view returns (bytes32) {
        (uint256 start, uint256 count) = _reportEntries(entries, CompactCalldata.SIGNATURE_SIZE);
        (bytes32 structHash, , ) = CompactCalldata.reportStructHash(
            REPORT_TYPEHASH,
            REPORT_ENTRY_TYPEHASH,
            streamHash,
            start,
            count,
            type(uint256).max
        );
        return MessageHashUtils.toTypedDataHash(_domainSeparatorV4(), structHash);
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function registry() external view returns (IEveryChannelWitnessRegistry) {
        return _REGISTRY;
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function finalizedHead(
        bytes32 streamHash
    ) external view returns (bytes32 observationHash, uint64 sequence, uint64 observedUnixMs) {
        Head storage head = _heads[streamHash];
        uint256 position = head.position;
        return (head.observationHash, uint64(position), uint64(position >> POSITION_OBSERVED_SHIFT));
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function slotStatus(
        bytes32 slot
    ) external view returns (SlotStatus status, bytes32 finalizedContentHash, uint256 attestedWitnesses) {
        uint256 slotWord = _slots[slot];
        if (slotWord == 0) return (SlotStatus.Empty, bytes32(0), 0);
        if (slotWord < FINALIZED_THRESHOLD) return (SlotStatus.Open, bytes32(0), slotWord);
        return (SlotStatus.Finalized, bytes32(slotWord), 0);
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function candidateStatus(
        ObservationContent calldata content
    )
        external
        view
        returns (CandidateStatus status, uint256 attestations, uint256 currentQuorum, bool reachable)
    {
        (bytes32 contentHash, bytes32 slot) = _hashes(content);
        uint256 active;
        (active, currentQuorum) = _REGISTRY.membership();
        uint256 slotWord = _slots[slot];
        if (slotWord >= FINALIZED_THRESHOLD) {
            if (bytes32(slotWord) == contentHash) return (CandidateStatus.Finalized, 0, currentQuorum, false);
            attestations = (_candidates[contentHash] & active).popCount();
            return (CandidateStatus.Superseded, attestations, currentQuorum, false);
        }
        uint256 recorded = _candidates[contentHash];
        attestations = (recorded & active).popCount();
        (bool extendsHead, , , ) = _link(content);
        if (!extendsHead) return (CandidateStatus.Expired, attestations, currentQuorum, false);
        status = recorded == 0 ? CandidateStatus.Unknown : CandidateStatus.Open;
        reachable = attestations + (active & ~slotWord).popCount() >= currentQuorum;
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function attestationsOf(bytes32 contentHash) external view returns (address[] memory list) {
        uint256 recorded = _candidates[contentHash];
        list = new address[](recorded.popCount());
        uint256 found = 0;
        for (uint256 index = 0; recorded != 0; ++index) {
            if (recorded & 1 == 1) list[found++] = _REGISTRY.witnessAt(index);
            recorded >>= 1;
        }
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function equivocation(
        bytes32 slot,
        address witness
    ) external view returns (bytes32 contentA, bytes32 contentB) {
        Equivocation storage record = _equivocations[slot][witness];
        return (record.contentA, record.contentB);
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function version() external pure returns (string memory) {
        return "2.1.0";
    }

    // ---------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------

    /// @dev Whether `submitCompactAttestations` tries its fast path (`_submitCompactFast`) first; virtual so that
    ///      a test harness can turn it off.
    function _fastPathEnabled() internal view virtual returns (bool) {
        return true;
    }

    /// @dev The chain's time in seconds; virtual so that a test harness can move it.
    function _time() internal view virtual returns (uint256) {
        return block.timestamp;
    }

    /// @dev `ContentHash` (keccak256(abi.encode(content))) and `ObservationSlot`
    ///      (keccak256(abi.encode(streamHash, epochHash))) from one copy of the content: the same bytes as
    ///      `EveryChannelHashing`, which the tests check. Virtual so that a test harness can reach the
    ///      reserved hash range.
    function _hashes(
        ObservationContent calldata content
    ) internal view virtual returns (bytes32 contentHash, bytes32 slot) {
        return CompactCalldata.hashes(content);
    }

    /// @dev The EIP-712 digest; hashStruct = keccak256(OBSERVATION_TYPEHASH, abi.encode(content)) because every
    ///      field is one static word.
    function _digest(ObservationContent calldata content) private view returns (bytes32) {
        return
            MessageHashUtils.toTypedDataHash(
                _domainSeparatorV4(),
                CompactCalldata.structHash(OBSERVATION_TYPEHASH, content)
            );
    }

    /// @dev Reverts `ObservedInFuture` when `content` is observed more than `MAX_FUTURE_MS` after the chain's time.
    function _requireNotInFuture(ObservationContent calldata content, bytes32 contentHash) private view {
        uint256 latest = _time() * 1000 + MAX_FUTURE_MS;
        uint64 observedUnixMs = content.observedUnixMs;
        if (observedUnixMs > latest) revert ObservedInFuture(contentHash, observedUnixMs, latest);
    }

    /// @dev The `ObservationHash` of `content` finalized with `parent` and `sequence`: the `ObservationHeader`'s
    ///      abi encoding built in memory.
    function _headerHash(
        ObservationContent calldata content,
        bytes32 parent,
        uint64 sequence
    ) internal pure returns (bytes32 observationHash) {
        (, observationHash) = CompactCalldata.header(content, parent, sequence);
    }

    /// @dev Where `content` would link into its stream's chain now: whether it is later than the head (and the
    ///      head has a successor sequence), the parent (the head) and the sequence, and the head's
    ///      `observedUnixMs`.
    function _link(
        ObservationContent calldata content
    ) private view returns (bool extendsHead, bytes32 parent, uint64 sequence, uint64 headObservedUnixMs) {
        Head storage head = _heads[content.streamHash];
        parent = head.observationHash;
        if (parent == 0) return (true, 0, 0, 0);
        uint256 position = head.position;
        uint64 headSequence = uint64(position);
        headObservedUnixMs = uint64(position >> POSITION_OBSERVED_SHIFT);
        // A head at sequence 2**64 - 1 has no successor.
        extendsHead = content.observedUnixMs > headObservedUnixMs && headSequence != type(uint64).max;
        unchecked {
            sequence = headSequence + 1;
        }
    }

    function _senderMembership() private view returns (uint256 active, uint256 quorum, uint256 bit) {
        bool registered;
        uint256 index;
        (active, quorum, registered, index) = _REGISTRY.membershipOf(msg.sender);
        bit = 1 << index;
        if (!registered || active & bit == 0) revert NotAWitness(msg.sender);
    }

    /// @dev One attestation by `msg.sender` (bit `bit`). `strict` (`attest`) reverts where `attestMany` skips.
    function _attest(
        ObservationContent calldata content,
        uint256 bit,
        uint256 active,
        uint256 quorum,
        bool strict
    ) private returns (uint256) {
        (bytes32 contentHash, bytes32 slot) = _hashes(content);
        _requireNotInFuture(content, contentHash);
        uint256 slotWord = _slots[slot];
        if (slotWord >= FINALIZED_THRESHOLD) {
            if (strict) revert SlotAlreadyFinalized(slot, bytes32(slotWord));
            return NOT_HANDLED;
        }
        // An empty slot has no content: skip the read.
        uint256 recorded = slotWord == 0 ? 0 : _candidates[contentHash];
        if (slotWord & bit != 0) {
            if (recorded & bit != 0) {
                if (strict) revert AlreadyAttested(contentHash, msg.sender);
                return NOT_HANDLED;
            }
            _recordEquivocation(slot, msg.sender, contentHash);
            return EQUIVOCATED;
        }
        uint256 updated = recorded | bit;
        uint256 counted = updated & active;
        if (counted.popCount() >= quorum) {
            (bool finalized, uint64 headObservedUnixMs) = _tryFinalize(
                content,
                contentHash,
                slot,
                counted,
                recorded
            );
            if (finalized) return FINALIZED;
            if (strict) revert ObservationExpired(contentHash, content.observedUnixMs, headObservedUnixMs);
            return NOT_HANDLED;
        }
        if (recorded == 0) _propose(content, contentHash, slot);
        _candidates[contentHash] = updated;
        _slots[slot] = slotWord | bit;
        emit ObservationAttested(contentHash, msg.sender);
        return OPEN;
    }

    function _submit(SignedObservation calldata item, MembershipCache memory cache) private returns (bool) {
        ObservationContent calldata content = item.content;
        (bytes32 contentHash, bytes32 slot) = _hashes(content);
        if (item.signatures.length == 0) revert NoSignatures(contentHash);
        _requireNotInFuture(content, contentHash);
        uint256 recorded;
        uint256 updated;
        uint256 slotBits;
        {
            uint256 slotWord = _slots[slot];
            // Finalized already (this content or another of its slot): nothing to add, skip the item.
            if (slotWord >= FINALIZED_THRESHOLD) return false;
            recorded = slotWord == 0 ? 0 : _candidates[contentHash];
            (updated, slotBits) = _collect(
                content,
                contentHash,
                item.signatures,
                cache,
                slot,
                recorded,
                slotWord
            );
        }
        uint256 outcome = _settle(content, contentHash, slot, recorded, updated, slotBits, cache);
        if (outcome == OPEN) _emitAttested(item.signatures, cache, contentHash, recorded, updated);
        return outcome == FINALIZED;
    }

    /// @dev The general path of `submitCompactAttestations` for the item `content` with the compact signatures
    ///      in calldata `[at, end)` (a whole, non-zero number of 64-byte signatures).
    function _submitCompact(
        ObservationContent calldata content,
        uint256 at,
        uint256 end,
        MembershipCache memory cache
    ) private returns (bool) {
        (bytes32 contentHash, bytes32 slot) = _hashes(content);
        _requireNotInFuture(content, contentHash);
        uint256 slotWord = _slots[slot];
        // Finalized already (this content or another of its slot): nothing to add, skip the item.
        if (slotWord >= FINALIZED_THRESHOLD) return false;
        uint256 recorded = slotWord == 0 ? 0 : _candidates[contentHash];
        (uint256 updated, uint256 slotBits) = _collectCompact(
            content,
            at,
            end,
            cache,
            contentHash,
            slot,
            recorded,
            slotWord
        );
        uint256 outcome = _settle(content, contentHash, slot, recorded, updated, slotBits, cache);
        if (outcome == OPEN) _emitAttestedByIndex(cache, contentHash, updated & ~recorded);
        return outcome == FINALIZED;
    }

    /// @dev The end of a relayed item, after its signatures are collected into the content's bitmap `updated`
    ///      (was `recorded`) and the slot's `slotBits`: finalizes the content at quorum (nothing is written when
    ///      it is expired), otherwise records the new attestations. Returns `FINALIZED`, `OPEN` (attestations
    ///      recorded: the caller emits `ObservationAttested`) or `NOT_HANDLED` (nothing written).
    function _settle(
        ObservationContent calldata content,
        bytes32 contentHash,
        bytes32 slot,
        uint256 recorded,
        uint256 updated,
        uint256 slotBits,
        MembershipCache memory cache
    ) private returns (uint256) {
        if (updated == 0) return NOT_HANDLED;
        uint256 counted = updated & cache.active;
        if (counted.popCount() >= cache.quorum) {
            (bool finalized, ) = _tryFinalize(content, contentHash, slot, counted, recorded);
            return finalized ? FINALIZED : NOT_HANDLED;
        }
        if (updated == recorded) return NOT_HANDLED;
        if (recorded == 0) _propose(content, contentHash, slot);
        _candidates[contentHash] = updated;
        _slots[slot] = slotBits;
        return OPEN;
    }

    /// @dev The fast path of `submitCompactAttestations`, for the common case: an item of an empty slot, not in
    ///      the future, whose signatures recover to distinct active witnesses. It finalizes the item (quorum
    ///      reached and later than the head; the head is kept in `batch` until `_storeHead`) or records it as a
    ///      new open content, with the effects `_submitCompact` has for that item, and returns `FINALIZED` or
    ///      `OPEN`. Any other item (slot not empty, in the future, expired with quorum, a signature that recovers
    ///      no signer, a witness twice, a dirty `uint64` word, a reserved hash) returns `NOT_HANDLED` with nothing
    ///      written; `_submitCompact` then processes it and raises its errors. A signer not yet in `cache` is
    ///      looked up with `_witnessBit`, which reverts `NotAWitness` at the signature where `_submitCompact`
    ///      would. `test/ledger/compact-paths.test.ts` checks both paths against each other.
    function _submitCompactFast(
        ObservationContent calldata content,
        uint256 at,
        uint256 end,
        MembershipCache memory cache,
        CompactCalldata.CompactBatch memory batch
    ) private returns (uint256) {
        (bytes32 contentHash, bytes32 slot, bytes32 structHash) = CompactCalldata.fastHashes(
            content,
            OBSERVATION_TYPEHASH,
            _time() * 1000 + MAX_FUTURE_MS,
            FINALIZED_THRESHOLD,
            _slots
        );
        if (structHash == 0) return NOT_HANDLED;
        uint256 witnesses = _collectCompactFast(
            MessageHashUtils.toTypedDataHash(batch.domainSeparator, structHash),
            at,
            end,
            cache
        );
        if (witnesses == 0) return NOT_HANDLED;
        // The signers are distinct: one witness per signature.
        if ((end - at) >> 6 >= cache.quorum) {
            // Expired with quorum: `_submitCompact` skips it.
            if (!_extendsCachedHead(content, batch)) return NOT_HANDLED;
            _finalizeNewCached(content, contentHash, slot, witnesses, batch);
            return FINALIZED;
        }
        // A new content that stays open, as `_submitCompact` records it.
        _propose(content, contentHash, slot);
        _candidates[contentHash] = witnesses;
        _slots[slot] = witnesses;
        _emitAttestedByIndex(cache, contentHash, witnesses);
        return OPEN;
    }

    /// @dev `_link(content).extendsHead` against the head of `batch`, which is first made the content's stream's
    ///      (storing the cached head of another stream if it changed, then reading this one).
    function _extendsCachedHead(
        ObservationContent calldata content,
        CompactCalldata.CompactBatch memory batch
    ) private returns (bool extendsHead) {
        bytes32 streamHash = content.streamHash;
        if (!batch.cached || batch.streamHash != streamHash) {
            _storeHead(batch);
            Head storage head = _heads[streamHash];
            batch.cached = true;
            batch.streamHash = streamHash;
            batch.observationHash = head.observationHash;
            batch.position = head.position;
        }
        if (batch.observationHash == 0) return true;
        uint256 position = batch.position;
        return
            content.observedUnixMs > uint64(position >> POSITION_OBSERVED_SHIFT) &&
            uint64(position) != type(uint64).max;
    }

    /// @dev `_finalize` of a content first seen in this call, linked to the head kept in `batch`, which becomes
    ///      the new head: the header is built in memory, hashed, and its words after `streamHash` logged.
    function _finalizeNewCached(
        ObservationContent calldata content,
        bytes32 contentHash,
        bytes32 slot,
        uint256 witnesses,
        CompactCalldata.CompactBatch memory batch
    ) private {
        CompactCalldata.finalizeCached(
            content,
            contentHash,
            slot,
            witnesses,
            batch,
            _slots,
            ObservationProposedAndFinalized.selector
        );
    }

    /// @dev The bitmap of the signers of the compact signatures in calldata `[at, end)`, distinct active
    ///      witnesses looked up in `cache` (or with `_witnessBit`); 0 when a signature recovers no signer or a
    ///      witness signed twice.
    function _collectCompactFast(
        bytes32 digest,
        uint256 at,
        uint256 end,
        MembershipCache memory cache
    ) private view returns (uint256 witnesses) {
        uint256 start = at;
        while (true) {
            address missed;
            (at, witnesses, missed) = CompactCalldata.collectKnown(
                digest,
                start,
                at,
                end,
                cache.entries,
                cache.size,
                witnesses
            );
            if (at == 0) return 0;
            if (missed != address(0)) {
                uint256 bit = _witnessBit(cache, missed);
                if (witnesses & bit != 0) return 0;
                witnesses |= bit;
            }
            if (at == end) break;
        }
    }

    /// @dev Writes `batch`'s cached head to `_heads` if it changed, and forgets it.
    function _storeHead(CompactCalldata.CompactBatch memory batch) private {
        if (batch.dirty) {
            Head storage head = _heads[batch.streamHash];
            head.observationHash = batch.observationHash;
            head.position = batch.position;
            batch.dirty = false;
        }
        batch.cached = false;
    }

    /// @dev Recovers and collects the compact signatures in calldata `[at, end)` into the content's and the
    ///      slot's bitmaps (`updated`, `slotBits`).
    function _collectCompact(
        ObservationContent calldata content,
        uint256 at,
        uint256 end,
        MembershipCache memory cache,
        bytes32 contentHash,
        bytes32 slot,
        uint256 updated,
        uint256 slotBits
    ) private returns (uint256, uint256) {
        bytes32 digest = _digest(content);
        for (uint256 j = 0; at < end; at += 64) {
            address witness = CompactCalldata.recover(digest, at);
            if (witness == address(0)) revert InvalidCompactSignature(contentHash, j);
            ++j;
            uint256 bit = _witnessBit(cache, witness);
            // Already counted on this content (a duplicate or a replay): skipped.
            if (updated & bit != 0) continue;
            if (slotBits & bit != 0) {
                _recordEquivocation(slot, witness, contentHash);
                continue;
            }
            updated |= bit;
            slotBits |= bit;
        }
        return (updated, slotBits);
    }

    /// @dev Verifies and collects an item's signatures: returns the content's and the slot's new bitmaps.
    function _collect(
        ObservationContent calldata content,
        bytes32 contentHash,
        WitnessSignature[] calldata signatures,
        MembershipCache memory cache,
        bytes32 slot,
        uint256 recorded,
        uint256 slotWord
    ) private returns (uint256 updated, uint256 slotBits) {
        updated = recorded;
        slotBits = slotWord;
        bytes32 digest;
        for (uint256 j = 0; j < signatures.length; ++j) {
            address witness = signatures[j].witness;
            uint256 bit = _witnessBit(cache, witness);
            // Already counted on this content (a duplicate or a replay): skipped without verification.
            if (updated & bit != 0) continue;
            if (digest == 0) digest = _digest(content);
            if (!_isValidSignature(witness, digest, signatures[j].signature)) {
                revert InvalidSignature(witness, contentHash);
            }
            if (slotBits & bit != 0) {
                _recordEquivocation(slot, witness, contentHash);
                continue;
            }
            updated |= bit;
            slotBits |= bit;
        }
    }

    /// @dev One `ObservationAttested` per witness newly recorded on an open content, in signature order.
    function _emitAttested(
        WitnessSignature[] calldata signatures,
        MembershipCache memory cache,
        bytes32 contentHash,
        uint256 recorded,
        uint256 updated
    ) private {
        uint256 emitted = recorded;
        for (uint256 j = 0; j < signatures.length; ++j) {
            address witness = signatures[j].witness;
            uint256 bit = _witnessBit(cache, witness);
            if (updated & bit != 0 && emitted & bit == 0) {
                emitted |= bit;
                emit ObservationAttested(contentHash, witness);
            }
        }
    }

    /// @dev One `ObservationAttested` per witness in `added` (bitmap of witnesses looked up in this call), in
    ///      registry index order.
    function _emitAttestedByIndex(MembershipCache memory cache, bytes32 contentHash, uint256 added) private {
        uint256[] memory entries = cache.entries;
        uint256 size = cache.size;
        for (uint256 index = 0; added != 0; ++index) {
            if (added & 1 == 1) {
                for (uint256 k = 0; k < size; ++k) {
                    if (entries[k] >> 160 == index) {
                        emit ObservationAttested(contentHash, address(uint160(entries[k])));
                        break;
                    }
                }
            }
            added >>= 1;
        }
    }

    /// @dev The registry bit of an active witness, looked up once per call; reverts with `NotAWitness`.
    function _witnessBit(MembershipCache memory cache, address witness) private view returns (uint256 bit) {
        uint256[] memory entries = cache.entries;
        uint256 size = cache.size;
        bit = CompactCalldata.knownBit(entries, size, witness);
        if (bit != 0) return bit;
        (uint256 active, uint256 quorum, bool registered, uint256 index) = _REGISTRY.membershipOf(witness);
        if (!cache.loaded) {
            cache.loaded = true;
            cache.active = active;
            cache.quorum = quorum;
        }
        bit = 1 << index;
        if (!registered || active & bit == 0) revert NotAWitness(witness);
        if (size == entries.length) {
            uint256[] memory grown = new uint256[](size * 2);
            for (uint256 k = 0; k < size; ++k) {
                grown[k] = entries[k];
            }
            cache.entries = entries = grown;
        }
        entries[size] = uint256(uint160(witness)) | (index << 160);
        cache.size = size + 1;
    }

    function _propose(ObservationContent calldata content, bytes32 contentHash, bytes32 slot) private {
        // emit ObservationProposed(contentHash, content.streamHash, slot, content), with the content copied as
        // is: `_hashes` already refused a content with a dirty uint64 field.
        CompactCalldata.logProposed(content, ObservationProposed.selector, contentHash, slot);
    }

    /// @dev Finalizes `content`, which has its quorum (`witnesses`), as its stream's next observation when it is
    ///      later than the head; otherwise (expired) writes nothing and returns false with the head's time.
    ///      `ObservationFinalized` when the ledger had recorded the content (`recorded` non-zero), otherwise
    ///      `ObservationProposedAndFinalized`.
    function _tryFinalize(
        ObservationContent calldata content,
        bytes32 contentHash,
        bytes32 slot,
        uint256 witnesses,
        uint256 recorded
    ) private returns (bool, uint64) {
        (bool extendsHead, bytes32 parent, uint64 sequence, uint64 headObservedUnixMs) = _link(content);
        if (!extendsHead) return (false, headObservedUnixMs);
        _finalize(content, contentHash, slot, witnesses, parent, sequence, recorded != 0);
        return (true, headObservedUnixMs);
    }

    function _finalize(
        ObservationContent calldata content,
        bytes32 contentHash,
        bytes32 slot,
        uint256 witnesses,
        bytes32 parent,
        uint64 sequence,
        bool recorded
    ) private {
        if (uint256(contentHash) < FINALIZED_THRESHOLD) revert ReservedContentHash(contentHash);
        bytes32 observationHash = _headerHash(content, parent, sequence);
        _slots[slot] = uint256(contentHash);
        Head storage head = _heads[content.streamHash];
        head.observationHash = observationHash;
        head.position = (uint256(content.observedUnixMs) << POSITION_OBSERVED_SHIFT) | sequence;
        if (recorded) {
            delete _candidates[contentHash];
            emit ObservationFinalized(
                observationHash,
                content.streamHash,
                contentHash,
                parent,
                sequence,
                witnesses
            );
            return;
        }
        emit ObservationProposedAndFinalized(
            observationHash,
            content.streamHash,
            content.epochHash,
            parent,
            content.dataRoot,
            content.locatorHash,
            content.observedUnixMs,
            sequence,
            witnesses
        );
    }

    /// @dev The start and count of a report's packed entries; reverts `MalformedReport` unless they are 1 to
    ///      `MAX_REPORT_ENTRIES` whole entries and `signaturesLength` a non-zero multiple of 64.
    function _reportEntries(
        bytes calldata entries,
        uint256 signaturesLength
    ) private pure returns (uint256 start, uint256 count) {
        count = entries.length / CompactCalldata.ENTRY_SIZE;
        if (
            count == 0 ||
            count > MAX_REPORT_ENTRIES ||
            entries.length % CompactCalldata.ENTRY_SIZE != 0 ||
            signaturesLength == 0 ||
            signaturesLength % CompactCalldata.SIGNATURE_SIZE != 0
        ) revert MalformedReport(entries.length, signaturesLength);
        (start, ) = CompactCalldata.range(entries);
    }

    /// @dev The digest of the report of `streamHash` and the `count` entries at calldata `start`; reverts
    ///      `ReportEntriesNotIncreasing` and `ObservedInFuture` naming the first entry at fault.
    function _checkedReportDigest(
        bytes32 streamHash,
        uint256 start,
        uint256 count
    ) private view returns (bytes32) {
        uint256 latest = _time() * 1000 + MAX_FUTURE_MS;
        (bytes32 structHash, uint256 unordered, uint256 future) = CompactCalldata.reportStructHash(
            REPORT_TYPEHASH,
            REPORT_ENTRY_TYPEHASH,
            streamHash,
            start,
            count,
            latest
        );
        if (unordered != count) {
            uint256 entry = start + unordered * CompactCalldata.ENTRY_SIZE;
            revert ReportEntriesNotIncreasing(
                unordered,
                CompactCalldata.entryObserved(entry),
                CompactCalldata.entryObserved(entry - CompactCalldata.ENTRY_SIZE)
            );
        }
        if (future != count) {
            uint256 entry = start + future * CompactCalldata.ENTRY_SIZE;
            (bytes32 contentHash, ) = CompactCalldata.entryHashes(streamHash, entry);
            revert ObservedInFuture(contentHash, CompactCalldata.entryObserved(entry), latest);
        }
        return MessageHashUtils.toTypedDataHash(_domainSeparatorV4(), structHash);
    }

    /// @dev Finalizes the entries of a verified report that are later than the stream's head, on it, and writes
    ///      the head once. Returns how many finalized and the first one's sequence.
    function _finalizeReport(
        bytes32 streamHash,
        uint256 start,
        uint256 count,
        uint256 witnesses
    ) private returns (uint256 finalizedCount, uint64 firstSequence) {
        Head storage head = _heads[streamHash];
        bytes32 parent = head.observationHash;
        uint256 from = 0;
        uint256 to = count;
        if (parent != 0) {
            uint256 position = head.position;
            uint64 headObservedUnixMs = uint64(position >> POSITION_OBSERVED_SHIFT);
            // Entries at or before the head are expired: a prefix, the entries being increasing.
            while (
                from < count &&
                CompactCalldata.entryObserved(start + from * CompactCalldata.ENTRY_SIZE) <= headObservedUnixMs
            ) {
                ++from;
            }
            // A head at sequence 2**64 - 1 has no successor.
            uint256 room = type(uint64).max - uint64(position);
            if (to - from > room) to = from + room;
            firstSequence = uint64(position) + (room == 0 ? 0 : 1);
        }
        finalizedCount = to - from;
        if (finalizedCount == 0) return (0, firstSequence);
        (bytes32 last, uint256 lastSequence) = CompactCalldata.finalizeEntries(
            streamHash,
            start,
            from,
            to,
            parent,
            firstSequence,
            witnesses,
            ObservationProposedAndFinalized.selector
        );
        uint256 observed = CompactCalldata.entryObserved(start + (to - 1) * CompactCalldata.ENTRY_SIZE);
        head.observationHash = last;
        head.position = (observed << POSITION_OBSERVED_SHIFT) | lastSequence;
    }

    /// @dev The bitmap of a report's signers: every compact signature recovers a distinct active witness, at
    ///      least the quorum of them.
    function _reportSigners(
        bytes32 digest,
        bytes calldata signatures
    ) private view returns (uint256 witnesses) {
        (uint256 at, uint256 end) = CompactCalldata.range(signatures);
        uint256 quorum;
        uint256 signers = 0;
        for (; at < end; at += CompactCalldata.SIGNATURE_SIZE) {
            address signer = CompactCalldata.recover(digest, at);
            if (signer == address(0)) revert InvalidReportSignature(digest, signers);
            uint256 active;
            bool registered;
            uint256 index;
            (active, quorum, registered, index) = _REGISTRY.membershipOf(signer);
            uint256 bit = 1 << index;
            if (!registered || active & bit == 0) revert NotAWitness(signer);
            if (witnesses & bit != 0) revert DuplicateReportSigner(digest, signer);
            witnesses |= bit;
            ++signers;
        }
        if (signers < quorum) revert QuorumNotReached(digest, signers, quorum);
    }

    /// @dev One side of equivocation evidence: a content with the witness's signature over it.
    function _contentEvidence(
        address witness,
        ObservationContent calldata content,
        bytes calldata signature
    ) private view returns (Evidence memory evidence) {
        (evidence.contentHash, evidence.slot) = _hashes(content);
        evidence.valid = _isValidSignature(witness, _digest(content), signature);
    }

    /// @dev One side of equivocation evidence: a report's entry with the witness's signature over the report
    ///      (a 64-byte compact or 65-byte ECDSA signature of an EOA, or an ERC-1271 signature); reverts
    ///      `MalformedReport` and `ReportEntryOutOfRange`.
    function _reportEvidence(
        address witness,
        ReportEvidence calldata report
    ) private view returns (Evidence memory evidence) {
        (uint256 start, uint256 count) = _reportEntries(report.entries, CompactCalldata.SIGNATURE_SIZE);
        if (report.index >= count) revert ReportEntryOutOfRange(report.index, count);
        (evidence.contentHash, evidence.slot) = CompactCalldata.entryHashes(
            report.streamHash,
            start + report.index * CompactCalldata.ENTRY_SIZE
        );
        (bytes32 structHash, , ) = CompactCalldata.reportStructHash(
            REPORT_TYPEHASH,
            REPORT_ENTRY_TYPEHASH,
            report.streamHash,
            start,
            count,
            type(uint256).max
        );
        bytes32 digest = MessageHashUtils.toTypedDataHash(_domainSeparatorV4(), structHash);
        bytes calldata signature = report.signature;
        if (signature.length == CompactCalldata.SIGNATURE_SIZE) {
            (uint256 at, ) = CompactCalldata.range(signature);
            evidence.valid = CompactCalldata.recover(digest, at) == witness;
        } else {
            evidence.valid = _isValidSignature(witness, digest, signature);
        }
    }

    /// @dev Records the equivocation of `witness` shown by `a` and `b` after the checks of every equivocation
    ///      report: same slot, different contents, a witness with a registry index, no record in the slot yet,
    ///      both signatures valid.
    function _recordEvidence(address witness, Evidence memory a, Evidence memory b) private {
        bytes32 slot = a.slot;
        if (slot != b.slot) revert DifferentSlots(slot, b.slot);
        if (a.contentHash == b.contentHash) revert SameObservation(a.contentHash);
        (, , bool registered, uint256 index) = _REGISTRY.membershipOf(witness);
        if (!registered) revert NotAWitness(witness);
        if (_equivocations[slot][witness].contentB != 0) revert EquivocationAlreadyRecorded(slot, witness);
        if (!a.valid) revert InvalidSignature(witness, a.contentHash);
        if (!b.valid) revert InvalidSignature(witness, b.contentHash);
        _storeReportedEquivocation(slot, witness, 1 << index, a.contentHash, b.contentHash);
    }

    function _storeReportedEquivocation(
        bytes32 slot,
        address witness,
        uint256 bit,
        bytes32 hashA,
        bytes32 hashB
    ) private {
        uint256 slotWord = _slots[slot];
        // While the slot is open, the witness's bit keeps any later attestation of it in the slot from counting.
        if (slotWord < FINALIZED_THRESHOLD) _slots[slot] = slotWord | bit;
        _equivocations[slot][witness] = Equivocation(hashA, hashB);
        emit EquivocationRecorded(slot, witness, hashA, hashB);
    }

    function _recordEquivocation(bytes32 slot, address witness, bytes32 contentHash) private {
        Equivocation storage record = _equivocations[slot][witness];
        if (record.contentB != 0) return;
        record.contentB = contentHash;
        emit EquivocationRecorded(slot, witness, bytes32(0), contentHash);
    }

    function _isValidSignature(
        address witness,
        bytes32 digest,
        bytes calldata signature
    ) private view returns (bool) {
        // An EOA's 65-byte ECDSA signature is checked first, read straight from calldata, so that the
        // common case costs no account access for the witness's code; anything else goes to ERC-1271.
        if (signature.length == 65) {
            (uint8 v, bytes32 r, bytes32 s) = CompactCalldata.splitSignature(signature);
            (address recovered, ECDSA.RecoverError error, ) = ECDSA.tryRecover(digest, v, r, s);
            if (error == ECDSA.RecoverError.NoError && recovered == witness) return true;
        }
        return SignatureChecker.isValidERC1271SignatureNow(witness, digest, signature);
    }
}
