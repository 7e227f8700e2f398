// UTF-8 decoding for the matcher's tokeniser. Profile texts arrive from registration systems
// and spreadsheets, so invalid bytes are a fact of life: they are rejected with the field
// named instead of being guessed at (a guessed byte would silently change what matches).
#pragma once

#include <string>
#include <string_view>

namespace sangdam::text {

// Code points of text. Throws sangdam::Error(kInvalidArgument, "invalid_utf8", ..., field) on
// a truncated sequence, a stray continuation byte, an overlong form, a surrogate or a value
// above U+10FFFF.
std::u32string decode_utf8(std::string_view text, std::string_view field = {});

// The code point that starts at byte `at` of text, moving `at` past it; the same checks and
// errors as decode_utf8 (the error names the byte offset in text). at < text.size().
char32_t decode_next(std::string_view text, std::size_t& at, std::string_view field = {});

// Appends the UTF-8 form of one valid code point.
void append_utf8(std::string& out, char32_t code_point);

}  // namespace sangdam::text
