#include "matching/text/tokenizer.hpp"

#include <algorithm>
#include <array>

#include "matching/text/utf8.hpp"

namespace sangdam::text {

namespace {

// Words that carry no product meaning in profile texts; kept short on purpose (IDF already
// discounts frequent words, this only removes the very frequent glue).
constexpr std::array<std::string_view, 32> kStopWords = {
    "a",   "an",   "and",  "are",  "as",    "at",    "be",   "by",  "for", "from", "in",
    "is",  "it",   "its",  "of",   "on",    "or",    "our",  "the", "to",  "we",   "with",
    "you", "your", "that", "this", "these", "those", "will", "can", "has", "have"};

bool is_stop_word(std::string_view word) {
  return std::find(kStopWords.begin(), kStopWords.end(), word) != kStopWords.end();
}

bool is_ascii_alnum(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Letters of other scripts count as word characters; the blocks below are punctuation and
// symbols (general punctuation, arrows, maths, box drawing, CJK punctuation, full-width forms).
bool is_other_word_char(char32_t c) {
  if (c < 0xC0 || c == 0xD7 || c == 0xF7) return false;
  if (c >= 0x2000 && c <= 0x2BFF) return false;
  if (c >= 0x3000 && c <= 0x303F) return false;
  if (c >= 0xFE30 && c <= 0xFE4F) return false;
  if (c >= 0xFF00 && c <= 0xFF0F) return false;
  return !is_hangul_syllable(c);
}

// Lower case for ASCII, Latin-1 and the Latin blocks Vietnamese uses (upper case sits on even
// code points there); other scripts are left as they are.
char32_t to_lower(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  if (((c >= 0x100 && c <= 0x12F) || (c >= 0x1EA0 && c <= 0x1EF9)) && c % 2 == 0) return c + 1;
  return c;
}

bool ends_with(const std::string& word, std::string_view suffix) {
  return word.size() >= suffix.size() &&
         std::string_view(word).substr(word.size() - suffix.size()) == suffix;
}

bool has_vowel(std::string_view part) {
  return part.find_first_of("aeiouy") != std::string_view::npos;
}

void emit_latin(const std::u32string& word, std::vector<std::string>& terms) {
  std::string utf8;
  bool ascii_letters_only = true;
  bool digits_only = true;
  for (char32_t c : word) {
    append_utf8(utf8, c);
    if (c >= 0x80 || (c >= '0' && c <= '9')) ascii_letters_only = false;
    if (!(c >= '0' && c <= '9')) digits_only = false;
  }
  if (word.size() < 2) return;  // single letters and digits carry no product meaning
  if (digits_only) {
    terms.push_back(std::move(utf8));
    return;
  }
  if (ascii_letters_only) {
    if (is_stop_word(utf8)) return;
    terms.push_back(stem_english(std::move(utf8)));
    return;
  }
  terms.push_back(std::move(utf8));
}

void emit_hangul(const std::u32string& run, std::vector<std::string>& terms) {
  if (run.size() == 1) {
    std::string one;
    append_utf8(one, run[0]);
    terms.push_back(std::move(one));
    return;
  }
  for (std::size_t i = 0; i + 1 < run.size(); ++i) {
    std::string bigram;
    append_utf8(bigram, run[i]);
    append_utf8(bigram, run[i + 1]);
    terms.push_back(std::move(bigram));
  }
}

}  // namespace

std::string stem_english(std::string word) {
  if (word.size() <= 3) return word;
  auto strip = [&word](std::size_t n, std::string_view add = {}) {
    word.resize(word.size() - n);
    word.append(add);
  };
  // Plurals first, so that "monitorings" and "diagnostics" reduce further below.
  if (ends_with(word, "sses")) {
    strip(2);
  } else if (ends_with(word, "ies") && word.size() > 4) {
    strip(3, "y");
  } else if (ends_with(word, "s") && !ends_with(word, "ss") && !ends_with(word, "us") &&
             !ends_with(word, "is")) {
    strip(1);
  }
  struct Suffix {
    std::string_view text;
    std::string_view replacement;
  };
  // Longest first; a suffix is stripped only if at least three letters with a vowel remain.
  constexpr std::array<Suffix, 7> kSuffixes = {{{"ational", "ate"},
                                                {"ation", "ate"},
                                                {"ness", ""},
                                                {"ment", ""},
                                                {"ing", ""},
                                                {"ed", ""},
                                                {"ly", ""}}};
  for (const auto& suffix : kSuffixes) {
    if (!ends_with(word, suffix.text)) continue;
    const std::string_view rest =
        std::string_view(word).substr(0, word.size() - suffix.text.size());
    if (rest.size() >= 3 && has_vowel(rest)) {
      strip(suffix.text.size(), suffix.replacement);
      // "monitorring" does not happen in English, "shipped"/"fitted" do: undouble.
      const auto n = word.size();
      if (suffix.text == "ing" || suffix.text == "ed") {
        if (n >= 2 && word[n - 1] == word[n - 2] && word[n - 1] != 'l' && word[n - 1] != 's' &&
            word[n - 1] != 'z') {
          word.pop_back();
        }
      }
    }
    break;
  }
  if (ends_with(word, "e") && word.size() > 4) word.pop_back();  // "device"/"devic(ing)" meet
  return word;
}

std::vector<std::string> tokenize(std::string_view text, std::string_view field) {
  const std::u32string code_points = decode_utf8(text, field);
  std::vector<std::string> terms;
  std::u32string word;
  bool word_is_hangul = false;
  auto flush = [&] {
    if (word.empty()) return;
    if (word_is_hangul) {
      emit_hangul(word, terms);
    } else {
      emit_latin(word, terms);
    }
    word.clear();
  };
  for (char32_t c : code_points) {
    if (is_hangul_syllable(c)) {
      if (!word_is_hangul) flush();
      word_is_hangul = true;
      word.push_back(c);
    } else if (is_ascii_alnum(c) || is_other_word_char(c)) {
      if (word_is_hangul) flush();
      word_is_hangul = false;
      word.push_back(to_lower(c));
    } else {
      flush();
    }
  }
  flush();
  return terms;
}

}  // namespace sangdam::text
