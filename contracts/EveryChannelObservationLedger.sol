// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {
    IEveryChannelObservationLedger,
    SignedObservation,
    WitnessSignature
} from "./interfaces/IEveryChannelObservationLedger.sol";
import {IEveryChannelWitnessRegistry} from "./interfaces/IEveryChannelWitnessRegistry.sol";
import {EveryChannelBitmap} from "./libraries/EveryChannelBitmap.sol";
import {ObservationHeader} from "./libraries/EveryChannelTypes.sol";

/// @title EveryChannelObservationLedger
/// @notice Candidate observations, witness attestations (by transaction and relayed EIP-712 signatures) and
///         quorum finalization into one linear chain per stream (ECP-0093).
/// @dev Storage (see `docs/ledger.md`):
///      - `_slots[slot]`: 0 (empty), a bitmap below 2**128 of the witnesses that attested in the slot (open),
///        or the finalized observation hash (finalized; observation hashes below 2**128 are refused).
///      - `_candidates[observationHash]`: bitmap of the witnesses whose attestation is recorded on an open
///        candidate; deleted when it finalizes. A candidate first seen and finalized in the same call never
///        gets one, so a finalized observation costs exactly one new storage word (its slot's).
///      - `_heads[streamHash]`: the stream's finalized head (two words).
///      - `_equivocations[slot][witness]`: evidence, written only when a witness equivocates.
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
    /// @param observationA The other candidate, or zero when it is the witness's counted attestation.
    /// @param observationB The candidate whose attestation was refused.
    struct Equivocation {
        bytes32 observationA;
        bytes32 observationB;
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

    /// @notice State of `submitCompactAttestations`'s fast path across a batch: the domain separator, and the
    ///         head of the stream of the last fast item, kept in memory and written to `_heads` (when `dirty`)
    ///         before another stream's head is read, before an item goes to `_submitCompact`, and at the end.
    /// @param domainSeparator The EIP-712 domain separator.
    /// @param headKey The storage slot of the cached `_heads` entry (zero when none is cached).
    /// @param streamHash The cached head's stream.
    /// @param observationHash The cached head's observation hash.
    /// @param position The cached head's position word (as `Head.position`).
    /// @param dirty Whether the cached head differs from storage.
    struct CompactBatch {
        bytes32 domainSeparator;
        uint256 headKey;
        bytes32 streamHash;
        bytes32 observationHash;
        uint256 position;
        bool dirty;
    }

    /// @inheritdoc IEveryChannelObservationLedger
    // Observation(bytes32 streamHash,bytes32 epochHash,bytes32 parentObservationHash,bytes32 dataRoot,
    //             bytes32 locatorHash,uint64 observedUnixMs,uint64 sequence)
    bytes32 public constant OBSERVATION_TYPEHASH =
        keccak256(
            "Observation(bytes32 streamHash,bytes32 epochHash,bytes32 parentObservationHash,bytes32 dataRoot,bytes32 locatorHash,uint64 observedUnixMs,uint64 sequence)"
        );

    /// @dev Outcomes of `_submitCompactFast`.
    uint256 internal constant NOT_HANDLED = 0;
    uint256 internal constant FINALIZED = 1;
    uint256 internal constant OPEN = 2;

    /// @dev Slot words below this value are open-slot bitmaps; at or above it, a finalized observation hash.
    uint256 private constant FINALIZED_THRESHOLD = 1 << 128;

    IEveryChannelWitnessRegistry private immutable _REGISTRY;

    mapping(bytes32 slot => uint256 word) private _slots;
    mapping(bytes32 observationHash => uint256 witnesses) private _candidates;
    mapping(bytes32 streamHash => Head head) private _heads;
    mapping(bytes32 slot => mapping(address witness => Equivocation record)) private _equivocations;

    /// @notice Creates the ledger over a witness registry.
    /// @param registry_ The witness registry (immutable).
    constructor(address registry_) EIP712("EveryChannelObservationLedger", "1") {
        if (registry_ == address(0)) revert ZeroRegistry();
        _REGISTRY = IEveryChannelWitnessRegistry(registry_);
    }

    // ---------------------------------------------------------------------------------------------
    // Actions
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IEveryChannelObservationLedger
    function attest(ObservationHeader calldata header) external returns (bool finalized) {
        (uint256 active, uint256 quorum, uint256 bit) = _senderMembership();
        return _attest(header, msg.sender, bit, active, quorum);
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function attestMany(ObservationHeader[] calldata headers) external returns (uint256 finalizedCount) {
        if (headers.length == 0) revert EmptyBatch();
        (uint256 active, uint256 quorum, uint256 bit) = _senderMembership();
        for (uint256 i = 0; i < headers.length; ++i) {
            if (_attest(headers[i], msg.sender, bit, active, quorum)) ++finalizedCount;
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
        ObservationHeader[] calldata headers,
        bytes calldata signatures
    ) external returns (uint256 finalizedCount) {
        uint256 count = headers.length;
        if (count == 0) revert EmptyBatch();
        MembershipCache memory cache;
        cache.entries = new uint256[](8);
        CompactBatch memory batch;
        batch.domainSeparator = _domainSeparatorV4();
        uint256 start;
        uint256 end;
        assembly ("memory-safe") {
            start := signatures.offset
            end := add(start, signatures.length)
        }
        uint256 at = start;
        for (uint256 i = 0; i < count; ) {
            // The item's group: one count byte (1 to 255), then that many 64-byte signatures.
            uint256 next = 0;
            ObservationHeader calldata header;
            assembly ("memory-safe") {
                header := add(headers.offset, mul(i, 0xe0))
                if lt(at, end) {
                    let signatureCount := byte(0, calldataload(at))
                    next := add(add(at, 1), shl(6, signatureCount))
                    if or(iszero(signatureCount), gt(next, end)) {
                        next := 0
                    }
                }
            }
            if (next == 0) revert MalformedCompactSignatures(i, at - start);
            uint256 outcome = _submitCompactFast(header, at + 1, next, cache, batch);
            if (outcome == NOT_HANDLED) {
                // The general path reads and writes `_heads`: store the cached head and forget it.
                _storeHead(batch);
                if (_submitCompact(header, at + 1, next, cache)) outcome = FINALIZED;
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
    function finalize(ObservationHeader calldata header) external returns (bool finalized) {
        (bytes32 observationHash, bytes32 slot) = _hashes(header);
        uint256 slotWord = _slots[slot];
        if (slotWord >= FINALIZED_THRESHOLD) revert SlotAlreadyFinalized(slot, bytes32(slotWord));
        uint256 recorded = _candidates[observationHash];
        if (recorded == 0) revert UnknownObservation(observationHash);
        (uint256 active, uint256 quorum) = _REGISTRY.membership();
        uint256 counted = recorded & active;
        uint256 attestations = counted.popCount();
        if (attestations < quorum) revert QuorumNotReached(observationHash, attestations, quorum);
        _requireExtendsHead(header);
        _finalize(header, observationHash, slot, counted, true);
        return true;
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function reportEquivocation(
        address witness,
        ObservationHeader calldata a,
        bytes calldata signatureA,
        ObservationHeader calldata b,
        bytes calldata signatureB
    ) external {
        (bytes32 hashA, bytes32 slot) = _hashes(a);
        (bytes32 hashB, bytes32 slotB) = _hashes(b);
        if (slot != slotB) revert DifferentSlots(slot, slotB);
        if (hashA == hashB) revert SameObservation(hashA);
        (, , bool registered, uint256 index) = _REGISTRY.membershipOf(witness);
        if (!registered) revert NotAWitness(witness);
        if (_equivocations[slot][witness].observationB != 0)
            revert EquivocationAlreadyRecorded(slot, witness);
        if (!_isValidSignature(witness, _digest(a), signatureA)) revert InvalidSignature(witness, hashA);
        if (!_isValidSignature(witness, _digest(b), signatureB)) revert InvalidSignature(witness, hashB);
        _storeReportedEquivocation(slot, witness, 1 << index, hashA, hashB);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IEveryChannelObservationLedger
    function observationDigest(ObservationHeader calldata header) external view returns (bytes32) {
        return _digest(header);
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
        return (head.observationHash, uint64(position), uint64(position >> 64));
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function slotStatus(
        bytes32 slot
    ) external view returns (SlotStatus status, bytes32 finalizedObservationHash, uint256 attestedWitnesses) {
        uint256 slotWord = _slots[slot];
        if (slotWord == 0) return (SlotStatus.Empty, bytes32(0), 0);
        if (slotWord < FINALIZED_THRESHOLD) return (SlotStatus.Open, bytes32(0), slotWord);
        return (SlotStatus.Finalized, bytes32(slotWord), 0);
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function candidateStatus(
        bytes32 slot,
        bytes32 observationHash
    ) external view returns (CandidateStatus status, uint256 attestations, uint256 currentQuorum) {
        (uint256 active, uint256 quorum) = _REGISTRY.membership();
        uint256 slotWord = _slots[slot];
        if (slotWord >= FINALIZED_THRESHOLD && bytes32(slotWord) == observationHash) {
            return (CandidateStatus.Finalized, 0, quorum);
        }
        uint256 recorded = _candidates[observationHash];
        attestations = (recorded & active).popCount();
        if (slotWord >= FINALIZED_THRESHOLD) return (CandidateStatus.Superseded, attestations, quorum);
        return (recorded == 0 ? CandidateStatus.Unknown : CandidateStatus.Open, attestations, quorum);
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function attestationsOf(bytes32 observationHash) external view returns (address[] memory list) {
        uint256 recorded = _candidates[observationHash];
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
    ) external view returns (bytes32 observationA, bytes32 observationB) {
        Equivocation storage record = _equivocations[slot][witness];
        return (record.observationA, record.observationB);
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function version() external pure returns (string memory) {
        return "1.0.0";
    }

    // ---------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------

    /// @dev `ObservationHash` (keccak256(abi.encode(header))) and `ObservationSlot`
    ///      (keccak256(abi.encode(streamHash, epochHash))) from one copy of the header: the same bytes as
    ///      `EveryChannelHashing`, which the tests check. Virtual so that a test harness can reach the
    ///      reserved hash range.
    function _hashes(
        ObservationHeader calldata header
    ) internal view virtual returns (bytes32 observationHash, bytes32 slot) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, header, 0xe0)
            // observedUnixMs and sequence are uint64: refuse dirty high bits as the ABI decoder does.
            if shr(64, or(mload(add(ptr, 0xa0)), mload(add(ptr, 0xc0)))) {
                revert(0, 0)
            }
            observationHash := keccak256(ptr, 0xe0)
            slot := keccak256(ptr, 0x40)
        }
    }

    /// @dev The EIP-712 digest; hashStruct = keccak256(OBSERVATION_TYPEHASH, abi.encode(header)) because every
    ///      field is one static word.
    function _digest(ObservationHeader calldata header) private view returns (bytes32) {
        bytes32 typehash = OBSERVATION_TYPEHASH;
        bytes32 structHash;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typehash)
            calldatacopy(add(ptr, 0x20), header, 0xe0)
            if shr(64, or(mload(add(ptr, 0xc0)), mload(add(ptr, 0xe0)))) {
                revert(0, 0)
            }
            structHash := keccak256(ptr, 0x100)
        }
        return _hashTypedDataV4(structHash);
    }

    function _senderMembership() private view returns (uint256 active, uint256 quorum, uint256 bit) {
        bool registered;
        uint256 index;
        (active, quorum, registered, index) = _REGISTRY.membershipOf(msg.sender);
        bit = 1 << index;
        if (!registered || active & bit == 0) revert NotAWitness(msg.sender);
    }

    function _attest(
        ObservationHeader calldata header,
        address witness,
        uint256 bit,
        uint256 active,
        uint256 quorum
    ) private returns (bool) {
        (bytes32 observationHash, bytes32 slot) = _hashes(header);
        uint256 slotWord = _slots[slot];
        if (slotWord >= FINALIZED_THRESHOLD) revert SlotAlreadyFinalized(slot, bytes32(slotWord));
        // An empty slot has no candidate: skip the read.
        uint256 recorded = slotWord == 0 ? 0 : _candidates[observationHash];
        if (slotWord & bit != 0) {
            if (recorded & bit != 0) revert AlreadyAttested(observationHash, witness);
            _recordEquivocation(slot, witness, observationHash);
            return false;
        }
        if (recorded == 0) _propose(header, observationHash, slot);
        uint256 updated = recorded | bit;
        uint256 counted = updated & active;
        uint256 attestations = counted.popCount();
        if (attestations >= quorum && _extendsHead(header)) {
            _finalize(header, observationHash, slot, counted, recorded != 0);
            return true;
        }
        _candidates[observationHash] = updated;
        _slots[slot] = slotWord | bit;
        emit ObservationAttested(observationHash, witness);
        return false;
    }

    function _submit(SignedObservation calldata item, MembershipCache memory cache) private returns (bool) {
        ObservationHeader calldata header = item.header;
        (bytes32 observationHash, bytes32 slot) = _hashes(header);
        WitnessSignature[] calldata signatures = item.signatures;
        if (signatures.length == 0) revert NoSignatures(observationHash);
        uint256 slotWord = _slots[slot];
        // Finalized already (by this observation or another of its slot): nothing to add, skip the item.
        if (slotWord >= FINALIZED_THRESHOLD) return false;
        uint256 recorded = slotWord == 0 ? 0 : _candidates[observationHash];
        (uint256 updated, uint256 slotBits) = _collect(header, signatures, cache, slot, recorded, slotWord);
        if (updated == 0) return false;
        if (recorded == 0) _propose(header, observationHash, slot);
        uint256 counted = updated & cache.active;
        if (counted.popCount() >= cache.quorum && _extendsHead(header)) {
            _finalize(header, observationHash, slot, counted, recorded != 0);
            return true;
        }
        if (updated == recorded) return false;
        _candidates[observationHash] = updated;
        _slots[slot] = slotBits;
        _emitAttested(signatures, cache, observationHash, recorded, updated);
        return false;
    }

    /// @dev The general path of `submitCompactAttestations` for the item `header` with the compact signatures
    ///      in calldata `[at, end)` (a whole, non-zero number of 64-byte signatures).
    function _submitCompact(
        ObservationHeader calldata header,
        uint256 at,
        uint256 end,
        MembershipCache memory cache
    ) private returns (bool) {
        (bytes32 observationHash, bytes32 slot) = _hashes(header);
        uint256 slotWord = _slots[slot];
        // Finalized already (by this observation or another of its slot): nothing to add, skip the item.
        if (slotWord >= FINALIZED_THRESHOLD) return false;
        uint256 recorded = slotWord == 0 ? 0 : _candidates[observationHash];
        (uint256 updated, uint256 slotBits) = _collectCompact(
            header,
            at,
            end,
            cache,
            observationHash,
            slot,
            recorded,
            slotWord
        );
        if (updated == 0) return false;
        uint256 counted = updated & cache.active;
        if (counted.popCount() >= cache.quorum && _extendsHead(header)) {
            if (recorded == 0) {
                _finalizeNew(header, observationHash, slot, counted);
            } else {
                _finalize(header, observationHash, slot, counted, true);
            }
            return true;
        }
        if (recorded == 0) _propose(header, observationHash, slot);
        if (updated == recorded) return false;
        _candidates[observationHash] = updated;
        _slots[slot] = slotBits;
        _emitAttestedByIndex(cache, observationHash, updated & ~recorded);
        return false;
    }

    // One pass over the item in assembly: split across functions, it costs more gas per observation.
    // solhint-disable function-max-lines
    /// @dev The fast path of `submitCompactAttestations`, for the common case: an item of an empty slot whose
    ///      signatures recover to distinct active witnesses. It finalizes the item (quorum reached and the head
    ///      extended; the head is kept in `batch` until `_storeHead`) or records it as a new open candidate,
    ///      with the effects `_submitCompact` has for that item, and returns `FINALIZED` or `OPEN`. Any other
    ///      item (slot not empty, a signature that recovers no signer, a witness twice, a dirty `uint64` word,
    ///      a reserved hash) returns `NOT_HANDLED` with nothing written; `_submitCompact` then processes it and
    ///      raises its errors. A signer not yet in `cache` is looked up with `_witnessBit`, which reverts
    ///      `NotAWitness` at the signature where `_submitCompact` would. `test/ledger/compact-paths.test.ts`
    ///      checks both paths against each other. Virtual so that a test harness can turn it off.
    function _submitCompactFast(
        ObservationHeader calldata header,
        uint256 at,
        uint256 end,
        MembershipCache memory cache,
        CompactBatch memory batch
    ) internal virtual returns (uint256) {
        bytes32 observationHash;
        bytes32 slot;
        bytes32 digest;
        bytes32 typehash = OBSERVATION_TYPEHASH;
        assembly ("memory-safe") {
            // `digest` stays 0 unless the item is on the fast path.
            for {} 1 {} {
                let ptr := mload(0x40)
                mstore(ptr, typehash)
                calldatacopy(add(ptr, 0x20), header, 0xe0)
                // Dirty uint64 words are refused by `_hashes`.
                if shr(64, or(mload(add(ptr, 0xc0)), mload(add(ptr, 0xe0)))) {
                    break
                }
                observationHash := keccak256(add(ptr, 0x20), 0xe0)
                if lt(observationHash, FINALIZED_THRESHOLD) {
                    break
                }
                // The slot is empty.
                slot := keccak256(add(ptr, 0x20), 0x40)
                mstore(0, slot)
                mstore(0x20, _slots.slot)
                if sload(keccak256(0, 0x40)) {
                    break
                }
                // toTypedDataHash(domainSeparator, hashStruct(header))
                let structHash := keccak256(ptr, 0x100)
                mstore(ptr, shl(240, 0x1901))
                mstore(add(ptr, 0x02), mload(batch))
                mstore(add(ptr, 0x22), structHash)
                digest := keccak256(ptr, 0x42)
                break
            }
        }
        if (digest == 0) return NOT_HANDLED;
        uint256 witnesses = _collectCompactFast(digest, at, end, cache);
        if (witnesses == 0) return NOT_HANDLED;
        // The signers are distinct: one witness per signature.
        if ((end - at) >> 6 >= cache.quorum && _extendsCachedHead(header, batch)) {
            _finalizeNewCached(header, observationHash, slot, witnesses, batch);
            return FINALIZED;
        }
        // A new candidate that stays open, as `_submitCompact` records it.
        _propose(header, observationHash, slot);
        _candidates[observationHash] = witnesses;
        _slots[slot] = witnesses;
        _emitAttestedByIndex(cache, observationHash, witnesses);
        return OPEN;
    }
    // solhint-enable function-max-lines

    /// @dev `_extendsHead(header)` against the head of `batch`, which is first made the header's stream's
    ///      (storing the cached head of another stream if it changed, then reading this one).
    function _extendsCachedHead(
        ObservationHeader calldata header,
        CompactBatch memory batch
    ) private returns (bool extendsHead) {
        bytes32 streamHash;
        bool cached;
        assembly ("memory-safe") {
            streamHash := calldataload(header)
            cached := and(iszero(iszero(mload(add(batch, 0x20)))), eq(streamHash, mload(add(batch, 0x40))))
        }
        if (!cached) {
            _storeHead(batch);
            Head storage head = _heads[streamHash];
            uint256 headKey;
            assembly ("memory-safe") {
                headKey := head.slot
            }
            batch.headKey = headKey;
            batch.streamHash = streamHash;
            batch.observationHash = head.observationHash;
            batch.position = head.position;
        }
        assembly ("memory-safe") {
            let headHash := mload(add(batch, 0x60))
            let parent := calldataload(add(header, 0x40))
            let sequence := calldataload(add(header, 0xc0))
            switch headHash
            case 0 {
                extendsHead := and(iszero(parent), iszero(sequence))
            }
            default {
                let head := mload(add(batch, 0x80))
                extendsHead := and(
                    eq(parent, headHash),
                    and(
                        eq(sequence, add(and(head, 0xffffffffffffffff), 1)),
                        gt(calldataload(add(header, 0xa0)), shr(64, head))
                    )
                )
            }
        }
    }

    /// @dev `_finalizeNew(header, observationHash, slot, witnesses)` with the new head kept in `batch`.
    function _finalizeNewCached(
        ObservationHeader calldata header,
        bytes32 observationHash,
        bytes32 slot,
        uint256 witnesses,
        CompactBatch memory batch
    ) private {
        bytes32 topic = ObservationProposedAndFinalized.selector;
        assembly ("memory-safe") {
            mstore(0, slot)
            mstore(0x20, _slots.slot)
            sstore(keccak256(0, 0x40), observationHash)
            mstore(add(batch, 0x60), observationHash)
            mstore(
                add(batch, 0x80),
                or(shl(64, calldataload(add(header, 0xa0))), calldataload(add(header, 0xc0)))
            )
            mstore(add(batch, 0xa0), 1)
            // The log of `_finalizeNew`, written out: a shared function costs ~35 gas per observation.
            let ptr := mload(0x40)
            calldatacopy(ptr, add(header, 0x20), 0xc0)
            mstore(add(ptr, 0xc0), witnesses)
            log3(ptr, 0xe0, topic, observationHash, calldataload(header))
        }
    }

    // One assembly loop over the signatures: split across functions, it costs more gas per signature.
    // solhint-disable function-max-lines
    /// @dev The bitmap of the signers of the compact signatures in calldata `[at, end)`, distinct active
    ///      witnesses looked up in `cache` (or with `_witnessBit`); 0 when a signature recovers no signer or a
    ///      witness signed twice.
    function _collectCompactFast(
        bytes32 digest,
        uint256 at,
        uint256 end,
        MembershipCache memory cache
    ) private view returns (uint256 witnesses) {
        while (true) {
            // Recovers the signatures from `at` and adds their signers' bits from `cache`, up to `end` or to a
            // signer not in `cache` (`missed`). `at` = 0: a signature recovers no signer or repeats a witness.
            address missed;
            uint256[] memory entries = cache.entries;
            uint256 size = cache.size;
            assembly ("memory-safe") {
                let ptr := mload(0x40)
                mstore(ptr, digest)
                let first := add(entries, 0x20)
                let last := add(first, shl(5, size))
                // The j-th signer is most often the j-th witness looked up in the call: tried first.
                let hint := first
                // Signatures with `s` in the upper half order recover a signer but are refused (as in
                // `_recoverCompact`), after the loop.
                let highS := 0
                for {} lt(at, end) {} {
                    let vs := calldataload(add(at, 0x20))
                    let s := and(vs, 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff)
                    highS := or(
                        highS,
                        gt(s, 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0)
                    )
                    mstore(add(ptr, 0x20), add(27, shr(255, vs)))
                    mstore(add(ptr, 0x40), calldataload(at))
                    mstore(add(ptr, 0x60), s)
                    mstore(0, 0)
                    pop(staticcall(gas(), 1, ptr, 0x80, 0, 0x20))
                    let signer := mload(0)
                    if iszero(signer) {
                        at := 0
                        break
                    }
                    at := add(at, 0x40)
                    let bit := 0
                    if lt(hint, last) {
                        let value := mload(hint)
                        if eq(and(value, 0xffffffffffffffffffffffffffffffffffffffff), signer) {
                            bit := shl(shr(160, value), 1)
                        }
                    }
                    if iszero(bit) {
                        for {
                            let entry := first
                        } lt(entry, last) {
                            entry := add(entry, 0x20)
                        } {
                            let value := mload(entry)
                            if eq(and(value, 0xffffffffffffffffffffffffffffffffffffffff), signer) {
                                bit := shl(shr(160, value), 1)
                                break
                            }
                        }
                        if iszero(bit) {
                            missed := signer
                            break
                        }
                    }
                    if and(witnesses, bit) {
                        at := 0
                        break
                    }
                    witnesses := or(witnesses, bit)
                    hint := add(hint, 0x20)
                }
                if highS {
                    at := 0
                }
            }
            if (at == 0) return 0;
            // A signer not in `cache` has no bit in `witnesses` yet (every bit there came from `cache`).
            if (missed != address(0)) witnesses |= _witnessBit(cache, missed);
            if (at == end) break;
        }
    }
    // solhint-enable function-max-lines

    /// @dev Writes `batch`'s cached head to `_heads` if it changed, and forgets it.
    function _storeHead(CompactBatch memory batch) private {
        if (batch.dirty) {
            Head storage head = _heads[batch.streamHash];
            head.observationHash = batch.observationHash;
            head.position = batch.position;
            batch.dirty = false;
        }
        batch.headKey = 0;
    }

    /// @dev Recovers and collects the compact signatures in calldata `[at, end)` into the candidate's and
    ///      the slot's bitmaps (`updated`, `slotBits`).
    function _collectCompact(
        ObservationHeader calldata header,
        uint256 at,
        uint256 end,
        MembershipCache memory cache,
        bytes32 observationHash,
        bytes32 slot,
        uint256 updated,
        uint256 slotBits
    ) private returns (uint256, uint256) {
        bytes32 digest = _digest(header);
        for (uint256 j = 0; at < end; at += 64) {
            address witness = _recoverCompact(digest, at);
            if (witness == address(0)) revert InvalidCompactSignature(observationHash, j);
            ++j;
            uint256 bit = _witnessBit(cache, witness);
            // Already counted on this candidate (a duplicate or a replay): skipped.
            if (updated & bit != 0) continue;
            if (slotBits & bit != 0) {
                _recordEquivocation(slot, witness, observationHash);
                continue;
            }
            updated |= bit;
            slotBits |= bit;
        }
        return (updated, slotBits);
    }

    /// @dev One `ObservationAttested` per witness in `added` (bitmap of witnesses looked up in this call), in
    ///      registry index order.
    function _emitAttestedByIndex(
        MembershipCache memory cache,
        bytes32 observationHash,
        uint256 added
    ) private {
        uint256[] memory entries = cache.entries;
        uint256 size = cache.size;
        for (uint256 index = 0; added != 0; ++index) {
            if (added & 1 == 1) {
                for (uint256 k = 0; k < size; ++k) {
                    if (entries[k] >> 160 == index) {
                        emit ObservationAttested(observationHash, address(uint160(entries[k])));
                        break;
                    }
                }
            }
            added >>= 1;
        }
    }

    /// @dev The signer of the 64-byte compact signature at calldata offset `at`, zero when none recovers.
    function _recoverCompact(bytes32 digest, uint256 at) private view returns (address signer) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let vs := calldataload(add(at, 0x20))
            mstore(ptr, digest)
            mstore(add(ptr, 0x20), add(27, shr(255, vs)))
            mstore(add(ptr, 0x40), calldataload(at))
            mstore(
                add(ptr, 0x60),
                and(vs, 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff)
            )
            mstore(0, 0)
            pop(staticcall(gas(), 1, ptr, 0x80, 0, 0x20))
            signer := mload(0)
            // EIP-2098 and OpenZeppelin `ECDSA`: `s` in the lower half order only (no malleable twin).
            if gt(mload(add(ptr, 0x60)), 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0) {
                signer := 0
            }
        }
    }

    /// @dev `_finalize` of a candidate first seen in this call: one `ObservationProposedAndFinalized`.
    function _finalizeNew(
        ObservationHeader calldata header,
        bytes32 observationHash,
        bytes32 slot,
        uint256 witnesses
    ) private {
        if (uint256(observationHash) < FINALIZED_THRESHOLD) revert ReservedObservationHash(observationHash);
        _slots[slot] = uint256(observationHash);
        Head storage head = _heads[header.streamHash];
        head.observationHash = observationHash;
        head.position = (uint256(header.observedUnixMs) << 64) | header.sequence;
        // emit ObservationProposedAndFinalized(observationHash, header.streamHash, header.epochHash, ...,
        // header.sequence, witnesses), with the header words copied as is: `_hashes` already refused a header
        // with dirty uint64 fields.
        bytes32 topic = ObservationProposedAndFinalized.selector;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, add(header, 0x20), 0xc0)
            mstore(add(ptr, 0xc0), witnesses)
            log3(ptr, 0xe0, topic, observationHash, calldataload(header))
        }
    }

    /// @dev Verifies and collects an item's signatures: returns the candidate's and the slot's new bitmaps.
    function _collect(
        ObservationHeader calldata header,
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
            uint256 bit = _witnessBit(cache, signatures[j].witness);
            // Already counted on this candidate (a duplicate or a replay): skipped without verification.
            if (updated & bit != 0) continue;
            if (digest == 0) digest = _digest(header);
            _requireValidSignature(header, digest, signatures[j]);
            if (slotBits & bit != 0) {
                _recordEquivocation(slot, signatures[j].witness, _observationHashOf(header));
                continue;
            }
            updated |= bit;
            slotBits |= bit;
        }
    }

    function _requireValidSignature(
        ObservationHeader calldata header,
        bytes32 digest,
        WitnessSignature calldata signature
    ) private view {
        address witness = signature.witness;
        if (!_isValidSignature(witness, digest, signature.signature)) {
            revert InvalidSignature(witness, _observationHashOf(header));
        }
    }

    function _observationHashOf(
        ObservationHeader calldata header
    ) private view returns (bytes32 observationHash) {
        (observationHash, ) = _hashes(header);
    }

    /// @dev One `ObservationAttested` per witness newly recorded on an open candidate, in signature order.
    function _emitAttested(
        WitnessSignature[] calldata signatures,
        MembershipCache memory cache,
        bytes32 observationHash,
        uint256 recorded,
        uint256 updated
    ) private {
        uint256 emitted = recorded;
        for (uint256 j = 0; j < signatures.length; ++j) {
            address witness = signatures[j].witness;
            uint256 bit = _witnessBit(cache, witness);
            if (updated & bit != 0 && emitted & bit == 0) {
                emitted |= bit;
                emit ObservationAttested(observationHash, witness);
            }
        }
    }

    /// @dev The registry bit of an active witness, looked up once per call; reverts with `NotAWitness`.
    function _witnessBit(MembershipCache memory cache, address witness) private view returns (uint256 bit) {
        uint256[] memory entries = cache.entries;
        uint256 size = cache.size;
        bool found;
        assembly ("memory-safe") {
            let ptr := add(entries, 0x20)
            for {
                let end := add(ptr, shl(5, size))
            } lt(ptr, end) {
                ptr := add(ptr, 0x20)
            } {
                let entry := mload(ptr)
                if eq(and(entry, 0xffffffffffffffffffffffffffffffffffffffff), witness) {
                    bit := shl(shr(160, entry), 1)
                    found := 1
                    break
                }
            }
        }
        if (found) return bit;
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

    function _propose(ObservationHeader calldata header, bytes32 observationHash, bytes32 slot) private {
        if (uint256(observationHash) < FINALIZED_THRESHOLD) revert ReservedObservationHash(observationHash);
        // emit ObservationProposed(observationHash, header.streamHash, slot, header), with the header copied
        // as is: `_hashes` already refused a header with dirty uint64 fields.
        bytes32 topic = ObservationProposed.selector;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, header, 0xe0)
            log4(ptr, 0xe0, topic, observationHash, calldataload(header), slot)
        }
    }

    function _finalize(
        ObservationHeader calldata header,
        bytes32 observationHash,
        bytes32 slot,
        uint256 witnesses,
        bool candidateStored
    ) private {
        _slots[slot] = uint256(observationHash);
        if (candidateStored) delete _candidates[observationHash];
        Head storage head = _heads[header.streamHash];
        head.observationHash = observationHash;
        head.position = (uint256(header.observedUnixMs) << 64) | header.sequence;
        emit ObservationFinalized(observationHash, header.streamHash, slot, header.sequence, witnesses);
    }

    function _extendsHead(ObservationHeader calldata header) private view returns (bool) {
        Head storage head = _heads[header.streamHash];
        bytes32 headHash = head.observationHash;
        if (header.parentObservationHash != headHash) return false;
        if (headHash == 0) return header.sequence == 0;
        uint256 position = head.position;
        return
            uint256(header.sequence) == uint256(uint64(position)) + 1 &&
            header.observedUnixMs > uint64(position >> 64);
    }

    function _requireExtendsHead(ObservationHeader calldata header) private view {
        Head storage head = _heads[header.streamHash];
        bytes32 headHash = head.observationHash;
        if (header.parentObservationHash != headHash) {
            revert ParentNotHead(header.streamHash, header.parentObservationHash, headHash);
        }
        if (headHash == 0) {
            if (header.sequence != 0) revert SequenceNotNext(header.streamHash, header.sequence, 0);
            return;
        }
        uint256 position = head.position;
        uint64 headSequence = uint64(position);
        uint64 headObservedUnixMs = uint64(position >> 64);
        // A head at sequence 2**64 - 1 has no successor: no uint64 sequence can follow it.
        if (uint256(header.sequence) != uint256(headSequence) + 1) {
            revert SequenceNotNext(header.streamHash, header.sequence, uint256(headSequence) + 1);
        }
        if (header.observedUnixMs <= headObservedUnixMs) {
            revert EpochNotLater(header.streamHash, header.observedUnixMs, headObservedUnixMs);
        }
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

    function _recordEquivocation(bytes32 slot, address witness, bytes32 observationHash) private {
        Equivocation storage record = _equivocations[slot][witness];
        if (record.observationB != 0) return;
        record.observationB = observationHash;
        emit EquivocationRecorded(slot, witness, bytes32(0), observationHash);
    }

    function _isValidSignature(
        address witness,
        bytes32 digest,
        bytes calldata signature
    ) private view returns (bool) {
        // An EOA's 65-byte ECDSA signature is checked first, read straight from calldata, so that the
        // common case costs no account access for the witness's code; anything else goes to ERC-1271.
        if (signature.length == 65) {
            bytes32 r;
            bytes32 s;
            uint8 v;
            assembly ("memory-safe") {
                r := calldataload(signature.offset)
                s := calldataload(add(signature.offset, 0x20))
                v := byte(0, calldataload(add(signature.offset, 0x40)))
            }
            (address recovered, ECDSA.RecoverError error, ) = ECDSA.tryRecover(digest, v, r, s);
            if (error == ECDSA.RecoverError.NoError && recovered == witness) return true;
        }
        return SignatureChecker.isValidERC1271SignatureNow(witness, digest, signature);
    }
}
