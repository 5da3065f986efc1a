// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title FastLzHarness
/// @notice Test-only on-chain FastLZ (level 1) compressor, written from the algorithm the OP Stack
///         `GasPriceOracle` runs through solady `LibZip.flzCompress`: a 13-bit hash table of
///         little-endian 3-byte sequences (multiplier 2654435769), matches within 8 KiB, literal runs
///         of at most 32 bytes, match tokens of 2 or 3 bytes. The TypeScript fee model
///         (`lib/opstack/fastlz.ts`) is compared with it byte for byte in `test/opstack/fastlz.test.ts`.
///         Plain Solidity rather than assembly: it is read, not deployed.
contract FastLzHarness {
    uint256 private constant _HASH_SIZE = 8192;
    uint256 private constant _MAX_DISTANCE = 0x1fff;

    /// @notice The FastLZ compression of `data`.
    /// @param data The bytes to compress.
    /// @return out The compressed bytes.
    function compress(bytes calldata data) public pure returns (bytes memory out) {
        uint256 n = data.length;
        uint256[] memory table = new uint256[](_HASH_SIZE);
        out = new bytes(n + n / 32 + 2);
        uint256 o = 0;
        uint256 anchor = 0;
        uint256 ipLimit = n < 13 ? 0 : n - 13;
        uint256 ip = 2;
        while (ip < ipLimit) {
            uint256 ref;
            uint256 distance;
            (ip, ref, distance) = _findMatch(data, table, ip, ipLimit);
            if (ip >= ipLimit) break;
            --ip;
            if (ip > anchor) o = _literals(data, anchor, ip - anchor, out, o);
            uint256 length = _compare(data, ref + 3, ip + 3, ipLimit + 9);
            o = _match(length, distance, out, o);
            ip += length;
            table[_hash(_u24(data, ip))] = ip;
            ++ip;
            table[_hash(_u24(data, ip))] = ip;
            ++ip;
            anchor = ip;
        }
        o = _literals(data, anchor, n - anchor, out, o);
        assembly ("memory-safe") {
            mstore(out, o)
        }
    }

    /// @notice The length of the FastLZ compression of `data` (what the fee formula uses).
    /// @param data The bytes to compress.
    /// @return The compressed length in bytes.
    function compressedLength(bytes calldata data) external pure returns (uint256) {
        return compress(data).length;
    }

    /// @dev Hashes forward from `ip` until a 3-byte sequence repeats within 8 KiB or `ipLimit` is reached.
    function _findMatch(
        bytes calldata data,
        uint256[] memory table,
        uint256 ip,
        uint256 ipLimit
    ) private pure returns (uint256, uint256 ref, uint256 distance) {
        while (true) {
            uint256 seq = _u24(data, ip);
            uint256 h = _hash(seq);
            ref = table[h];
            table[h] = ip;
            distance = ip - ref;
            if (ip >= ipLimit) break;
            ++ip;
            if (distance <= _MAX_DISTANCE && seq == _u24(data, ref)) break;
        }
        return (ip, ref, distance);
    }

    /// @dev Counts equal bytes at `p` and `q` while `q < end`, including the first unequal one.
    function _compare(
        bytes calldata data,
        uint256 p,
        uint256 q,
        uint256 end
    ) private pure returns (uint256 length) {
        uint256 limit = end - q;
        while (length < limit) {
            bool same = data[p + length] == data[q + length];
            ++length;
            if (!same) break;
        }
    }

    function _u24(bytes calldata data, uint256 i) private pure returns (uint256) {
        return
            uint256(uint8(data[i])) |
            (uint256(uint8(data[i + 1])) << 8) |
            (uint256(uint8(data[i + 2])) << 16);
    }

    function _hash(uint256 v) private pure returns (uint256) {
        return (((v * 2654435769) & 0xffffffff) >> 19) & (_HASH_SIZE - 1);
    }

    function _literals(
        bytes calldata data,
        uint256 start,
        uint256 count,
        bytes memory out,
        uint256 o
    ) private pure returns (uint256) {
        while (count > 0) {
            uint256 run = count < 32 ? count : 32;
            out[o++] = bytes1(uint8(run - 1));
            for (uint256 k = 0; k < run; ++k) out[o++] = data[start + k];
            start += run;
            count -= run;
        }
        return o;
    }

    function _match(
        uint256 length,
        uint256 distance,
        bytes memory out,
        uint256 o
    ) private pure returns (uint256) {
        uint256 d = distance - 1;
        while (length >= 263) {
            out[o++] = bytes1(uint8(224 + (d >> 8)));
            out[o++] = bytes1(uint8(253));
            out[o++] = bytes1(uint8(d & 0xff));
            length -= 262;
        }
        if (length >= 7) {
            out[o++] = bytes1(uint8(224 + (d >> 8)));
            out[o++] = bytes1(uint8(length - 7));
            out[o++] = bytes1(uint8(d & 0xff));
        } else {
            out[o++] = bytes1(uint8((length << 5) + (d >> 8)));
            out[o++] = bytes1(uint8(d & 0xff));
        }
        return o;
    }
}
