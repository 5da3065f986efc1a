// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IEveryChannelObservationLedger as ILedger} from "../../../contracts/interfaces/IEveryChannelObservationLedger.sol";
import {ObservationContent} from "../../../contracts/libraries/EveryChannelTypes.sol";
import {InvariantTest} from "../utils/InvariantTest.sol";
import {RegistryHandler} from "../registry/RegistryHandler.sol";
import {LedgerHandler} from "./LedgerHandler.sol";

/// @title ObservationLedgerInvariants
/// @notice L1, L2, L3, L4, L5, L7, L8, L10, L12 and L13 of `docs/PROPERTIES.md` (and R1, R3 of the registry
///         underneath) over random sequences of `LedgerHandler`'s actions: every attesting path (co-signed reports
///         included), `finalize`, equivocation evidence (single signatures and reports), foreign-domain
///         signatures, time and membership changes.
contract ObservationLedgerInvariants is InvariantTest {
    LedgerHandler internal handler;
    ILedger internal ledger;

    function setUp() public {
        handler = new LedgerHandler();
        ledger = handler.ledger();
        bytes4[] memory selectors = new bytes4[](16);
        selectors[0] = LedgerHandler.attest.selector;
        selectors[1] = LedgerHandler.attestMany.selector;
        selectors[2] = LedgerHandler.relaySigned.selector;
        selectors[3] = LedgerHandler.relayCompact.selector;
        selectors[4] = LedgerHandler.relayForeign.selector;
        selectors[5] = LedgerHandler.finalize.selector;
        selectors[6] = LedgerHandler.reportEquivocation.selector;
        selectors[7] = LedgerHandler.warp.selector;
        selectors[8] = RegistryHandler.addWitness.selector;
        selectors[9] = RegistryHandler.removeWitness.selector;
        selectors[10] = RegistryHandler.setQuorum.selector;
        selectors[11] = RegistryHandler.updateWitnessSet.selector;
        selectors[12] = RegistryHandler.rotateWitness.selector;
        // Relayed batches weigh twice: they are the paths relayers use.
        selectors[13] = LedgerHandler.relayCompact.selector;
        selectors[14] = LedgerHandler.relayReport.selector;
        selectors[15] = LedgerHandler.reportReportEquivocation.selector;
        _targetSelectors_(address(handler), selectors);
    }

    /// @notice Every ledger property after every call (one campaign for all: forge runs a campaign per
    ///         `invariant_*` function). A failure names the property.
    function invariant_ledger() public view {
        _checkL1L10();
        _checkL2();
        _checkL3L13();
        _checkL4();
        _checkL5();
        _checkL7();
        _checkL8();
        _checkEq(
            handler.foreignAccepted(),
            0,
            "L12: a signature made for another ledger's domain was accepted"
        );
        _checkEq(handler.unknownFinalized(), 0, "L2: a content nobody sent finalized");
        _checkEq(handler.unexpectedReverts(), 0, "a revert that is none of the ledger's named errors");
        _checkEq(
            handler.mismatches(),
            0,
            string.concat("R: outcome the model did not predict: ", handler.lastMismatch())
        );
    }

    /// @dev L1, L10: at most one finalization per slot, ever, and the slot still records exactly it; every
    ///      other content of the slot is superseded. A slot a report finalized (the handler's ghost, from the
    ///      report's events) has no per-slot word (`docs/ledger.md`, "Reports"): it records no finalization, and
    ///      it is decided by its stream's head instead: its content and every rival dated at or before the head
    ///      are expired and unreachable.
    function _checkL1L10() internal view {
        uint256 n = handler.finalizationCount();
        for (uint256 i = 0; i < n; ++i) {
            LedgerHandler.Finalization memory f = handler.finalizationAt(i);
            _checkEq(handler.finalizationsOfSlot(f.slot), 1, "L1: finalizations of a slot");
            if (handler.finalizedByReport(f.slot)) {
                _checkReportSlot(f);
                continue;
            }
            (ILedger.SlotStatus status, bytes32 finalized, ) = ledger.slotStatus(f.slot);
            _checkEq(uint256(status), uint256(ILedger.SlotStatus.Finalized), "L1: slot status");
            _checkEq(finalized, f.contentHash, "L10: the slot's finalized content");
            bytes32[] memory rivals = handler.contentsOfSlot(f.slot);
            for (uint256 j = 0; j < rivals.length; ++j) {
                if (rivals[j] == f.contentHash) continue;
                (ILedger.CandidateStatus cs, , , bool reachable) = ledger.candidateStatus(
                    _content(rivals[j])
                );
                _checkEq(
                    uint256(cs),
                    uint256(ILedger.CandidateStatus.Superseded),
                    "L1: a rival is superseded"
                );
                _check(!reachable, "L1: a superseded rival is unreachable");
            }
        }
    }

    /// @dev L1, L10 for a slot a report finalized: the slot records no finalization, the stream's head is at or
    ///      after its content, and its content and every rival not dated after the head are expired and
    ///      unreachable (a rival dated after it is never finalized: `finalizationsOfSlot` stays 1).
    function _checkReportSlot(LedgerHandler.Finalization memory f) internal view {
        (ILedger.SlotStatus status, bytes32 finalized, ) = ledger.slotStatus(f.slot);
        _check(status != ILedger.SlotStatus.Finalized, "L1: a report-finalized slot has no per-slot word");
        _checkEq(finalized, bytes32(0), "L10: a report-finalized slot records no content");
        (, , uint64 headTime) = ledger.finalizedHead(f.streamHash);
        _checkLe(f.observedUnixMs, headTime, "L1: a report-finalized slot is at or before the head");
        bytes32[] memory contents = handler.contentsOfSlot(f.slot);
        for (uint256 j = 0; j < contents.length; ++j) {
            ObservationContent memory c = _content(contents[j]);
            (ILedger.CandidateStatus cs, , , bool reachable) = ledger.candidateStatus(c);
            _check(
                cs != ILedger.CandidateStatus.Finalized,
                "L1: a content of a report-finalized slot finalized"
            );
            if (c.observedUnixMs > headTime) continue;
            _checkEq(
                uint256(cs),
                uint256(ILedger.CandidateStatus.Expired),
                "L1: a content of a report-finalized slot is expired"
            );
            _check(!reachable, "L1: a content of a report-finalized slot is unreachable");
        }
    }

    /// @dev L2: each finalization had a quorum of witnesses active when counted, each of which signed or
    ///      sent that content.
    function _checkL2() internal view {
        uint256 n = handler.finalizationCount();
        for (uint256 i = 0; i < n; ++i) {
            LedgerHandler.Finalization memory f = handler.finalizationAt(i);
            _checkLe(f.quorum, _popcount(f.witnesses), "L2: witnesses >= quorum when counted");
            _checkEq(f.witnesses & ~f.activeWitnesses, 0, "L2: witnesses not active when counted");
            _checkEq(f.unsignedWitnesses, 0, "L2: witnesses that never attested the content");
        }
    }

    /// @dev L3, L13: each stream's finalizations form one chain (parent = previous, sequence + 1, strictly
    ///      later), each `ObservationHash` is keccak256(abi.encode(header)), and `finalizedHead` is the last.
    function _checkL3L13() internal view {
        uint256 n = handler.finalizationCount();
        for (uint256 s = 0; s < handler.STREAMS(); ++s) {
            bytes32 stream = handler.streamOf(s);
            bytes32 head;
            uint64 sequence;
            uint64 time;
            bool any;
            for (uint256 i = 0; i < n; ++i) {
                LedgerHandler.Finalization memory f = handler.finalizationAt(i);
                if (f.streamHash != stream) continue;
                _checkEq(
                    f.observationHash,
                    f.headerHash,
                    "L13: ObservationHash = keccak256(abi.encode(header))"
                );
                _checkEq(f.parentObservationHash, head, "L3: parent = the previous head");
                _checkEq(f.sequence, any ? sequence + 1 : 0, "L3: sequence = previous + 1");
                if (any) _checkLe(time + 1, f.observedUnixMs, "L3: strictly later observedUnixMs");
                head = f.observationHash;
                sequence = f.sequence;
                time = f.observedUnixMs;
                any = true;
            }
            (bytes32 h, uint64 seq, uint64 t) = ledger.finalizedHead(stream);
            _checkEq(h, head, "L3: finalizedHead is the last finalization");
            _checkEq(seq, sequence, "L3: finalizedHead sequence");
            _checkEq(t, time, "L3: finalizedHead observedUnixMs");
        }
    }

    /// @dev L4: in an open slot, the witnesses recorded on its contents are disjoint.
    function _checkL4() internal view {
        uint256 slots = handler.slotCount();
        for (uint256 i = 0; i < slots; ++i) {
            bytes32 slot = handler.slots(i);
            if (handler.finalizationsOfSlot(slot) != 0) continue;
            bytes32[] memory hashes = handler.contentsOfSlot(slot);
            uint256 seen = 0;
            for (uint256 j = 0; j < hashes.length; ++j) {
                address[] memory attesters = ledger.attestationsOf(hashes[j]);
                uint256 bits = 0;
                for (uint256 k = 0; k < attesters.length; ++k) {
                    bits |= uint256(1) << handler.registry().witnessIndex(attesters[k]);
                }
                _checkEq(bits & seen, 0, "L4: a witness counted for two contents of a slot");
                _checkEq(bits & ~handler.signedBy(hashes[j]), 0, "L4: recorded attester that never attested");
                seen |= bits;
            }
        }
    }

    /// @dev L5: every recorded equivocation is backed by two contents of its slot that its witness (its
    ///      registry index) signed; an honest witness is never recorded.
    function _checkL5() internal view {
        uint256 n = handler.equivocationCount();
        for (uint256 i = 0; i < n; ++i) {
            LedgerHandler.Equivocation memory e = handler.equivocationAt(i);
            _check(
                e.indexPlusOne != 0 && e.indexPlusOne != type(uint256).max,
                "L5: an equivocator without index"
            );
            uint256 index = e.indexPlusOne - 1;
            _check(!handler.honest(index), "L5: an honest witness recorded as an equivocator");
            _checkLe(
                2,
                handler.contentsSignedInSlot(e.slot, index),
                "L5: evidence without two signed contents"
            );
        }
    }

    /// @dev L7: a content at or before its stream's head that did not finalize is expired and unreachable.
    function _checkL7() internal view {
        uint256 n = handler.contentCount();
        for (uint256 i = 0; i < n; ++i) {
            ObservationContent memory c = handler.contentAt(i);
            (bytes32 head, , uint64 headTime) = ledger.finalizedHead(c.streamHash);
            if (head == bytes32(0) || c.observedUnixMs > headTime) continue;
            (ILedger.CandidateStatus cs, , , bool reachable) = ledger.candidateStatus(c);
            if (cs == ILedger.CandidateStatus.Finalized || cs == ILedger.CandidateStatus.Superseded) continue;
            _checkEq(
                uint256(cs),
                uint256(ILedger.CandidateStatus.Expired),
                "L7: a passed content is expired"
            );
            _check(!reachable, "L7: an expired content is unreachable");
        }
    }

    /// @dev L8: nothing beyond the time tolerance was accepted or finalized.
    function _checkL8() internal view {
        _checkEq(handler.futureAccepted(), 0, "L8: a call with a content beyond MAX_FUTURE_MS succeeded");
        uint256 n = handler.finalizationCount();
        for (uint256 i = 0; i < n; ++i) {
            LedgerHandler.Finalization memory f = handler.finalizationAt(i);
            _checkLe(f.observedUnixMs, f.latestAcceptedUnixMs, "L8: finalized beyond MAX_FUTURE_MS");
        }
    }

    function _content(bytes32 contentHash) internal view returns (ObservationContent memory) {
        return handler.contentAt(handler.contentIndexPlusOne(contentHash) - 1);
    }

    function _popcount(uint256 bits) internal pure returns (uint256 n) {
        for (; bits != 0; bits &= bits - 1) ++n;
    }
}
