// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {InvariantTest} from "../utils/InvariantTest.sol";
import {RegistryHandler} from "./RegistryHandler.sol";

/// @title WitnessRegistryInvariants
/// @notice R1 to R5 of `docs/PROPERTIES.md` over random sequences of membership changes, by the owner and by
///         strangers, with rotations and ownership transfers (`RegistryHandler`).
contract WitnessRegistryInvariants is InvariantTest {
    RegistryHandler internal handler;

    function setUp() public {
        handler = new RegistryHandler(3, 2);
        bytes4[] memory selectors = new bytes4[](9);
        selectors[0] = RegistryHandler.addWitness.selector;
        selectors[1] = RegistryHandler.removeWitness.selector;
        selectors[2] = RegistryHandler.setQuorum.selector;
        selectors[3] = RegistryHandler.updateWitnessSet.selector;
        selectors[4] = RegistryHandler.rotateWitness.selector;
        selectors[5] = RegistryHandler.strangerChangesMembership.selector;
        selectors[6] = RegistryHandler.transferOwnership.selector;
        selectors[7] = RegistryHandler.acceptOwnership.selector;
        selectors[8] = RegistryHandler.renounceOwnership.selector;
        _targetSelectors_(address(handler), selectors);
    }

    /// @notice R1 to R5 after every call (one campaign checks them all: forge runs a campaign per
    ///         `invariant_*` function). A failure names the property.
    function invariant_registry() public view {
        _checkR1();
        _checkR2();
        _checkR3();
        _checkR4();
        _checkR5();
        _checkEq(handler.unexpectedReverts(), 0, "a revert that is none of the registry's named errors");
    }

    /// @dev R1: `1 <= quorum <= witnessCount` and `2 * quorum > witnessCount`, always.
    function _checkR1() internal view {
        uint256 q = handler.registry().quorum();
        uint256 n = handler.registry().witnessCount();
        _checkLe(1, q, "R1: quorum >= 1");
        _checkLe(q, n, "R1: quorum <= witnessCount");
        _check(2 * q > n, "R1: 2 * quorum > witnessCount");
    }

    /// @dev R2: each index was assigned once, to the address the model gave it (or the key rotated into
    ///         it), never reused; at most 128 indices.
    function _checkR2() internal view {
        uint256 assigned = handler.registry().indicesAssigned();
        _checkEq(assigned, handler.modelAssigned(), "R2: indicesAssigned");
        _checkLe(assigned, 128, "R2: at most 128 indices");
        for (uint256 i = 0; i < assigned; ++i) {
            address w = handler.registry().witnessAt(i);
            _checkEq(w, handler.modelAt(i), "R2: witnessAt(i)");
            _checkEq(handler.registry().witnessIndex(w), i, "R2: witnessIndex(witnessAt(i))");
        }
    }

    /// @dev R3: `witnessCount` is the population count of the active bitmap, which is the model's set.
    function _checkR3() internal view {
        (uint256 active, uint256 q) = handler.registry().membership();
        _checkEq(active, handler.modelActive(), "R3: active bitmap");
        _checkEq(q, handler.modelQuorum(), "R3: quorum");
        uint256 pop = 0;
        for (uint256 bits = active; bits != 0; bits &= bits - 1) ++pop;
        _checkEq(handler.registry().witnessCount(), pop, "R3: witnessCount = popcount(active)");
        _checkEq(handler.registry().witnesses().length, pop, "R3: witnesses().length");
    }

    /// @dev R4: only the owner changed membership (every call's outcome is the model's, and the model
    ///         changes only on the owner's valid calls); ownership moved in two steps.
    function _checkR4() internal view {
        _checkEq(
            handler.mismatches(),
            0,
            string.concat("R4: outcome the model did not predict: ", handler.lastMismatch())
        );
        _checkEq(handler.registry().owner(), handler.modelOwner(), "R4: owner");
        _checkEq(handler.registry().pendingOwner(), handler.modelPendingOwner(), "R4: pendingOwner");
    }

    /// @dev R5: a rotated-out key is retired for good: not a witness, not registered, never again.
    function _checkR5() internal view {
        for (uint256 i = 0; i < handler.KEYS(); ++i) {
            address key = handler.keyAddr(i);
            bool retired = handler.modelIndexPlusOne(key) == type(uint256).max;
            _check(handler.registry().isRetired(key) == retired, "R5: isRetired");
            if (retired) {
                _check(!handler.registry().isWitness(key), "R5: a retired key is no witness");
                (, , bool registered, ) = handler.registry().membershipOf(key);
                _check(!registered, "R5: a retired key is not registered");
            }
        }
    }
}
