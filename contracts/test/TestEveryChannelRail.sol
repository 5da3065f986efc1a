// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {EveryChannelRail} from "../EveryChannelRail.sol";

/// @title TestEveryChannelRail
/// @notice Test-only rail whose clock can be pinned, for deadline boundaries. Never deployed to real networks.
contract TestEveryChannelRail is EveryChannelRail {
    uint256 private _pinnedTime;

    /// @notice Pins the rail's clock to `time`; zero returns it to the block time.
    /// @param time Seconds since the Unix epoch, or zero.
    function setTime(uint256 time) external {
        _pinnedTime = time;
    }

    function _time() internal view override returns (uint256) {
        return _pinnedTime == 0 ? block.timestamp : _pinnedTime;
    }
}
