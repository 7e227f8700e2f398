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

// Byte by byte: suffixes and stop words are a few letters, shorter than a call to memcmp.
bool same_bytes(const char* a, std::string_view b) {
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

}  // namespace

bool is_stop_word(std::string_view word) {
  constexpr std::size_t kLongest = 5;  // "these", "those"
  if (word.size() > kLongest) return false;
  return std::any_of(kStopWords.begin(), kStopWords.end(), [word](std::string_view stop) {
    return stop.size() == word.size() && same_bytes(word.data(), stop);
  });
}

namespace {

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

}  // namespace

bool is_word_char(char32_t c) {
  return is_ascii_alnum(c) || is_other_word_char(c);
}

// Lower case for ASCII, Latin-1 and the Latin blocks Vietnamese uses (upper case sits on even
// code points there); other scripts are left as they are.
char32_t to_lower(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  if (((c >= 0x100 && c <= 0x12F) || (c >= 0x1EA0 && c <= 0x1EF9)) && c % 2 == 0) return c + 1;
  return c;
}

namespace {

bool ends_with(const std::string& word, std::string_view suffix) {
  return word.size() >= suffix.size() &&
         same_bytes(word.data() + word.size() - suffix.size(), suffix);
}

bool has_vowel(std::string_view part) {
  return part.find_first_of("aeiouy") != std::string_view::npos;
}

// A finished Latin or other-script word (lower case): digits pass as they are, English words
// lose stop words and suffixes, other words pass whole.
void emit_word(std::string& word, bool ascii_letters_only, bool digits_only, TermSink sink) {
  if (digits_only) {
    sink(word);
    return;
  }
  if (ascii_letters_only) {
    if (is_stop_word(word)) return;
    stem_in_place(word);
  }
  sink(word);
}

// A run of Hangul syllables as UTF-8 bytes (three per syllable): its syllable bigrams, or the
// syllable of a one-syllable word.
void emit_hangul(std::string_view run, TermSink sink) {
  constexpr std::size_t kSyllableBytes = 3;
  if (run.size() == kSyllableBytes) {
    sink(run);
    return;
  }
  for (std::size_t at = 0; at + kSyllableBytes < run.size(); at += kSyllableBytes) {
    sink(run.substr(at, 2 * kSyllableBytes));
  }
}

}  // namespace

void stem_in_place(std::string& word) {
  if (word.size() <= 3) return;
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
}

std::string stem_english(std::string word) {
  stem_in_place(word);
  return word;
}

void for_each_term(std::string_view text, std::string_view field, TermSink sink) {
  std::string word;         // the Latin or other-script word being read, lower case
  std::size_t letters = 0;  // its code points
  bool ascii_letters_only = true;
  bool digits_only = true;
  std::size_t run_start = 0;  // the Hangul run being read: bytes [run_start, run_end) of text
  std::size_t run_end = 0;
  auto flush = [&] {
    if (letters >= 2) emit_word(word, ascii_letters_only, digits_only, sink);
    word.clear();
    letters = 0;
    ascii_letters_only = true;
    digits_only = true;
    if (run_end > run_start) emit_hangul(text.substr(run_start, run_end - run_start), sink);
    run_start = run_end = 0;
  };
  for (std::size_t next = 0; next < text.size();) {
    const std::size_t at = next;
    const auto byte = static_cast<unsigned char>(text[at]);
    char32_t c = byte;
    if (byte < 0x80) {
      ++next;
    } else {
      c = decode_next(text, next, field);
    }
    if (is_hangul_syllable(c)) {
      if (letters > 0 || run_end != at) flush();  // a word ends, or a new run starts
      if (run_end == run_start) run_start = at;
      run_end = next;
    } else if (is_word_char(c)) {
      if (run_end > run_start) flush();
      const char32_t lower = to_lower(c);
      if (lower < 0x80) {
        word.push_back(static_cast<char>(lower));
      } else {
        append_utf8(word, lower);
      }
      ++letters;
      const bool digit = c >= '0' && c <= '9';
      if (c >= 0x80 || digit) ascii_letters_only = false;
      if (!digit) digits_only = false;
    } else {
      flush();
    }
  }
  flush();
}

std::vector<std::string> tokenize(std::string_view text, std::string_view field) {
  std::vector<std::string> terms;
  auto keep = [&terms](std::string_view term) { terms.emplace_back(term); };
  for_each_term(text, field, keep);
  return terms;
}

}  // namespace sangdam::text
