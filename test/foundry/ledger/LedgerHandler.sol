// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {EveryChannelObservationLedger} from "../../../contracts/EveryChannelObservationLedger.sol";
import {
    IEveryChannelObservationLedger as ILedger,
    ReportEvidence,
    SignedObservation,
    WitnessSignature
} from "../../../contracts/interfaces/IEveryChannelObservationLedger.sol";
import {ObservationContent, ObservationHeader} from "../../../contracts/libraries/EveryChannelTypes.sol";
import {RegistryHandler} from "../registry/RegistryHandler.sol";
import {Vm} from "../utils/Vm.sol";

/// @title LedgerHandler
/// @notice Drives `EveryChannelObservationLedger` over two streams of ten epochs with the key pool as witnesses,
///         through every attesting path (`attest`, `attestMany`, `submitSignedAttestations`,
///         `submitCompactAttestations`, co-signed reports through `submitReport`), `finalize`, equivocation
///         evidence (`reportEquivocation`, `reportReportEquivocation`, `reportReportAndContentEquivocation`),
///         signatures made for another ledger, the passing of time, and the registry's membership changes
///         (inherited from `RegistryHandler`).
///
///         Witnesses, by registry index: an index `i` with `i % 3 != 2` is honest: it attests only what it
///         captured of an epoch (`capturedVariant`: the agreed content, or for one capture in five a damaged
///         one), once per slot, whatever path and order; the others are byzantine and sign anything, rival
///         contents and contents beyond the time tolerance included. Keys without an index sign anything too
///         (the ledger must refuse them).
///
///         Ghost variables: every content sent (`contents`), the registry indices that signed or sent each
///         content (`signedBy`) and how many contents each index signed in each slot, every finalization as
///         its event told it with the membership and time of that call (`Finalization`), the slots a report
///         finalized (`finalizedByReport`: a report writes no per-slot word), every recorded
///         equivocation, and the counts of unnamed reverts and of future contents accepted. Each action
///         records the logs of its calls and reads them back, so a new attesting path is one more action
///         that builds its call and hands it to `_call`.
contract LedgerHandler is RegistryHandler {
    /// @notice The broadcast time of epoch 0, in milliseconds; epoch `e` starts `6 s × e` later.
    uint64 public constant T0_MS = 1_700_000_000_000;
    uint256 public constant STREAMS = 2;
    uint256 public constant EPOCHS = 10;

    /// @notice A finalization, as its event gave it, with the membership and time of its call.
    struct Finalization {
        bytes32 slot;
        bytes32 streamHash;
        bytes32 contentHash;
        bytes32 observationHash;
        bytes32 parentObservationHash;
        uint64 sequence;
        uint64 observedUnixMs;
        uint256 witnesses;
        uint256 activeWitnesses;
        uint256 quorum;
        uint256 latestAcceptedUnixMs;
        bytes32 headerHash;
        uint256 unsignedWitnesses;
    }

    /// @notice A recorded equivocation, with the registry index its witness had when it was recorded.
    struct Equivocation {
        bytes32 slot;
        address witness;
        uint256 indexPlusOne;
    }

    EveryChannelObservationLedger public immutable ledger;
    /// @notice Another ledger over the same registry: signatures made for its domain must never count.
    EveryChannelObservationLedger public immutable otherLedger;

    ObservationContent[] internal _contents;
    mapping(bytes32 contentHash => uint256 indexPlusOne) public contentIndexPlusOne;
    bytes32[] public slots;
    mapping(bytes32 slot => bytes32[] contentHashes) internal _contentsOfSlot;
    mapping(bytes32 contentHash => uint256 indices) public signedBy;
    mapping(bytes32 slot => mapping(uint256 index => uint256 contents)) public contentsSignedInSlot;

    Finalization[] internal _finalizations;
    mapping(bytes32 slot => uint256 count) public finalizationsOfSlot;
    /// @notice Slots finalized by a report, as the report's call's events told it.
    mapping(bytes32 slot => bool) public finalizedByReport;
    /// @notice Reports accepted, and the finalizations they made (how much of a run the report path drove).
    uint256 public reportsAccepted;
    uint256 public reportFinalizations;
    Equivocation[] internal _equivocations;
    /// @notice Finalizations of a content no action ever sent.
    uint256 public unknownFinalized;
    /// @notice Calls carrying a content beyond the time tolerance that did not revert.
    uint256 public futureAccepted;
    /// @notice Calls whose only signature was made for another ledger's domain that changed the ledger.
    uint256 public foreignAccepted;

    constructor() RegistryHandler(5, 3) {
        ledger = new EveryChannelObservationLedger(address(registry));
        otherLedger = new EveryChannelObservationLedger(address(registry));
        vm.warp(T0_MS / 1000 + 120);
    }

    // ---------------------------------------------------------------------------------------------
    // Actions
    // ---------------------------------------------------------------------------------------------

    /// @notice A key attests a content by transaction.
    function attest(uint256 keySeed, uint256 contentSeed) external {
        address key = _keyAddr(keySeed);
        ObservationContent memory content = _contentFor(keySeed, contentSeed);
        _record(key, content);
        _call(key, abi.encodeCall(ILedger.attest, (content)), _future(content));
    }

    /// @notice A key attests up to three contents of consecutive epochs by transaction.
    function attestMany(uint256 keySeed, uint256 contentSeed, uint256 countSeed) external {
        address key = _keyAddr(keySeed);
        uint256 n = _bound(countSeed, 1, 3);
        ObservationContent[] memory batch = new ObservationContent[](n);
        bool future;
        for (uint256 i = 0; i < n; ++i) {
            batch[i] = _contentFor(keySeed, _next(contentSeed, i));
            _record(key, batch[i]);
            future = future || _future(batch[i]);
        }
        _call(key, abi.encodeCall(ILedger.attestMany, (batch)), future);
    }

    /// @notice A relayer submits up to three items, each signed by the keys of a mask that sign it.
    function relaySigned(uint256 contentSeed, uint256 signerMask, uint256 countSeed) external {
        (ObservationContent[] memory batch, uint256[][] memory signers, bool future) = _items(
            contentSeed,
            signerMask,
            countSeed
        );
        if (batch.length == 0) return;
        SignedObservation[] memory items = new SignedObservation[](batch.length);
        for (uint256 i = 0; i < batch.length; ++i) {
            bytes32 digest = ledger.observationDigest(batch[i]);
            items[i].content = batch[i];
            items[i].signatures = new WitnessSignature[](signers[i].length);
            for (uint256 j = 0; j < signers[i].length; ++j) {
                (uint8 v, bytes32 r, bytes32 s) = vm.sign(_key(signers[i][j]), digest);
                items[i].signatures[j] = WitnessSignature(_keyAddr(signers[i][j]), abi.encodePacked(r, s, v));
            }
        }
        _call(msg.sender, abi.encodeCall(ILedger.submitSignedAttestations, (items)), future);
    }

    /// @notice A relayer submits up to three items with compact signatures of the keys of a mask.
    function relayCompact(uint256 contentSeed, uint256 signerMask, uint256 countSeed) external {
        (ObservationContent[] memory batch, uint256[][] memory signers, bool future) = _items(
            contentSeed,
            signerMask,
            countSeed
        );
        if (batch.length == 0) return;
        bytes memory packed;
        for (uint256 i = 0; i < batch.length; ++i) {
            bytes32 digest = ledger.observationDigest(batch[i]);
            packed = abi.encodePacked(packed, uint8(signers[i].length));
            for (uint256 j = 0; j < signers[i].length; ++j) {
                (bytes32 r, bytes32 vs) = vm.signCompact(_key(signers[i][j]), digest);
                packed = abi.encodePacked(packed, r, vs);
            }
        }
        _call(msg.sender, abi.encodeCall(ILedger.submitCompactAttestations, (batch, packed)), future);
    }

    /// @notice A relayer submits a key's signature made for the other ledger's domain (any content).
    function relayForeign(uint256 keySeed, uint256 contentSeed, bool compact) external {
        ObservationContent memory content = _content(contentSeed, contentSeed >> 32);
        bytes32 digest = otherLedger.observationDigest(content);
        ObservationContent[] memory batch = new ObservationContent[](1);
        batch[0] = content;
        bytes memory data;
        if (compact) {
            (bytes32 r, bytes32 vs) = vm.signCompact(_key(keySeed), digest);
            data = abi.encodeCall(
                ILedger.submitCompactAttestations,
                (batch, abi.encodePacked(uint8(1), r, vs))
            );
        } else {
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(_key(keySeed), digest);
            SignedObservation[] memory items = new SignedObservation[](1);
            items[0].content = content;
            items[0].signatures = new WitnessSignature[](1);
            items[0].signatures[0] = WitnessSignature(_keyAddr(keySeed), abi.encodePacked(r, s, v));
            data = abi.encodeCall(ILedger.submitSignedAttestations, (items));
        }
        // The one change such a call may make: finalizing the content on the attestations it already had (a
        // signature of a witness already counted on it is skipped unverified, as `finalize` would, after a
        // quorum or membership change). Nothing the foreign signature could add.
        bytes32 contentHash = keccak256(abi.encode(content));
        address[] memory attesters = ledger.attestationsOf(contentHash);
        uint256 recorded = 0;
        for (uint256 i = 0; i < attesters.length; ++i) {
            uint256 ipo = modelIndexPlusOne[attesters[i]];
            if (ipo != 0 && ipo != type(uint256).max) recorded |= uint256(1) << (ipo - 1);
        }
        uint256 finalizationsBefore = _finalizations.length;
        (uint256 active, ) = registry.membership();
        uint256 logs = _call(msg.sender, data, _future(content));
        if (logs == 0) return;
        bool onlyFinalizedOnRecorded = logs == 1 &&
            _finalizations.length == finalizationsBefore + 1 &&
            _finalizations[finalizationsBefore].contentHash == contentHash &&
            _finalizations[finalizationsBefore].witnesses == recorded & active;
        if (!onlyFinalizedOnRecorded) ++foreignAccepted;
    }

    /// @notice A relayer submits a co-signed report of 1 to 4 consecutive epochs of one stream: the agreed
    ///         contents, or (sometimes) one rival entry or a last entry beyond the time tolerance, signed over
    ///         the ledger's report digest by the keys of a mask that would sign every entry (an honest index only
    ///         its captures; one time in eight keys that are not active witnesses too: the ledger must refuse
    ///         them), compressed to EIP-2098, sometimes with one signature twice.
    function relayReport(uint256 contentSeed, uint256 signerMask, uint256 shapeSeed) external {
        (bytes32 streamHash, ObservationContent[] memory report, bytes memory entries, bool future) = _report(
            contentSeed,
            shapeSeed
        );
        bytes32 digest = ledger.reportDigest(streamHash, entries);
        bytes memory signatures;
        bytes memory first;
        // Three keys in four of the mask; a key that is not an active witness (the ledger must refuse the
        // report) only one time in eight, or a report would almost never carry a quorum.
        uint256 mask = (signerMask | (signerMask >> KEYS)) % (1 << KEYS);
        bool stranger = (shapeSeed >> 44) % 8 == 0;
        for (uint256 k = 0; k < KEYS; ++k) {
            if ((mask >> k) & 1 == 0 || !_wouldSignAll(k, report)) continue;
            if (!stranger && !_activeWitness(k)) continue;
            for (uint256 i = 0; i < report.length; ++i) _record(_keyAddr(k), report[i]);
            bytes memory signature = _signCompact(_key(k), digest);
            if (first.length == 0) first = signature;
            signatures = abi.encodePacked(signatures, signature);
        }
        if (signatures.length == 0) return;
        if ((shapeSeed >> 40) % 8 == 0) signatures = abi.encodePacked(signatures, first);
        uint256 finalizationsBefore = _finalizations.length;
        uint256 logs = _call(
            msg.sender,
            abi.encodeCall(ILedger.submitReport, (streamHash, entries, signatures)),
            future
        );
        if (logs != 0) ++reportsAccepted;
        reportFinalizations += _finalizations.length - finalizationsBefore;
        for (uint256 i = finalizationsBefore; i < _finalizations.length; ++i) {
            finalizedByReport[_finalizations[i].slot] = true;
        }
    }

    /// @notice Anyone asks the ledger to finalize a content (after a membership or quorum change).
    function finalize(uint256 contentSeed) external {
        ObservationContent memory content = _content(contentSeed, contentSeed >> 32);
        _call(msg.sender, abi.encodeCall(ILedger.finalize, (content)), false);
    }

    /// @notice Anyone reports a byzantine witness's signatures over two contents of one slot.
    function reportEquivocation(uint256 keySeed, uint256 contentSeed, uint256 rivalSeed) external {
        address key = _keyAddr(keySeed);
        uint256 ipo = modelIndexPlusOne[key];
        if (ipo == 0 || ipo == type(uint256).max || _honest(ipo - 1)) return;
        ObservationContent memory a = _content(contentSeed, contentSeed >> 32);
        ObservationContent memory b = _content(contentSeed, rivalSeed);
        _record(key, a);
        _record(key, b);
        (uint8 va, bytes32 ra, bytes32 sa) = vm.sign(_key(keySeed), ledger.observationDigest(a));
        (uint8 vb, bytes32 rb, bytes32 sb) = vm.sign(_key(keySeed), ledger.observationDigest(b));
        _call(
            msg.sender,
            abi.encodeCall(
                ILedger.reportEquivocation,
                (key, a, abi.encodePacked(ra, sa, va), b, abi.encodePacked(rb, sb, vb))
            ),
            false
        );
    }

    /// @notice Anyone reports a byzantine witness's signatures over two reports with different contents for one
    ///         slot (`reportReportEquivocation`), or over a report and another content of one of its slots
    ///         (`reportReportAndContentEquivocation`); the witness's signatures are compact or 65-byte ECDSA.
    function reportReportEquivocation(
        uint256 keySeed,
        uint256 contentSeed,
        uint256 rivalSeed,
        uint256 shapeSeed
    ) external {
        address key = _keyAddr(keySeed);
        uint256 ipo = modelIndexPlusOne[key];
        if (ipo == 0 || ipo == type(uint256).max || _honest(ipo - 1)) return;
        ReportEvidence memory a = _evidence(keySeed, contentSeed, contentSeed >> 32, shapeSeed);
        ObservationContent memory b = _content(contentSeed, rivalSeed);
        _record(key, b);
        bytes memory data;
        if ((shapeSeed >> 48) % 2 == 0) {
            ReportEvidence memory evidenceB = _evidence(keySeed, contentSeed, rivalSeed, shapeSeed >> 8);
            data = abi.encodeCall(ILedger.reportReportEquivocation, (key, a, evidenceB));
        } else {
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(_key(keySeed), ledger.observationDigest(b));
            data = abi.encodeCall(
                ILedger.reportReportAndContentEquivocation,
                (key, a, b, abi.encodePacked(r, s, v))
            );
        }
        _call(msg.sender, data, false);
    }

    /// @notice Time passes (1 to 30 seconds).
    function warp(uint256 secondsSeed) external {
        vm.warp(block.timestamp + _bound(secondsSeed, 1, 30));
    }

    // ---------------------------------------------------------------------------------------------
    // Ghost views
    // ---------------------------------------------------------------------------------------------

    function contentCount() external view returns (uint256) {
        return _contents.length;
    }

    function contentAt(uint256 i) external view returns (ObservationContent memory) {
        return _contents[i];
    }

    function slotCount() external view returns (uint256) {
        return slots.length;
    }

    function contentsOfSlot(bytes32 slot) external view returns (bytes32[] memory) {
        return _contentsOfSlot[slot];
    }

    function finalizationCount() external view returns (uint256) {
        return _finalizations.length;
    }

    function finalizationAt(uint256 i) external view returns (Finalization memory) {
        return _finalizations[i];
    }

    function equivocationCount() external view returns (uint256) {
        return _equivocations.length;
    }

    function equivocationAt(uint256 i) external view returns (Equivocation memory) {
        return _equivocations[i];
    }

    /// @notice Whether registry index `index` is an honest witness.
    function honest(uint256 index) external pure returns (bool) {
        return _honest(index);
    }

    /// @notice The stream of seed `s`.
    function streamOf(uint256 s) public pure returns (bytes32) {
        return keccak256(abi.encode("every.channel/foundry/stream", s % STREAMS));
    }

    // ---------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------

    /// @dev The seed of the `i`-th epoch after `contentSeed`'s, same stream (wrapping).
    function _next(uint256 contentSeed, uint256 i) internal pure returns (uint256) {
        unchecked {
            return contentSeed + (i << 8);
        }
    }

    function _honest(uint256 index) internal pure returns (bool) {
        return index % 3 != 2;
    }

    /// @dev What honest index `index` captured of a slot: the agreed content (0) or, one time in five, a
    ///      damaged one (1).
    function _capturedVariant(uint256 index, bytes32 slot) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(index, slot))) % 5 == 0 ? 1 : 0;
    }

    /// @dev The content of stream `contentSeed % 2`, epoch `(contentSeed >> 8) % EPOCHS`, variant from
    ///      `variantSeed`: 0 the agreed content (one time in two), 1 and 2 rivals, 3 (one time in eight) a content at or just
    ///      beyond the time tolerance.
    function _content(
        uint256 contentSeed,
        uint256 variantSeed
    ) internal returns (ObservationContent memory c) {
        uint256 r = variantSeed % 8;
        uint256 v = r == 7
            ? 3
            : (
                r < 4
                    ? 0
                    : r - 3 > 2
                        ? 2
                        : r - 3
            );
        return _contentOf(contentSeed % STREAMS, (contentSeed >> 8) % EPOCHS, v, variantSeed >> 8);
    }

    function _contentOf(
        uint256 s,
        uint256 e,
        uint256 variant,
        uint256 extra
    ) internal returns (ObservationContent memory c) {
        c.streamHash = streamOf(s);
        c.epochHash = keccak256(abi.encode("every.channel/foundry/epoch", c.streamHash, e));
        c.dataRoot = keccak256(abi.encode("every.channel/foundry/data", c.streamHash, e, variant));
        c.locatorHash = keccak256(abi.encode("every.channel/foundry/locator", c.streamHash, e));
        c.observedUnixMs = variant == 3
            ? uint64(block.timestamp * 1000 + ledger.MAX_FUTURE_MS() + (extra % 2))
            : uint64(T0_MS + e * 6000);
        _remember(c);
    }

    /// @dev The content key `keySeed` attests for `contentSeed`: an honest index's capture, anything otherwise.
    function _contentFor(
        uint256 keySeed,
        uint256 contentSeed
    ) internal returns (ObservationContent memory c) {
        uint256 ipo = modelIndexPlusOne[_keyAddr(keySeed)];
        if (ipo == 0 || ipo == type(uint256).max || !_honest(ipo - 1)) {
            return _content(contentSeed, contentSeed >> 32);
        }
        uint256 s = contentSeed % STREAMS;
        uint256 e = (contentSeed >> 8) % EPOCHS;
        bytes32 slot = _slot(
            streamOf(s),
            keccak256(abi.encode("every.channel/foundry/epoch", streamOf(s), e))
        );
        return _contentOf(s, e, _capturedVariant(ipo - 1, slot), 0);
    }

    /// @dev Up to three items of consecutive epochs; item `i`'s signers are the keys of `signerMask`'s
    ///      byte `i` that would sign its content (an honest index only its capture).
    function _items(
        uint256 contentSeed,
        uint256 signerMask,
        uint256 countSeed
    ) internal returns (ObservationContent[] memory batch, uint256[][] memory signers, bool future) {
        uint256 n = _bound(countSeed, 1, 3);
        batch = new ObservationContent[](n);
        signers = new uint256[][](n);
        uint256 kept = 0;
        for (uint256 i = 0; i < n; ++i) {
            ObservationContent memory c = _content(_next(contentSeed, i), countSeed >> (8 * i + 8));
            uint256 mask = (signerMask >> (12 * i)) % (1 << KEYS);
            uint256[] memory list = new uint256[](KEYS);
            uint256 m = 0;
            for (uint256 k = 0; k < KEYS && m < 5; ++k) {
                if ((mask >> k) & 1 == 0 || !_wouldSign(k, c)) continue;
                list[m++] = k;
                _record(_keyAddr(k), c);
            }
            if (m == 0) continue;
            uint256[] memory trimmed = new uint256[](m);
            for (uint256 j = 0; j < m; ++j) trimmed[j] = list[j];
            batch[kept] = c;
            signers[kept++] = trimmed;
            future = future || _future(c);
        }
        ObservationContent[] memory b = new ObservationContent[](kept);
        uint256[][] memory sg = new uint256[][](kept);
        for (uint256 i = 0; i < kept; ++i) {
            b[i] = batch[i];
            sg[i] = signers[i];
        }
        return (b, sg, future);
    }

    /// @dev A report of 1 to 4 consecutive epochs of one stream from `contentSeed`'s (cut at the last epoch):
    ///      the agreed contents; for `shapeSeed`'s mode 5 one entry a rival (variant 1, the damaged capture, or
    ///      2); for mode 6 the last entry at or just beyond the time tolerance. Returns its packed entries.
    function _report(
        uint256 contentSeed,
        uint256 shapeSeed
    )
        internal
        returns (bytes32 streamHash, ObservationContent[] memory report, bytes memory entries, bool future)
    {
        uint256 s = contentSeed % STREAMS;
        uint256 e0 = (contentSeed >> 8) % EPOCHS;
        uint256 n = _bound(shapeSeed, 1, 4);
        if (e0 + n > EPOCHS) n = EPOCHS - e0;
        streamHash = streamOf(s);
        report = new ObservationContent[](n);
        for (uint256 i = 0; i < n; ++i) {
            report[i] = _contentOf(s, e0 + i, _entryVariant(shapeSeed, i, n), shapeSeed >> 32);
            entries = _pack(entries, report[i]);
            future = future || _future(report[i]);
        }
    }

    /// @dev The variant of entry `i` of a report of `n` entries of shape `shapeSeed` (`_report`).
    function _entryVariant(uint256 shapeSeed, uint256 i, uint256 n) internal pure returns (uint256) {
        uint256 mode = (shapeSeed >> 8) % 8;
        if (mode == 5 && i == (shapeSeed >> 16) % n) return 1 + ((shapeSeed >> 24) % 2);
        if (mode == 6 && i == n - 1) return 3;
        return 0;
    }

    /// @dev `entries` followed by `c` packed as a report entry (`epochHash ‖ dataRoot ‖ locatorHash ‖ uint64`).
    function _pack(bytes memory entries, ObservationContent memory c) internal pure returns (bytes memory) {
        return abi.encodePacked(entries, c.epochHash, c.dataRoot, c.locatorHash, c.observedUnixMs);
    }

    /// @dev Evidence of key `keySeed`'s signature (compact or 65-byte ECDSA) over a report of `contentSeed`'s
    ///      epoch and up to two after it, whose first entry is the content of `variantSeed`; notes what it signed.
    function _evidence(
        uint256 keySeed,
        uint256 contentSeed,
        uint256 variantSeed,
        uint256 shapeSeed
    ) internal returns (ReportEvidence memory evidence) {
        ObservationContent memory c = _content(contentSeed, variantSeed);
        uint256 e0 = _epochOf(c);
        uint256 n = _bound(shapeSeed, 1, 3);
        if (e0 + n > EPOCHS) n = EPOCHS - e0;
        evidence.streamHash = c.streamHash;
        for (uint256 i = 0; i < n; ++i) {
            ObservationContent memory entry = i == 0 ? c : _contentOf(contentSeed % STREAMS, e0 + i, 0, 0);
            _record(_keyAddr(keySeed), entry);
            evidence.entries = _pack(evidence.entries, entry);
        }
        bytes32 digest = ledger.reportDigest(evidence.streamHash, evidence.entries);
        if ((shapeSeed >> 4) % 2 == 0) {
            evidence.signature = _signCompact(_key(keySeed), digest);
        } else {
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(_key(keySeed), digest);
            evidence.signature = abi.encodePacked(r, s, v);
        }
    }

    /// @dev `key`'s signature of `digest` by `vm.sign`, compressed to EIP-2098 (`r ‖ yParity << 255 | s`).
    function _signCompact(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, bytes32((uint256(v - 27) << 255) | uint256(s)));
    }

    function _activeWitness(uint256 k) internal view returns (bool) {
        uint256 ipo = modelIndexPlusOne[_keyAddr(k)];
        return ipo != 0 && ipo != type(uint256).max && (modelActive >> (ipo - 1)) & 1 == 1;
    }

    function _wouldSignAll(uint256 k, ObservationContent[] memory report) internal view returns (bool) {
        for (uint256 i = 0; i < report.length; ++i) {
            if (!_wouldSign(k, report[i])) return false;
        }
        return true;
    }

    function _wouldSign(uint256 k, ObservationContent memory c) internal view returns (bool) {
        uint256 ipo = modelIndexPlusOne[_keyAddr(k)];
        if (ipo == 0 || ipo == type(uint256).max || !_honest(ipo - 1)) return true;
        bytes32 slot = _slot(c.streamHash, c.epochHash);
        uint256 captured = _capturedVariant(ipo - 1, slot);
        return
            c.dataRoot ==
            keccak256(abi.encode("every.channel/foundry/data", c.streamHash, _epochOf(c), captured));
    }

    function _epochOf(ObservationContent memory c) internal pure returns (uint256) {
        for (uint256 e = 0; e < EPOCHS; ++e) {
            if (keccak256(abi.encode("every.channel/foundry/epoch", c.streamHash, e)) == c.epochHash)
                return e;
        }
        return EPOCHS;
    }

    function _future(ObservationContent memory c) internal view returns (bool) {
        return c.observedUnixMs > block.timestamp * 1000 + ledger.MAX_FUTURE_MS();
    }

    function _slot(bytes32 streamHash, bytes32 epochHash) internal pure returns (bytes32) {
        return keccak256(abi.encode(streamHash, epochHash));
    }

    function _remember(ObservationContent memory c) internal {
        bytes32 h = keccak256(abi.encode(c));
        if (contentIndexPlusOne[h] != 0) return;
        _contents.push(c);
        contentIndexPlusOne[h] = _contents.length;
        bytes32 slot = _slot(c.streamHash, c.epochHash);
        if (_contentsOfSlot[slot].length == 0) slots.push(slot);
        _contentsOfSlot[slot].push(h);
    }

    /// @dev Notes that `key` signed or sent `c`, under the registry index it holds (none: nothing to note).
    function _record(address key, ObservationContent memory c) internal {
        uint256 ipo = modelIndexPlusOne[key];
        if (ipo == 0 || ipo == type(uint256).max) return;
        bytes32 h = keccak256(abi.encode(c));
        uint256 bit = uint256(1) << (ipo - 1);
        if (signedBy[h] & bit != 0) return;
        signedBy[h] |= bit;
        ++contentsSignedInSlot[_slot(c.streamHash, c.epochHash)][ipo - 1];
    }

    /// @dev Calls the ledger as `sender` and reads the call's logs into the ghost variables; returns how many
    ///      logs of the ledger the call left (none when it reverted).
    function _call(address sender, bytes memory data, bool future) internal returns (uint256 logs) {
        (uint256 active, uint256 q) = registry.membership();
        vm.recordLogs();
        vm.prank(sender);
        (bool ok, bytes memory ret) = address(ledger).call(data);
        if (ok) {
            ++succeeded;
            if (future) ++futureAccepted;
        } else {
            ++reverted;
            _classify(ret, _ledgerErrors());
        }
        // forge records the logs of a call that reverted too: they describe nothing that happened.
        if (!ok) {
            vm.getRecordedLogs();
            return 0;
        }
        return _readLogs(active, q);
    }

    /// @dev Reads the ledger's logs of the last call; returns how many there were.
    function _readLogs(uint256 active, uint256 q) internal returns (uint256 count) {
        bytes32 finalizedTopic = ILedger.ObservationFinalized.selector;
        bytes32 proposedAndFinalizedTopic = ILedger.ObservationProposedAndFinalized.selector;
        bytes32 equivocationTopic = ILedger.EquivocationRecorded.selector;
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter != address(ledger)) continue;
            ++count;
            bytes32 topic = logs[i].topics[0];
            if (topic == finalizedTopic || topic == proposedAndFinalizedTopic) {
                _readFinalization(logs[i], topic == finalizedTopic, active, q);
            } else if (topic == equivocationTopic) {
                address witness = address(uint160(uint256(logs[i].topics[2])));
                _equivocations.push(Equivocation(logs[i].topics[1], witness, modelIndexPlusOne[witness]));
            }
        }
    }

    function _readFinalization(Vm.Log memory log, bool proposedEarlier, uint256 active, uint256 q) internal {
        ObservationHeader memory header;
        Finalization memory f;
        f.observationHash = log.topics[1];
        header.streamHash = log.topics[2];
        if (proposedEarlier) {
            f.contentHash = log.topics[3];
            (header.parentObservationHash, header.sequence, f.witnesses) = abi.decode(
                log.data,
                (bytes32, uint64, uint256)
            );
            uint256 ipo = contentIndexPlusOne[f.contentHash];
            if (ipo == 0) {
                ++unknownFinalized;
                return;
            }
            ObservationContent memory c = _contents[ipo - 1];
            header.epochHash = c.epochHash;
            header.dataRoot = c.dataRoot;
            header.locatorHash = c.locatorHash;
            header.observedUnixMs = c.observedUnixMs;
        } else {
            (
                header.epochHash,
                header.parentObservationHash,
                header.dataRoot,
                header.locatorHash,
                header.observedUnixMs,
                header.sequence,
                f.witnesses
            ) = abi.decode(log.data, (bytes32, bytes32, bytes32, bytes32, uint64, uint64, uint256));
            f.contentHash = keccak256(
                abi.encode(
                    ObservationContent(
                        header.streamHash,
                        header.epochHash,
                        header.dataRoot,
                        header.locatorHash,
                        header.observedUnixMs
                    )
                )
            );
            if (contentIndexPlusOne[f.contentHash] == 0) {
                ++unknownFinalized;
                return;
            }
        }
        f.slot = _slot(header.streamHash, header.epochHash);
        f.streamHash = header.streamHash;
        f.parentObservationHash = header.parentObservationHash;
        f.sequence = header.sequence;
        f.observedUnixMs = header.observedUnixMs;
        f.activeWitnesses = active;
        f.quorum = q;
        f.latestAcceptedUnixMs = block.timestamp * 1000 + ledger.MAX_FUTURE_MS();
        f.headerHash = keccak256(abi.encode(header));
        f.unsignedWitnesses = f.witnesses & ~signedBy[f.contentHash];
        _finalizations.push(f);
        ++finalizationsOfSlot[f.slot];
    }

    function _ledgerErrors() internal pure returns (bytes4[] memory e) {
        e = new bytes4[](21);
        e[0] = ILedger.NotAWitness.selector;
        e[1] = ILedger.SlotAlreadyFinalized.selector;
        e[2] = ILedger.AlreadyAttested.selector;
        e[3] = ILedger.UnknownObservation.selector;
        e[4] = ILedger.QuorumNotReached.selector;
        e[5] = ILedger.ObservationExpired.selector;
        e[6] = ILedger.ObservedInFuture.selector;
        e[7] = ILedger.InvalidSignature.selector;
        e[8] = ILedger.EmptyBatch.selector;
        e[9] = ILedger.NoSignatures.selector;
        e[10] = ILedger.MalformedCompactSignatures.selector;
        e[11] = ILedger.InvalidCompactSignature.selector;
        e[12] = ILedger.ReservedContentHash.selector;
        e[13] = ILedger.DifferentSlots.selector;
        e[14] = ILedger.SameObservation.selector;
        e[15] = ILedger.EquivocationAlreadyRecorded.selector;
        e[16] = ILedger.MalformedReport.selector;
        e[17] = ILedger.ReportEntriesNotIncreasing.selector;
        e[18] = ILedger.InvalidReportSignature.selector;
        e[19] = ILedger.DuplicateReportSigner.selector;
        e[20] = ILedger.ReportEntryOutOfRange.selector;
    }
}
