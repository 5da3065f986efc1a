// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ObservationContent} from "./EveryChannelTypes.sol";

/// @title EveryChannelCompactCalldata
/// @notice The fixed layouts the observation ledger reads from calldata and builds in memory, with every offset
///         named, and the assembly that reads them: `ObservationContent` and `ObservationHeader` words, the
///         64-byte EIP-2098 signatures of the compact paths, and the 104-byte entries of a co-signed report
///         (`docs/ledger.md`, "Relayed attestations" and "Reports"). The ledger keeps its rules; this library
///         only reads, hashes, recovers and logs.
library EveryChannelCompactCalldata {
    /// @notice State of the ledger's `submitCompactAttestations`'s fast path across a batch: the domain separator, and the
    ///         head of the stream of the last fast item, kept in memory and written to `_heads` (when `dirty`)
    ///         before another stream's head is read, before an item goes to `_submitCompact`, and at the end.
    /// @param domainSeparator The EIP-712 domain separator.
    /// @param streamHash The cached head's stream.
    /// @param observationHash The cached head's observation hash.
    /// @param position The cached head's position word (as `Head.position`).
    /// @param cached Whether a head is cached.
    /// @param dirty Whether the cached head differs from storage.
    struct CompactBatch {
        bytes32 domainSeparator;
        bytes32 streamHash;
        bytes32 observationHash;
        uint256 position;
        bool cached;
        bool dirty;
    }

    /// @dev `CompactBatch` memory layout: offsets of the fields `finalizeCached` reads and writes.
    uint256 internal constant BATCH_HEAD_HASH = 0x40;
    uint256 internal constant BATCH_POSITION = 0x60;
    uint256 internal constant BATCH_DIRTY = 0xa0;

    /// @dev `ObservationContent` (abi.encode layout, one word per field): offsets and size.
    uint256 internal constant CONTENT_DATA_ROOT = 0x40;
    uint256 internal constant CONTENT_OBSERVED = 0x80;
    uint256 internal constant CONTENT_SIZE = 0xa0;

    /// @dev `ObservationHeader` (abi.encode layout): offsets and size. The header is the content with
    ///      `parentObservationHash` after `epochHash` and `sequence` last.
    uint256 internal constant HEADER_PARENT = 0x40;
    uint256 internal constant HEADER_DATA_ROOT = 0x60;
    uint256 internal constant HEADER_OBSERVED = 0xa0;
    uint256 internal constant HEADER_SEQUENCE = 0xc0;
    uint256 internal constant HEADER_SIZE = 0xe0;

    /// @dev A 65-byte ECDSA signature: `r`, `s`, then the byte `v`.
    uint256 internal constant SIGNATURE_S = 0x20;
    uint256 internal constant SIGNATURE_V = 0x40;
    /// @dev A compact (EIP-2098) signature: `r`, then `yParityAndS` (the parity in the top bit).
    uint256 internal constant SIGNATURE_VS = 0x20;
    uint256 internal constant SIGNATURE_SIZE = 0x40;
    /// @dev log2(SIGNATURE_SIZE): a group of `n` signatures is `n << SIGNATURE_SHIFT` bytes.
    uint256 internal constant SIGNATURE_SHIFT = 6;
    /// @dev `s` of `yParityAndS`, and its largest accepted value (n / 2: no malleable twin, as OZ `ECDSA`).
    uint256 internal constant S_MASK = 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff;
    uint256 internal constant S_MAX = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    /// @dev A report entry (packed, 104 bytes): `epochHash`, `dataRoot`, `locatorHash` (32 bytes each), then
    ///      `observedUnixMs` (8 bytes, big-endian).
    uint256 internal constant ENTRY_DATA_ROOT = 0x20;
    uint256 internal constant ENTRY_OBSERVED = 0x60;
    uint256 internal constant ENTRY_SIZE = 0x68;
    /// @dev Shift that brings an entry's 8-byte `observedUnixMs` down from the word loaded at `ENTRY_OBSERVED`.
    uint256 internal constant ENTRY_OBSERVED_SHIFT = 192;

    /// @dev `Head.position` of the ledger: the sequence in the low 64 bits, `observedUnixMs` above.
    uint256 internal constant POSITION_SEQUENCE_MASK = 0xffffffffffffffff;
    uint256 internal constant POSITION_OBSERVED_SHIFT = 64;

    /// @dev The ecrecover precompile.
    uint256 private constant ECRECOVER = 1;
    uint256 private constant ADDRESS_MASK = 0x00ffffffffffffffffffffffffffffffffffffffff;

    // ---------------------------------------------------------------------------------------------
    // Contents and headers
    // ---------------------------------------------------------------------------------------------

    /// @dev The `i`-th content of a calldata `ObservationContent[]` (static structs, `CONTENT_SIZE` apart).
    function contentAt(
        ObservationContent[] calldata contents,
        uint256 i
    ) internal pure returns (ObservationContent calldata content) {
        assembly ("memory-safe") {
            content := add(contents.offset, mul(i, CONTENT_SIZE))
        }
    }

    /// @dev `ContentHash` (keccak256(abi.encode(content))) and `ObservationSlot`
    ///      (keccak256(abi.encode(streamHash, epochHash))) from one copy of the content; a dirty `uint64`
    ///      `observedUnixMs` word is refused as the ABI decoder refuses it (empty revert).
    function hashes(
        ObservationContent calldata content
    ) internal pure returns (bytes32 contentHash, bytes32 slot) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, content, CONTENT_SIZE)
            if shr(64, mload(add(ptr, CONTENT_OBSERVED))) {
                revert(0, 0)
            }
            contentHash := keccak256(ptr, CONTENT_SIZE)
            slot := keccak256(ptr, CONTENT_DATA_ROOT)
        }
    }

    /// @dev EIP-712 hashStruct(content) = keccak256(typehash ‖ abi.encode(content)) (every field is one static
    ///      word), refusing a dirty `observedUnixMs` word like `hashes`.
    function structHash(
        bytes32 typehash,
        ObservationContent calldata content
    ) internal pure returns (bytes32 hash) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typehash)
            calldatacopy(add(ptr, 0x20), content, CONTENT_SIZE)
            if shr(64, mload(add(ptr, add(0x20, CONTENT_OBSERVED)))) {
                revert(0, 0)
            }
            hash := keccak256(ptr, add(0x20, CONTENT_SIZE))
        }
    }

    /// @dev The content hash, slot and EIP-712 struct hash (`typehash`) of a content of the compact fast path,
    ///      from one copy in memory. `hash` is zero, and the item is not for the fast path, when the content's
    ///      `observedUnixMs` word is dirty or later than `latest`, its content hash is below `reservedBelow`, or
    ///      its slot's word in `slots` is not zero.
    function fastHashes(
        ObservationContent calldata content,
        bytes32 typehash,
        uint256 latest,
        uint256 reservedBelow,
        mapping(bytes32 slot => uint256 word) storage slots
    ) internal view returns (bytes32 contentHash, bytes32 slot, bytes32 hash) {
        assembly ("memory-safe") {
            for {} 1 {} {
                let ptr := mload(0x40)
                mstore(ptr, typehash)
                let words := add(ptr, 0x20)
                calldatacopy(words, content, CONTENT_SIZE)
                let observed := mload(add(words, CONTENT_OBSERVED))
                if or(shr(64, observed), gt(observed, latest)) {
                    break
                }
                contentHash := keccak256(words, CONTENT_SIZE)
                if lt(contentHash, reservedBelow) {
                    break
                }
                slot := keccak256(words, CONTENT_DATA_ROOT)
                mstore(0, slot)
                mstore(0x20, slots.slot)
                if sload(keccak256(0, 0x40)) {
                    break
                }
                hash := keccak256(ptr, add(0x20, CONTENT_SIZE))
                break
            }
        }
    }

    /// @dev The `ObservationHeader` of `content` with `parent` and `sequence`, written at the free memory pointer
    ///      (not reserved): returns its memory address and its hash, the `ObservationHash`.
    function header(
        ObservationContent calldata content,
        bytes32 parent,
        uint64 sequence
    ) internal pure returns (uint256 ptr, bytes32 observationHash) {
        assembly ("memory-safe") {
            ptr := mload(0x40)
            calldatacopy(ptr, content, CONTENT_DATA_ROOT)
            mstore(add(ptr, HEADER_PARENT), parent)
            calldatacopy(
                add(ptr, HEADER_DATA_ROOT),
                add(content, CONTENT_DATA_ROOT),
                sub(CONTENT_SIZE, CONTENT_DATA_ROOT)
            )
            // A uint64 reaches assembly with undefined high bits: cleaned as abi.encode does.
            mstore(add(ptr, HEADER_SEQUENCE), and(sequence, POSITION_SEQUENCE_MASK))
            observationHash := keccak256(ptr, HEADER_SIZE)
        }
    }

    /// @dev Finalizes a content first seen in the call on the head kept in `batch`, which becomes the new head:
    ///      writes the content hash into its slot's word in `slots`, builds the header in memory (parent = the
    ///      cached head, sequence = its sequence plus one, or 0 for a stream's first), hashes it, logs
    ///      `ObservationProposedAndFinalized` (`topic`; the header's words after `streamHash`, then `witnesses`)
    ///      and marks `batch` dirty. The caller checked that the content extends the cached head.
    function finalizeCached(
        ObservationContent calldata content,
        bytes32 contentHash,
        bytes32 slot,
        uint256 witnesses,
        CompactBatch memory batch,
        mapping(bytes32 slot => uint256 word) storage slots,
        bytes32 topic
    ) internal {
        bytes32 parent;
        uint64 sequence;
        assembly ("memory-safe") {
            parent := mload(add(batch, BATCH_HEAD_HASH))
            if parent {
                sequence := add(and(mload(add(batch, BATCH_POSITION)), POSITION_SEQUENCE_MASK), 1)
            }
            mstore(0, slot)
            mstore(0x20, slots.slot)
            sstore(keccak256(0, 0x40), contentHash)
        }
        (uint256 ptr, bytes32 observationHash) = header(content, parent, sequence);
        assembly ("memory-safe") {
            mstore(add(batch, BATCH_HEAD_HASH), observationHash)
            mstore(
                add(batch, BATCH_POSITION),
                or(shl(POSITION_OBSERVED_SHIFT, calldataload(add(content, CONTENT_OBSERVED))), sequence)
            )
            mstore(add(batch, BATCH_DIRTY), 1)
            mstore(add(ptr, HEADER_SIZE), witnesses)
            log3(add(ptr, 0x20), HEADER_SIZE, topic, observationHash, calldataload(content))
        }
    }

    /// @dev Logs `ObservationProposed(contentHash, streamHash, slot, content)` (`topic`), the content copied as
    ///      is (the caller has refused a dirty `uint64` word).
    function logProposed(
        ObservationContent calldata content,
        bytes32 topic,
        bytes32 contentHash,
        bytes32 slot
    ) internal {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, content, CONTENT_SIZE)
            log4(ptr, CONTENT_SIZE, topic, contentHash, calldataload(content), slot)
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Compact signatures
    // ---------------------------------------------------------------------------------------------

    /// @dev The calldata range `[start, end)` of a `bytes calldata`.
    function range(bytes calldata data) internal pure returns (uint256 start, uint256 end) {
        assembly ("memory-safe") {
            start := data.offset
            end := add(start, data.length)
        }
    }

    /// @dev `v`, `r` and `s` of a 65-byte ECDSA signature (`r ‖ s ‖ v`) read from calldata; the caller checks
    ///      the length.
    function splitSignature(bytes calldata signature) internal pure returns (uint8 v, bytes32 r, bytes32 s) {
        assembly ("memory-safe") {
            r := calldataload(signature.offset)
            s := calldataload(add(signature.offset, SIGNATURE_S))
            v := byte(0, calldataload(add(signature.offset, SIGNATURE_V)))
        }
    }

    /// @dev The end of the signature group at `at` (one count byte `n`, 1 to 255, then `n` signatures), or 0 when
    ///      `at` is at or past `end`, the count is zero or the group runs past `end`.
    function groupEnd(uint256 at, uint256 end) internal pure returns (uint256 next) {
        assembly ("memory-safe") {
            if lt(at, end) {
                let count := byte(0, calldataload(at))
                next := add(add(at, 1), shl(SIGNATURE_SHIFT, count))
                if or(iszero(count), gt(next, end)) {
                    next := 0
                }
            }
        }
    }

    /// @dev The signer of the compact signature at calldata offset `at` over `digest`, zero when none recovers
    ///      or `s` is in the upper half order.
    function recover(bytes32 digest, uint256 at) internal view returns (address signer) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let vs := calldataload(add(at, SIGNATURE_VS))
            let s := and(vs, S_MASK)
            mstore(ptr, digest)
            mstore(add(ptr, 0x20), add(27, shr(255, vs)))
            mstore(add(ptr, 0x40), calldataload(at))
            mstore(add(ptr, 0x60), s)
            mstore(0, 0)
            pop(staticcall(gas(), ECRECOVER, ptr, 0x80, 0, 0x20))
            signer := mload(0)
            if gt(s, S_MAX) {
                signer := 0
            }
        }
    }

    /// @dev Recovers the compact signatures over `digest` from calldata `at` up to `end` and adds their signers'
    ///      bits to `witnesses` while the j-th signature of the group that starts at `start` is by the witness of
    ///      `entries[j]` (each `uint160(witness) | (index << 160)`, the first `size` used: signatures in the
    ///      order of the call's first look-ups), until `end` or another signer (`missed`, `at` then just after
    ///      its signature, its bit not added). `at` = 0: a signature recovers no signer, has `s` in the upper
    ///      half order, or repeats a witness.
    // One assembly loop over the signatures: split across functions, it costs more gas per signature.
    // solhint-disable-next-line function-max-lines
    function collectKnown(
        bytes32 digest,
        uint256 start,
        uint256 at,
        uint256 end,
        uint256[] memory entries,
        uint256 size,
        uint256 witnesses
    ) internal view returns (uint256, uint256, address missed) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, digest)
            // The j-th signature of the group is tried against the j-th entry.
            let hint := add(add(entries, 0x20), shl(5, shr(SIGNATURE_SHIFT, sub(at, start))))
            let last := add(add(entries, 0x20), shl(5, size))
            let highS := 0
            for {} lt(at, end) {} {
                let vs := calldataload(add(at, SIGNATURE_VS))
                let s := and(vs, S_MASK)
                highS := or(highS, gt(s, S_MAX))
                mstore(add(ptr, 0x20), add(27, shr(255, vs)))
                mstore(add(ptr, 0x40), calldataload(at))
                mstore(add(ptr, 0x60), s)
                mstore(0, 0)
                pop(staticcall(gas(), ECRECOVER, ptr, 0x80, 0, 0x20))
                let signer := mload(0)
                if iszero(signer) {
                    at := 0
                    break
                }
                at := add(at, SIGNATURE_SIZE)
                let bit := 0
                if lt(hint, last) {
                    let value := mload(hint)
                    if eq(and(value, ADDRESS_MASK), signer) {
                        bit := shl(shr(160, value), 1)
                    }
                }
                if iszero(bit) {
                    missed := signer
                    break
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
        return (at, witnesses, missed);
    }

    /// @dev The bit of `witness` among `entries[0, size)` (see `collectKnown`), 0 when it is not there.
    function knownBit(
        uint256[] memory entries,
        uint256 size,
        address witness
    ) internal pure returns (uint256 bit) {
        assembly ("memory-safe") {
            let ptr := add(entries, 0x20)
            for {
                let last := add(ptr, shl(5, size))
            } lt(ptr, last) {
                ptr := add(ptr, 0x20)
            } {
                let entry := mload(ptr)
                if eq(and(entry, ADDRESS_MASK), witness) {
                    bit := shl(shr(160, entry), 1)
                    break
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Reports
    // ---------------------------------------------------------------------------------------------

    /// @dev Checks the `count` packed entries at calldata `entries` and computes the report's EIP-712 struct hash
    ///      keccak256(reportTypehash ‖ streamHash ‖ keccak256(hashStruct(entry 0) ‖ …)), with
    ///      hashStruct(entry) = keccak256(entryTypehash ‖ epochHash ‖ dataRoot ‖ locatorHash ‖ observedUnixMs).
    ///      Also returns the index of the first entry whose `observedUnixMs` is not later than the previous
    ///      entry's (`unordered`) and of the first one later than `latest` (`future`), each `count` when none.
    function reportStructHash(
        bytes32 reportTypehash,
        bytes32 entryTypehash,
        bytes32 streamHash,
        uint256 entries,
        uint256 count,
        uint256 latest
    ) internal pure returns (bytes32 hash, uint256 unordered, uint256 future) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let list := add(ptr, 0xa0)
            mstore(ptr, entryTypehash)
            unordered := count
            future := count
            let previous := 0
            for {
                let i := 0
            } lt(i, count) {
                i := add(i, 1)
            } {
                let entry := add(entries, mul(i, ENTRY_SIZE))
                calldatacopy(add(ptr, 0x20), entry, ENTRY_OBSERVED)
                let observed := shr(ENTRY_OBSERVED_SHIFT, calldataload(add(entry, ENTRY_OBSERVED)))
                mstore(add(ptr, 0x80), observed)
                mstore(add(list, shl(5, i)), keccak256(ptr, 0xa0))
                if and(iszero(gt(observed, previous)), gt(i, 0)) {
                    if eq(unordered, count) {
                        unordered := i
                    }
                }
                if gt(observed, latest) {
                    if eq(future, count) {
                        future := i
                    }
                }
                previous := observed
            }
            mstore(add(ptr, 0x40), keccak256(list, shl(5, count)))
            mstore(ptr, reportTypehash)
            mstore(add(ptr, 0x20), streamHash)
            hash := keccak256(ptr, 0x60)
        }
    }

    /// @dev The `observedUnixMs` of the packed entry at calldata `entry`.
    function entryObserved(uint256 entry) internal pure returns (uint64 observedUnixMs) {
        assembly ("memory-safe") {
            observedUnixMs := shr(ENTRY_OBSERVED_SHIFT, calldataload(add(entry, ENTRY_OBSERVED)))
        }
    }

    /// @dev `ContentHash` and `ObservationSlot` of the content of the packed entry at calldata `entry` in the
    ///      report of `streamHash`.
    function entryHashes(
        bytes32 streamHash,
        uint256 entry
    ) internal pure returns (bytes32 contentHash, bytes32 slot) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, streamHash)
            calldatacopy(add(ptr, 0x20), entry, ENTRY_OBSERVED)
            mstore(
                add(ptr, CONTENT_OBSERVED),
                shr(ENTRY_OBSERVED_SHIFT, calldataload(add(entry, ENTRY_OBSERVED)))
            )
            contentHash := keccak256(ptr, CONTENT_SIZE)
            slot := keccak256(ptr, CONTENT_DATA_ROOT)
        }
    }

    /// @dev Finalizes the packed entries `[from, to)` at calldata `entries` of the report of `streamHash` as one
    ///      run of its chain: the first links to `parent` with `sequence`, each next one to the one before with
    ///      the next sequence. Logs `ObservationProposedAndFinalized` (`topic`) for each, with `witnesses`.
    ///      Returns the last one's `ObservationHash` (the new head) and sequence.
    function finalizeEntries(
        bytes32 streamHash,
        uint256 entries,
        uint256 from,
        uint256 to,
        bytes32 parent,
        uint256 sequence,
        uint256 witnesses,
        bytes32 topic
    ) internal returns (bytes32 head, uint256 headSequence) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, streamHash)
            mstore(add(ptr, HEADER_SIZE), witnesses)
            head := parent
            headSequence := sequence
            for {
                let entry := add(entries, mul(from, ENTRY_SIZE))
                let last := add(entries, mul(to, ENTRY_SIZE))
            } lt(entry, last) {
                entry := add(entry, ENTRY_SIZE)
            } {
                calldatacopy(add(ptr, 0x20), entry, ENTRY_DATA_ROOT)
                mstore(add(ptr, HEADER_PARENT), head)
                calldatacopy(
                    add(ptr, HEADER_DATA_ROOT),
                    add(entry, ENTRY_DATA_ROOT),
                    sub(ENTRY_OBSERVED, ENTRY_DATA_ROOT)
                )
                mstore(
                    add(ptr, HEADER_OBSERVED),
                    shr(ENTRY_OBSERVED_SHIFT, calldataload(add(entry, ENTRY_OBSERVED)))
                )
                mstore(add(ptr, HEADER_SEQUENCE), sequence)
                head := keccak256(ptr, HEADER_SIZE)
                log3(add(ptr, 0x20), HEADER_SIZE, topic, head, streamHash)
                headSequence := sequence
                sequence := add(sequence, 1)
            }
        }
    }
}
