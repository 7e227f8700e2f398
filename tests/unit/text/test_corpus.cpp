#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "matching/error.hpp"
#include "matching/text/corpus.hpp"
#include "matching/text/tfidf.hpp"
#include "matching/text/tokenizer.hpp"
#include "matching/text/utf8.hpp"

using namespace sangdam::text;

namespace {

// Texts mixing English, Korean, digits and other scripts, from a small word list so that
// terms repeat between documents.
std::vector<std::string> sample_texts(std::size_t count, unsigned seed) {
  const std::vector<std::string> words = {
      "Wearable", "ECG", "monitors",  "oxygen",   "generator", "치과임플란트를",
      "심전도",   "máy", "đo",        "ISO13485", "2023",      "devices",
      "scanning", "the", "Hospitals", "뼈",       "AI기반",    "self-diagnosis",
      "implants", "bed"};
  std::mt19937 rng(seed);
  std::vector<std::string> texts(count);
  for (auto& text : texts) {
    const int n = static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) {
      text += words[rng() % words.size()];
      text += (rng() % 4 == 0) ? ", " : " ";
    }
  }
  return texts;
}

Corpus corpus_of(const std::vector<std::string>& texts, unsigned threads) {
  return read_corpus(texts.size(), threads, [&texts](std::size_t d, TermSink sink) {
    for_each_term(texts[d], "text", sink);
  });
}

std::vector<std::string> terms_of(const Corpus& corpus, std::size_t d) {
  std::vector<std::string> out;
  for (TermId id : corpus.documents[d]) out.emplace_back(corpus.vocabulary.term(id));
  return out;
}

}  // namespace

// The tokeniser as first written, on decoded code points with a string per term: the
// reference the byte-level for_each_term is held to (same classification, stemming, stop
// words; independent run splitting, bigrams and letter counting).
std::vector<std::string> reference_terms(std::string_view text) {
  std::vector<std::string> terms;
  std::u32string word;
  bool hangul = false;
  auto flush = [&] {
    if (word.empty()) return;
    if (hangul && word.size() == 1) {
      std::string one;
      append_utf8(one, word[0]);
      terms.push_back(one);
    } else if (hangul) {
      for (std::size_t i = 0; i + 1 < word.size(); ++i) {
        std::string bigram;
        append_utf8(bigram, word[i]);
        append_utf8(bigram, word[i + 1]);
        terms.push_back(bigram);
      }
    } else if (word.size() >= 2) {
      std::string utf8;
      bool ascii_letters = true;
      bool digits = true;
      for (char32_t c : word) {
        append_utf8(utf8, c);
        const bool digit = c >= '0' && c <= '9';
        if (c >= 0x80 || digit) ascii_letters = false;
        if (!digit) digits = false;
      }
      if (digits) {
        terms.push_back(utf8);
      } else if (ascii_letters) {
        if (!is_stop_word(utf8)) terms.push_back(stem_english(utf8));
      } else {
        terms.push_back(utf8);
      }
    }
    word.clear();
  };
  for (char32_t c : decode_utf8(text)) {
    if (is_hangul_syllable(c)) {
      if (!hangul) flush();
      hangul = true;
      word.push_back(c);
    } else if (is_word_char(c)) {
      if (hangul) flush();
      hangul = false;
      word.push_back(to_lower(c));
    } else {
      flush();
    }
  }
  flush();
  return terms;
}

TEST_CASE("for_each_term passes the terms of the code-point reference, in order") {
  // Random texts from pieces that meet at every kind of boundary: Hangul next to Latin,
  // single letters and syllables, digits, stop words, other scripts, punctuation.
  const std::vector<std::string> pieces = {
      "치과",  "임플란트를", "뼈", "AI",       "a",    "I",        "ECG",    "monitors", "the",
      "These", "2023",       "7",  "ISO13485", "Máy",  "ĐO",       "Ärzte",  "x",        ",",
      " ",     "-",          "…",  "（",       "self", "scanning", "devices"};
  std::mt19937 rng(17);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    const int n = static_cast<int>(rng() % 9);
    for (int i = 0; i < n; ++i) text += pieces[rng() % pieces.size()];
    std::vector<std::string> passed;
    auto keep = [&passed](std::string_view term) { passed.emplace_back(term); };
    for_each_term(text, "text", keep);
    INFO(text);
    CHECK(passed == reference_terms(text));
  }
}

TEST_CASE("read_corpus: same ids, terms and frequencies for any thread count") {
  const auto texts = sample_texts(3000, 11);
  const Corpus one = corpus_of(texts, 1);
  REQUIRE(one.documents.size() == texts.size());
  for (std::size_t d = 0; d < texts.size(); ++d) CHECK(terms_of(one, d) == tokenize(texts[d]));
  // Ids follow the byte order of the terms.
  for (TermId id = 1; id < one.vocabulary.size(); ++id) {
    CHECK(one.vocabulary.term(id - 1) < one.vocabulary.term(id));
  }
  // Document frequencies are those of counting every document one by one.
  DocumentFrequencies counted;
  for (const auto& ids : one.documents) counted.add_document(ids);
  CHECK(one.frequencies.documents() == texts.size());
  for (TermId id = 0; id < one.vocabulary.size(); ++id) {
    CHECK(one.frequencies.idf(id) == counted.idf(id));
  }
  for (unsigned threads : {2u, 3u, 8u}) {
    const Corpus many = corpus_of(texts, threads);
    CHECK(many.documents == one.documents);
    REQUIRE(many.vocabulary.size() == one.vocabulary.size());
    for (TermId id = 0; id < one.vocabulary.size(); ++id) {
      CHECK(many.vocabulary.term(id) == one.vocabulary.term(id));
      CHECK(many.frequencies.idf(id) == one.frequencies.idf(id));
    }
  }
}

TEST_CASE("read_corpus: the first invalid document in order is the one reported") {
  auto texts = sample_texts(2000, 3);
  texts[1500] = "fine \xC3";
  texts[1700] = "\x80 also broken";
  for (unsigned threads : {1u, 2u, 4u}) {
    try {
      const std::vector<std::string>& all = texts;
      read_corpus(all.size(), threads, [&all](std::size_t d, TermSink sink) {
        for_each_term(all[d], "doc" + std::to_string(d), sink);
      });
      FAIL("accepted invalid UTF-8");
    } catch (const sangdam::Error& e) {
      CHECK(e.reason() == "invalid_utf8");
      CHECK(e.field() == "doc1500");
    }
  }
}

TEST_CASE("vocabulary: ids in order of first interning, across growth") {
  Vocabulary vocabulary;
  CHECK_FALSE(vocabulary.find("none").has_value());
  for (TermId i = 0; i < 5000; ++i) CHECK(vocabulary.intern("term" + std::to_string(i)) == i);
  CHECK(vocabulary.size() == 5000);
  for (int i = 0; i < 5000; i += 7) {
    CHECK(vocabulary.intern("term" + std::to_string(i)) == static_cast<TermId>(i));
    CHECK(vocabulary.find("term" + std::to_string(i)) == static_cast<TermId>(i));
    CHECK(vocabulary.term(static_cast<TermId>(i)) == "term" + std::to_string(i));
  }
  CHECK(vocabulary.intern("") == 5000);  // the empty term is a term like any other
  CHECK_FALSE(vocabulary.find("term5000").has_value());
}
