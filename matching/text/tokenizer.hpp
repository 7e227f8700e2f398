// Terms of a profile text for matching, in Korean and English alike.
//
// - Hangul syllables (U+AC00..U+D7A3): Korean glues particles and compounds to words
//   ("임플란트를", "치과임플란트"), so whole words rarely repeat between a buyer and a company.
//   Overlapping syllable bigrams do: "치과임플란트" -> 치과 과임 임플 플란 란트. A one-syllable
//   word becomes its syllable.
// - Latin letters and digits: lower case, then a light suffix stripper (stem_english) so that
//   "monitors", "monitoring" and "monitored" meet; common English stop words are dropped, as are
//   single letters. Words with non-ASCII letters (Vietnamese, German) are lower-cased but kept
//   whole.
// - Everything else (spaces, punctuation, symbols) separates words.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sangdam::text {

// Receives the terms of a text one at a time. It refers to a callable that outlives it (a
// lambda at the call site); a term's view is only valid during the call.
class TermSink {
 public:
  template <class Receive>
  TermSink(Receive& receive)  // NOLINT: converts from any callable, like a function_ref
      : receiver_(&receive), call_([](void* receiver, std::string_view term) {
          (*static_cast<Receive*>(receiver))(term);
        }) {}
  void operator()(std::string_view term) const { call_(receiver_, term); }

 private:
  void* receiver_;
  void (*call_)(void*, std::string_view);
};

// Passes the terms of text to sink in text order (with repeats: the caller counts term
// frequency), without a string per term: the tokeniser of index builds. Throws
// sangdam::Error(kInvalidArgument, "invalid_utf8", ..., field) on invalid UTF-8; the terms
// before the invalid byte have been passed on by then.
void for_each_term(std::string_view text, std::string_view field, TermSink sink);

// The same terms as a list. Throws like for_each_term, having passed nothing on.
std::vector<std::string> tokenize(std::string_view text, std::string_view field = {});

// Porter-like suffix stripping for a lower-case ASCII word: plurals, -ing, -ed, -ly, -ness,
// -ment, -ation; words of three letters or fewer are left alone. Not a full Porter stemmer:
// it only has to send the forms of one word to the same term, not produce dictionary stems.
std::string stem_english(std::string word);
void stem_in_place(std::string& word);  // the same, on the word's own buffer

// The classification every term comes from (exposed for tests): a word character other than
// a Hangul syllable (ASCII letters and digits, letters of other scripts; not punctuation or
// symbols), its lower case, and the English stop words that are dropped.
bool is_word_char(char32_t c);
char32_t to_lower(char32_t c);
bool is_stop_word(std::string_view word);

// True for U+AC00..U+D7A3, the precomposed Hangul syllables.
inline bool is_hangul_syllable(char32_t c) {
  return c >= 0xAC00 && c <= 0xD7A3;
}

}  // namespace sangdam::text
