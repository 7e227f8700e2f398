// Bearer tokens: random (256 bits from OpenSSL's CSPRNG), stored only as SHA-256 hashes,
// compared in constant time.
#pragma once

#include <string>
#include <string_view>

namespace sangdam::tokens {

// "<prefix>_<64 hex chars>", e.g. "sdo_3f9c..." for an organizer.
std::string issue(std::string_view prefix);

// Random identifier "<prefix>_<hex>" with bytes*8 bits of entropy (ids, not secrets).
std::string random_id(std::string_view prefix, int bytes = 8);

// Lower-case hex SHA-256 of text: what Redis stores instead of a token.
std::string sha256_hex(std::string_view text);

// Constant-time equality for secrets of any length (length difference leaks only the length).
bool equal(std::string_view a, std::string_view b);

}  // namespace sangdam::tokens
