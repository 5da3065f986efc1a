// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {EveryChannelWitnessRegistry} from "../../../contracts/EveryChannelWitnessRegistry.sol";
import {IEveryChannelWitnessRegistry as IRegistry} from "../../../contracts/interfaces/IEveryChannelWitnessRegistry.sol";
import {HandlerBase} from "../utils/HandlerBase.sol";

/// @title RegistryHandler
/// @notice Drives `EveryChannelWitnessRegistry` with random membership changes over the key pool: additions,
///         removals, rotations, quorum changes, `updateWitnessSet`, calls by accounts that are not the owner,
///         two-step ownership transfers and renunciation. It keeps its own model of the registry (ghost
///         variables), updated only by the changes the owner makes that the model says are valid, and counts
///         every call whose outcome the model did not predict.
contract RegistryHandler is HandlerBase {
    uint256 private constant RETIRED = type(uint256).max;

    EveryChannelWitnessRegistry public immutable registry;

    // The model.
    mapping(address account => uint256 indexPlusOne) public modelIndexPlusOne;
    address[] public modelAt;
    uint256 public modelActive;
    uint256 public modelCount;
    uint256 public modelQuorum;
    address public modelOwner;
    address public modelPendingOwner;

    /// @dev Membership as the simulation of one call sees it.
    struct Sim {
        uint256 active;
        uint256 count;
        uint256 quorum;
        uint256 assigned;
        bool ok;
    }

    /// @param initialCount The first witnesses: keys 0 to `initialCount - 1` of the pool.
    /// @param initialQuorum The first quorum.
    constructor(uint256 initialCount, uint256 initialQuorum) {
        address[] memory initial = new address[](initialCount);
        for (uint256 i = 0; i < initialCount; ++i) initial[i] = _keyAddr(i);
        registry = new EveryChannelWitnessRegistry(address(this), initial, initialQuorum);
        for (uint256 i = 0; i < initialCount; ++i) {
            modelIndexPlusOne[initial[i]] = i + 1;
            modelAt.push(initial[i]);
        }
        modelActive = (uint256(1) << initialCount) - 1;
        modelCount = initialCount;
        modelQuorum = initialQuorum;
        modelOwner = address(this);
    }

    // ---------------------------------------------------------------------------------------------
    // Actions (the fuzzer's targets)
    // ---------------------------------------------------------------------------------------------

    /// @notice The owner adds a key of the pool (or the zero address).
    function addWitness(uint256 keySeed) external {
        address w = keySeed % (KEYS + 1) == KEYS ? address(0) : _keyAddr(keySeed);
        address[] memory toAdd = new address[](1);
        toAdd[0] = w;
        Sim memory sim = _simulate(toAdd, new address[](0), modelQuorum);
        vm.prank(_owner());
        try registry.addWitness(w) {
            _expect(sim.ok, true, "addWitness");
            if (sim.ok) _commit(toAdd, new address[](0), sim);
        } catch (bytes memory err) {
            _expect(sim.ok, false, "addWitness");
            _classify(err, _registryErrors());
        }
    }

    /// @notice The owner removes a key of the pool.
    function removeWitness(uint256 keySeed) external {
        address[] memory toRemove = new address[](1);
        toRemove[0] = _keyAddr(keySeed);
        Sim memory sim = _simulate(new address[](0), toRemove, modelQuorum);
        vm.prank(_owner());
        try registry.removeWitness(toRemove[0]) {
            _expect(sim.ok, true, "removeWitness");
            if (sim.ok) _commit(new address[](0), toRemove, sim);
        } catch (bytes memory err) {
            _expect(sim.ok, false, "removeWitness");
            _classify(err, _registryErrors());
        }
    }

    /// @notice The owner sets the quorum (mostly near the valid range, sometimes outside it).
    function setQuorum(uint256 quorumSeed) external {
        uint256 q = _bound(quorumSeed, 0, modelCount + 1);
        Sim memory sim = _simulate(new address[](0), new address[](0), q);
        vm.prank(_owner());
        try registry.setQuorum(q) {
            _expect(sim.ok, true, "setQuorum");
            if (sim.ok) _commit(new address[](0), new address[](0), sim);
        } catch (bytes memory err) {
            _expect(sim.ok, false, "setQuorum");
            _classify(err, _registryErrors());
        }
    }

    /// @notice The owner removes, adds (keys of the pool chosen by two bit masks) and sets the quorum at once.
    function updateWitnessSet(uint256 addMask, uint256 removeMask, uint256 quorumSeed) external {
        address[] memory toAdd = _keysOf(addMask % (1 << KEYS), 3);
        address[] memory toRemove = _keysOf(removeMask % (1 << KEYS), 3);
        uint256 q = _bound(quorumSeed, 0, modelCount + toAdd.length + 1);
        Sim memory sim = _simulate(toAdd, toRemove, q);
        vm.prank(_owner());
        try registry.updateWitnessSet(toAdd, toRemove, q) {
            _expect(sim.ok, true, "updateWitnessSet");
            if (sim.ok) _commit(toAdd, toRemove, sim);
        } catch (bytes memory err) {
            _expect(sim.ok, false, "updateWitnessSet");
            _classify(err, _registryErrors());
        }
    }

    /// @notice The owner rotates a key to another key of the pool.
    function rotateWitness(uint256 fromSeed, uint256 toSeed) external {
        address from = _keyAddr(fromSeed);
        address to = _keyAddr(toSeed);
        uint256 fromIpo = modelIndexPlusOne[from];
        bool ok = modelOwner != address(0) &&
            fromIpo != 0 &&
            fromIpo != RETIRED &&
            (modelActive >> (fromIpo - 1)) & 1 == 1 &&
            modelIndexPlusOne[to] == 0;
        vm.prank(_owner());
        try registry.rotateWitness(from, to) {
            _expect(ok, true, "rotateWitness");
            if (ok) {
                modelIndexPlusOne[to] = fromIpo;
                modelIndexPlusOne[from] = RETIRED;
                modelAt[fromIpo - 1] = to;
                _onRotated(from, to, fromIpo - 1);
            }
        } catch (bytes memory err) {
            _expect(ok, false, "rotateWitness");
            _classify(err, _registryErrors());
        }
    }

    /// @notice An account that is not the owner tries an owner action; nothing may change.
    function strangerChangesMembership(uint256 actorSeed, uint256 action, uint256 arg) external {
        address actor = _keyAddr(actorSeed);
        if (actor == modelOwner) return;
        address w = _keyAddr(arg);
        bool ok;
        bytes memory err;
        vm.prank(actor);
        if (action % 4 == 0) {
            (ok, err) = address(registry).call(abi.encodeCall(IRegistry.addWitness, (w)));
        } else if (action % 4 == 1) {
            (ok, err) = address(registry).call(abi.encodeCall(IRegistry.removeWitness, (w)));
        } else if (action % 4 == 2) {
            (ok, err) = address(registry).call(abi.encodeCall(IRegistry.setQuorum, (_bound(arg, 1, 3))));
        } else {
            (ok, err) = address(registry).call(
                abi.encodeCall(IRegistry.rotateWitness, (w, _keyAddr((arg % KEYS) + 1)))
            );
        }
        _expect(false, ok, "owner action by a stranger");
        if (!ok) _classify(err, _registryErrors());
    }

    /// @notice The owner proposes a new owner (a key of the pool, or this handler back).
    function transferOwnership(uint256 toSeed) external {
        address to = toSeed % 3 == 0 ? address(this) : _keyAddr(toSeed);
        bool ok = modelOwner != address(0);
        vm.prank(_owner());
        try registry.transferOwnership(to) {
            _expect(ok, true, "transferOwnership");
            if (ok) modelPendingOwner = to;
        } catch (bytes memory err) {
            _expect(ok, false, "transferOwnership");
            _classify(err, _registryErrors());
        }
    }

    /// @notice A key of the pool tries to renounce ownership; the owner does, rarely (one call in 64): from
    ///         then on no one may change membership or ownership.
    function renounceOwnership(uint256 actorSeed) external {
        bool byOwner = uint256(keccak256(abi.encode(actorSeed))) % 64 == 0;
        address actor = byOwner ? _owner() : _keyAddr(actorSeed);
        if (!byOwner && actor == modelOwner) return;
        bool ok = actor == modelOwner && modelOwner != address(0);
        vm.prank(actor);
        try registry.renounceOwnership() {
            _expect(ok, true, "renounceOwnership");
            if (ok) {
                modelOwner = address(0);
                modelPendingOwner = address(0);
            }
        } catch (bytes memory err) {
            _expect(ok, false, "renounceOwnership");
            _classify(err, _registryErrors());
        }
    }

    /// @notice A key of the pool (or this handler) accepts ownership: only the pending owner may.
    function acceptOwnership(uint256 actorSeed) external {
        address actor = actorSeed % 3 == 0 ? address(this) : _keyAddr(actorSeed);
        bool ok = actor == modelPendingOwner;
        vm.prank(actor);
        try registry.acceptOwnership() {
            _expect(ok, true, "acceptOwnership");
            if (ok) {
                modelOwner = actor;
                modelPendingOwner = address(0);
            }
        } catch (bytes memory err) {
            _expect(ok, false, "acceptOwnership");
            _classify(err, _registryErrors());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Model
    // ---------------------------------------------------------------------------------------------

    /// @notice Number of indices the model has assigned.
    function modelAssigned() external view returns (uint256) {
        return modelAt.length;
    }

    /// @dev Who sends the owner's calls: the owner, or once ownership is renounced, the first owner (this
    ///      handler), who may no longer act. Never the zero address, which sends no transaction (and which the
    ///      registry, like any `Ownable`, would take for its owner once renounced).
    function _owner() internal view returns (address) {
        return modelOwner == address(0) ? address(this) : modelOwner;
    }

    /// @dev Hook for handlers that extend this one.
    function _onRotated(address from, address to, uint256 index) internal virtual {}

    /// @dev The model's outcome of `updateWitnessSet(toAdd, toRemove, q)` (removals first, then additions);
    ///      `addWitness`, `removeWitness` and `setQuorum` are its special cases. Each address appears at most
    ///      once in each list.
    function _simulate(
        address[] memory toAdd,
        address[] memory toRemove,
        uint256 q
    ) internal view returns (Sim memory sim) {
        sim = Sim(modelActive, modelCount, modelQuorum, modelAt.length, false);
        for (uint256 i = 0; i < toRemove.length; ++i) {
            uint256 ipo = modelIndexPlusOne[toRemove[i]];
            if (ipo == 0 || ipo == RETIRED || (sim.active >> (ipo - 1)) & 1 == 0) return sim;
            sim.active &= ~(uint256(1) << (ipo - 1));
            --sim.count;
        }
        for (uint256 i = 0; i < toAdd.length; ++i) {
            address w = toAdd[i];
            if (w == address(0)) return sim;
            uint256 ipo = modelIndexPlusOne[w];
            if (ipo == RETIRED) return sim;
            uint256 index;
            if (ipo == 0) {
                if (sim.assigned == 128) return sim;
                index = sim.assigned++;
            } else {
                index = ipo - 1;
                if ((sim.active >> index) & 1 == 1) return sim;
            }
            sim.active |= uint256(1) << index;
            ++sim.count;
        }
        sim.quorum = q;
        // The registry's own rule, restated: 1 <= quorum <= count and a strict majority; and an owner to act.
        sim.ok = q <= sim.count && 2 * q > sim.count && modelOwner != address(0);
    }

    function _commit(address[] memory toAdd, address[] memory, Sim memory sim) internal {
        for (uint256 i = 0; i < toAdd.length; ++i) {
            if (modelIndexPlusOne[toAdd[i]] == 0) {
                modelAt.push(toAdd[i]);
                modelIndexPlusOne[toAdd[i]] = modelAt.length;
            }
        }
        modelActive = sim.active;
        modelCount = sim.count;
        modelQuorum = sim.quorum;
    }

    /// @dev Up to `max` distinct keys of the pool whose bits are set in `mask`.
    function _keysOf(uint256 mask, uint256 max) internal pure returns (address[] memory list) {
        uint256 n = 0;
        for (uint256 i = 0; i < KEYS && n < max; ++i) {
            if ((mask >> i) & 1 == 1) ++n;
        }
        list = new address[](n);
        n = 0;
        for (uint256 i = 0; i < KEYS && n < list.length; ++i) {
            if ((mask >> i) & 1 == 1) list[n++] = _keyAddr(i);
        }
    }

    function _registryErrors() internal pure returns (bytes4[] memory e) {
        e = new bytes4[](12);
        e[0] = IRegistry.ZeroAddressWitness.selector;
        e[1] = IRegistry.WitnessAlreadyActive.selector;
        e[2] = IRegistry.WitnessNotActive.selector;
        e[3] = IRegistry.WitnessIndicesExhausted.selector;
        e[4] = IRegistry.QuorumExceedsWitnessCount.selector;
        e[5] = IRegistry.QuorumNotStrictMajority.selector;
        e[6] = IRegistry.RetiredWitnessKey.selector;
        e[7] = IRegistry.WitnessKeyInUse.selector;
        e[8] = Ownable.OwnableUnauthorizedAccount.selector;
        e[9] = Ownable.OwnableInvalidOwner.selector;
        e[10] = IRegistry.NeverAWitness.selector;
        e[11] = IRegistry.UnassignedWitnessIndex.selector;
    }
}
