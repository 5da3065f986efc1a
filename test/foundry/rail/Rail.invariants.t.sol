// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {
    StoredManifestPointer,
    StoredAnnouncementPointer
} from "../../../contracts/interfaces/IEveryChannelRail.sol";
import {InvariantTest} from "../utils/InvariantTest.sol";
import {RailHandler} from "./RailHandler.sol";

/// @title RailInvariants
/// @notice The rail's property of `docs/PROPERTIES.md` (no pointer moves without its publisher's authority)
///         and its nonces, over random sequences of `RailHandler`'s actions.
contract RailInvariants is InvariantTest {
    RailHandler internal handler;

    function setUp() public {
        handler = new RailHandler();
        bytes4[] memory selectors = new bytes4[](8);
        selectors[0] = RailHandler.claim.selector;
        selectors[1] = RailHandler.proposePublisher.selector;
        selectors[2] = RailHandler.acceptPublisher.selector;
        selectors[3] = RailHandler.cancelNonce.selector;
        selectors[4] = RailHandler.publishManifest.selector;
        selectors[5] = RailHandler.publishAnnouncement.selector;
        selectors[6] = RailHandler.warp.selector;
        selectors[7] = RailHandler.publishBatch.selector;
        _targetSelectors_(address(handler), selectors);
    }

    /// @notice Publishers, pending publishers, every pointer and every nonce equal the model, which moves only
    ///         with the publisher's authority (direct call, or its signature with its next nonce); every
    ///         call's outcome was the model's and every revert a named error.
    function invariant_rail() public view {
        _checkEq(
            handler.mismatches(),
            0,
            string.concat("rail: outcome the model did not predict: ", handler.lastMismatch())
        );
        _checkEq(handler.unexpectedReverts(), 0, "rail: a revert that is none of the rail's named errors");
        for (uint256 s = 0; s < handler.STREAMS(); ++s) {
            bytes32 id = handler.streamId(s);
            _checkEq(handler.rail().publisherOf(id), handler.modelPublisher(id), "rail: publisher");
            _checkEq(
                handler.rail().pendingPublisherOf(id),
                handler.modelPending(id),
                "rail: pending publisher"
            );
            for (uint64 e = 0; e < handler.EPOCHS(); ++e) {
                StoredManifestPointer memory m = handler.rail().latestManifest(id, e);
                _checkEq(m.manifestBodyHash, handler.modelManifest(id, e), "rail: manifest pointer");
                _checkEq(m.revision, handler.modelRevision(id, e), "rail: manifest revision");
            }
            StoredAnnouncementPointer memory a = handler.rail().latestAnnouncement(id);
            _checkEq(a.announcementHash, handler.modelAnnouncement(id), "rail: announcement pointer");
            _checkEq(a.sequence, handler.modelSequence(id), "rail: announcement sequence");
        }
        for (uint256 i = 0; i < handler.ACTORS(); ++i) {
            address actor = handler.keyAddr(i);
            _checkEq(handler.rail().nonces(actor), handler.modelNonce(actor), "rail: nonce");
        }
    }
}
