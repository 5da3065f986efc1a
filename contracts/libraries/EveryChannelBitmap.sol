// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title EveryChannelBitmap
/// @notice Bit counting over the witness bitmaps of the observation ledger (bit `i` = registry index `i`).
library EveryChannelBitmap {
    /// @notice The number of set bits of `x` (0 to 256).
    /// @param x The bitmap.
    /// @return count The number of set bits.
    function popCount(uint256 x) internal pure returns (uint256 count) {
        unchecked {
            x -= (x >> 1) & 0x5555555555555555555555555555555555555555555555555555555555555555;
            x =
                (x & 0x3333333333333333333333333333333333333333333333333333333333333333) +
                ((x >> 2) & 0x3333333333333333333333333333333333333333333333333333333333333333);
            x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f;
            x = (x + (x >> 8)) & 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff;
            // Sixteen 16-bit lanes, each at most 16: their sum (at most 256) lands in the top lane.
            count = (x * 0x0001000100010001000100010001000100010001000100010001000100010001) >> 240;
        }
    }
}
