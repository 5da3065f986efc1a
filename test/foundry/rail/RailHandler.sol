// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

import {EveryChannelRail} from "../../../contracts/EveryChannelRail.sol";
import {
    IEveryChannelRail as IRail,
    ManifestPointer,
    AnnouncementPointer
} from "../../../contracts/interfaces/IEveryChannelRail.sol";
import {BroadcastId, StreamKey} from "../../../contracts/libraries/EveryChannelTypes.sol";
import {HandlerBase} from "../utils/HandlerBase.sol";

/// @title RailHandler
/// @notice Drives `EveryChannelRail` over two streams, three epochs each, with four keys: claims (direct and
///         signed), publisher proposals and acceptances, manifest and announcement pointers (direct and
///         signed, by the publisher and by others, with fresh, stale and replayed nonces, signatures by the
///         wrong key, stale revisions and sequences, zero hashes) and nonce cancellations. Its model (ghost
///         variables) changes only on calls the model says the publisher authorized; every call's outcome is
///         compared with the model's.
contract RailHandler is HandlerBase {
    uint256 public constant ACTORS = 4;
    uint256 public constant STREAMS = 2;
    uint256 public constant EPOCHS = 3;

    EveryChannelRail public immutable rail;

    // The model.
    mapping(bytes32 streamId => address publisher) public modelPublisher;
    mapping(bytes32 streamId => address pending) public modelPending;
    mapping(bytes32 streamId => mapping(uint64 epochId => bytes32 bodyHash)) public modelManifest;
    mapping(bytes32 streamId => mapping(uint64 epochId => uint64 revision)) public modelRevision;
    mapping(bytes32 streamId => bytes32 announcementHash) public modelAnnouncement;
    mapping(bytes32 streamId => uint64 sequence) public modelSequence;
    mapping(address account => uint256 nonce) public modelNonce;

    constructor() {
        rail = new EveryChannelRail();
    }

    // ---------------------------------------------------------------------------------------------
    // Actions
    // ---------------------------------------------------------------------------------------------

    /// @notice An actor claims a stream, directly or by a signature a relayer submits.
    function claim(uint256 actorSeed, uint256 streamSeed, bool bySig, uint256 nonceSeed) external {
        address actor = _keyAddr(actorSeed % ACTORS);
        StreamKey memory key = streamKey(streamSeed);
        bytes32 id = keccak256(abi.encode(key));
        bool ok = modelPublisher[id] == address(0);
        bool success;
        bytes memory err;
        if (bySig) {
            uint256 nonce = _nonce(actor, nonceSeed);
            ok = ok && nonce == modelNonce[actor];
            bytes32 structHash = keccak256(
                abi.encode(
                    keccak256(
                        "ClaimStream(bytes32 streamId,address publisher,uint256 nonce,uint256 deadline)"
                    ),
                    id,
                    actor,
                    nonce,
                    block.timestamp
                )
            );
            bytes memory signature = _sign(actorSeed % ACTORS, structHash);
            (success, err) = address(rail).call(
                abi.encodeCall(IRail.claimStreamWithSig, (key, actor, nonce, block.timestamp, signature))
            );
            if (success) ++modelNonce[actor];
        } else {
            vm.prank(actor);
            (success, err) = address(rail).call(abi.encodeCall(IRail.claimStream, (key)));
        }
        _settle(ok, success, err, "claim");
        if (success && ok) modelPublisher[id] = actor;
    }

    /// @notice An actor proposes a new publisher (another actor, or zero to withdraw).
    function proposePublisher(uint256 actorSeed, uint256 streamSeed, uint256 toSeed) external {
        address actor = _keyAddr(actorSeed % ACTORS);
        bytes32 id = streamId(streamSeed);
        address to = toSeed % (ACTORS + 1) == ACTORS ? address(0) : _keyAddr(toSeed % ACTORS);
        bool ok = modelPublisher[id] == actor;
        vm.prank(actor);
        (bool success, bytes memory err) = address(rail).call(
            abi.encodeCall(IRail.proposePublisher, (id, to))
        );
        _settle(ok, success, err, "proposePublisher");
        if (success && ok) modelPending[id] = to;
    }

    /// @notice An actor accepts the publisher role of a stream.
    function acceptPublisher(uint256 actorSeed, uint256 streamSeed) external {
        address actor = _keyAddr(actorSeed % ACTORS);
        bytes32 id = streamId(streamSeed);
        bool ok = modelPending[id] == actor;
        vm.prank(actor);
        (bool success, bytes memory err) = address(rail).call(abi.encodeCall(IRail.acceptPublisher, (id)));
        _settle(ok, success, err, "acceptPublisher");
        if (success && ok) {
            modelPublisher[id] = actor;
            modelPending[id] = address(0);
        }
    }

    /// @notice An actor cancels its current nonce.
    function cancelNonce(uint256 actorSeed) external {
        address actor = _keyAddr(actorSeed % ACTORS);
        vm.prank(actor);
        (bool success, bytes memory err) = address(rail).call(abi.encodeCall(IRail.cancelNonce, ()));
        _settle(true, success, err, "cancelNonce");
        if (success) ++modelNonce[actor];
    }

    /// @notice A manifest pointer, sent by an actor or relayed with a signature (by `signerSeed`'s key).
    function publishManifest(
        uint256 actorSeed,
        uint256 pointerSeed,
        bool bySig,
        uint256 signerSeed,
        uint256 nonceSeed
    ) external {
        address actor = _keyAddr(actorSeed % ACTORS);
        ManifestPointer memory p;
        p.streamId = streamId(pointerSeed);
        p.epochId = uint64((pointerSeed >> 8) % EPOCHS);
        p.manifestBodyHash = (pointerSeed >> 16) % 16 == 0
            ? bytes32(0)
            : keccak256(abi.encode("body", pointerSeed));
        p.manifestEnvelopeHash = keccak256(abi.encode("envelope", pointerSeed));
        p.revision = uint64((pointerSeed >> 24) % 8);
        bytes32 stored = modelManifest[p.streamId][p.epochId];
        bool ok = modelPublisher[p.streamId] == actor &&
            p.manifestBodyHash != bytes32(0) &&
            (stored == bytes32(0) || p.revision > modelRevision[p.streamId][p.epochId]);
        bool success;
        bytes memory err;
        if (bySig) {
            uint256 signer = signerSeed % 4 == 0 ? signerSeed % ACTORS : actorSeed % ACTORS;
            uint256 nonce = _nonce(actor, nonceSeed);
            ok = ok && nonce == modelNonce[actor] && _keyAddr(signer) == actor;
            bytes32 structHash = keccak256(
                abi.encode(
                    keccak256(
                        "PublishManifest(address publisher,ManifestPointer pointer,uint256 nonce,uint256 deadline)ManifestPointer(bytes32 streamId,uint64 epochId,bytes32 manifestBodyHash,bytes32 manifestEnvelopeHash,bytes32 dataRoot,bytes32 manifestId,uint64 revision)"
                    ),
                    actor,
                    keccak256(
                        abi.encode(
                            keccak256(
                                "ManifestPointer(bytes32 streamId,uint64 epochId,bytes32 manifestBodyHash,bytes32 manifestEnvelopeHash,bytes32 dataRoot,bytes32 manifestId,uint64 revision)"
                            ),
                            p
                        )
                    ),
                    nonce,
                    block.timestamp
                )
            );
            (success, err) = address(rail).call(
                abi.encodeCall(
                    IRail.publishManifestWithSig,
                    (actor, p, nonce, block.timestamp, _sign(signer, structHash))
                )
            );
            if (success) ++modelNonce[actor];
        } else {
            vm.prank(actor);
            (success, err) = address(rail).call(abi.encodeCall(IRail.publishManifest, (p)));
        }
        _settle(ok, success, err, "publishManifest");
        if (success && ok) {
            modelManifest[p.streamId][p.epochId] = p.manifestBodyHash;
            modelRevision[p.streamId][p.epochId] = p.revision;
        }
    }

    /// @notice An announcement pointer, sent by an actor or relayed with a signature (by `signerSeed`'s key).
    function publishAnnouncement(
        uint256 actorSeed,
        uint256 pointerSeed,
        bool bySig,
        uint256 signerSeed,
        uint256 nonceSeed
    ) external {
        address actor = _keyAddr(actorSeed % ACTORS);
        AnnouncementPointer memory p;
        p.streamId = streamId(pointerSeed);
        p.announcementHash = (pointerSeed >> 16) % 16 == 0
            ? bytes32(0)
            : keccak256(abi.encode("ann", pointerSeed));
        p.descriptorHash = keccak256(abi.encode("descriptor", pointerSeed));
        p.sequence = uint64((pointerSeed >> 24) % 8);
        bool ok = modelPublisher[p.streamId] == actor &&
            p.announcementHash != bytes32(0) &&
            (modelAnnouncement[p.streamId] == bytes32(0) || p.sequence > modelSequence[p.streamId]);
        bool success;
        bytes memory err;
        if (bySig) {
            uint256 signer = signerSeed % 4 == 0 ? signerSeed % ACTORS : actorSeed % ACTORS;
            uint256 nonce = _nonce(actor, nonceSeed);
            ok = ok && nonce == modelNonce[actor] && _keyAddr(signer) == actor;
            bytes32 structHash = keccak256(
                abi.encode(
                    keccak256(
                        "PublishAnnouncement(address publisher,AnnouncementPointer pointer,uint256 nonce,uint256 deadline)AnnouncementPointer(bytes32 streamId,bytes32 announcementHash,bytes32 descriptorHash,uint64 sequence)"
                    ),
                    actor,
                    keccak256(
                        abi.encode(
                            keccak256(
                                "AnnouncementPointer(bytes32 streamId,bytes32 announcementHash,bytes32 descriptorHash,uint64 sequence)"
                            ),
                            p
                        )
                    ),
                    nonce,
                    block.timestamp
                )
            );
            (success, err) = address(rail).call(
                abi.encodeCall(
                    IRail.publishAnnouncementWithSig,
                    (actor, p, nonce, block.timestamp, _sign(signer, structHash))
                )
            );
            if (success) ++modelNonce[actor];
        } else {
            vm.prank(actor);
            (success, err) = address(rail).call(abi.encodeCall(IRail.publishAnnouncement, (p)));
        }
        _settle(ok, success, err, "publishAnnouncement");
        if (success && ok) {
            modelAnnouncement[p.streamId] = p.announcementHash;
            modelSequence[p.streamId] = p.sequence;
        }
    }

    /// @notice Time passes (1 to 60 seconds).
    function warp(uint256 secondsSeed) external {
        vm.warp(block.timestamp + _bound(secondsSeed, 1, 60));
    }

    // ---------------------------------------------------------------------------------------------
    // Views and internals
    // ---------------------------------------------------------------------------------------------

    /// @notice The stream key of seed `s`.
    function streamKey(uint256 s) public pure returns (StreamKey memory key) {
        key.broadcast = BroadcastId(1, bytes2("US"), 27, 1, uint16(3 + (s % STREAMS)), 4, 1, "KEVC");
        key.profile = "main";
    }

    /// @notice The id of stream `s`.
    function streamId(uint256 s) public pure returns (bytes32) {
        return keccak256(abi.encode(streamKey(s)));
    }

    /// @dev The account's next nonce, or (one time in four) a used or a future one.
    function _nonce(address account, uint256 seed) internal view returns (uint256) {
        uint256 n = modelNonce[account];
        if (seed % 8 == 0 && n > 0) return n - 1;
        if (seed % 8 == 1) return n + 1;
        return n;
    }

    function _sign(uint256 keyIndex, bytes32 structHash) internal view returns (bytes memory) {
        (, string memory name, string memory version, uint256 chainId, address verifying, , ) = rail
            .eip712Domain();
        bytes32 domainSeparator = keccak256(
            abi.encode(
                keccak256(
                    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
                ),
                keccak256(bytes(name)),
                keccak256(bytes(version)),
                chainId,
                verifying
            )
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", domainSeparator, structHash));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(_key(keyIndex), digest);
        return abi.encodePacked(r, s, v);
    }

    function _settle(bool expected, bool success, bytes memory err, string memory what) internal {
        _expect(expected, success, what);
        if (!success) _classify(err, _railErrors());
    }

    function _railErrors() internal pure returns (bytes4[] memory e) {
        e = new bytes4[](11);
        e[0] = IRail.StreamAlreadyClaimed.selector;
        e[1] = IRail.StreamNotClaimed.selector;
        e[2] = IRail.NotPublisher.selector;
        e[3] = IRail.NotPendingPublisher.selector;
        e[4] = IRail.StaleManifestRevision.selector;
        e[5] = IRail.StaleAnnouncementSequence.selector;
        e[6] = IRail.ZeroManifestBodyHash.selector;
        e[7] = IRail.ZeroAnnouncementHash.selector;
        e[8] = IRail.SignatureExpired.selector;
        e[9] = IRail.InvalidSignature.selector;
        e[10] = Nonces.InvalidAccountNonce.selector;
    }
}
