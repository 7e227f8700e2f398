#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "matching/error.hpp"
#include "matching/text/corpus.hpp"
#include "matching/text/tfidf.hpp"
#include "matching/text/tokenizer.hpp"

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

TEST_CASE("for_each_term passes the terms tokenize lists, in order") {
  for (const auto& text : sample_texts(200, 7)) {
    std::vector<std::string> passed;
    auto keep = [&passed](std::string_view term) { passed.emplace_back(term); };
    for_each_term(text, "text", keep);
    CHECK(passed == tokenize(text));
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
