#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "matching/error.hpp"
#include "matching/text/tfidf.hpp"
#include "matching/text/tokenizer.hpp"
#include "matching/text/utf8.hpp"

using sangdam::text::tokenize;

namespace {
bool has(const std::vector<std::string>& terms, const std::string& term) {
  return std::find(terms.begin(), terms.end(), term) != terms.end();
}
}  // namespace

TEST_CASE("utf8: decodes and re-encodes Korean, rejects broken sequences") {
  const std::string ecg = "심전도";
  const auto code_points = sangdam::text::decode_utf8(ecg);
  REQUIRE(code_points.size() == 3);
  CHECK(code_points[0] == U'심');
  std::string back;
  for (char32_t c : code_points) sangdam::text::append_utf8(back, c);
  CHECK(back == ecg);

  for (const std::string& bad :
       {std::string("\xC3"), std::string("\xC0\xAF"),  // truncated, overlong
        std::string("\xED\xA0\x80"),                   // surrogate
        std::string("\xF4\x90\x80\x80"),               // above U+10FFFF
        std::string("ab\x80")}) {                      // stray byte
    try {
      sangdam::text::decode_utf8(bad, "products_sought");
      FAIL("accepted invalid UTF-8");
    } catch (const sangdam::Error& e) {
      CHECK(e.code() == sangdam::ErrorCode::kInvalidArgument);
      CHECK(e.reason() == "invalid_utf8");
      CHECK(e.field() == "products_sought");
    }
  }
}

TEST_CASE("tokenize: Hangul becomes syllable bigrams so particles and compounds still meet") {
  const auto with_particle = tokenize("치과임플란트를 찾습니다");
  const auto plain = tokenize("임플란트");
  CHECK(plain == std::vector<std::string>{"임플", "플란", "란트"});
  for (const auto& bigram : plain) CHECK(has(with_particle, bigram));
  CHECK(tokenize("뼈") == std::vector<std::string>{"뼈"});  // one syllable -> unigram
}

TEST_CASE("tokenize: English is lower-cased, stop words dropped, forms stemmed together") {
  const auto terms = tokenize("Wearable ECG monitors for the Hospitals");
  CHECK(has(terms, "ecg"));
  CHECK_FALSE(has(terms, "the"));
  CHECK_FALSE(has(terms, "for"));
  CHECK(tokenize("monitoring") == tokenize("monitors"));
  CHECK(tokenize("monitored") == tokenize("monitor"));
  CHECK(tokenize("devices") == tokenize("device"));
  CHECK(tokenize("implants") == tokenize("implant"));
  CHECK(tokenize("scanning") == tokenize("scan"));
}

TEST_CASE("tokenize: mixed scripts split at the script boundary, punctuation separates") {
  const auto terms = tokenize("AI기반 self-diagnosis, ISO13485");
  CHECK(has(terms, "ai"));
  CHECK(has(terms, "기반"));
  CHECK(has(terms, "self"));
  CHECK(has(terms, "diagnosis"));
  CHECK(has(terms, "iso13485"));
  CHECK(tokenize("  ,.;  ").empty());
  CHECK(tokenize("Máy đo") == std::vector<std::string>{"máy", "đo"});
}

TEST_CASE("tfidf: rare terms weigh more, vectors are normalised, dot is cosine") {
  sangdam::text::Vocabulary vocabulary;
  sangdam::text::DocumentFrequencies frequencies;
  auto ids = [&](const std::string& text) {
    std::vector<sangdam::text::TermId> out;
    for (const auto& t : tokenize(text)) out.push_back(vocabulary.intern(t));
    return out;
  };
  const auto a = ids("oxygen generator medical");
  const auto b = ids("medical device");
  const auto c = ids("medical bed");
  for (const auto& d : {a, b, c}) frequencies.add_document(d);
  const auto va = sangdam::text::weigh(a, frequencies);
  double norm = 0;
  for (float w : va.weights) norm += w * w;
  CHECK(std::abs(norm - 1.0) < 1e-5);
  const float common = frequencies.idf(*vocabulary.find("medical"));
  const float rare = frequencies.idf(*vocabulary.find("oxygen"));
  CHECK(rare > common);
  CHECK(std::abs(sangdam::text::dot(va, va) - 1.0f) < 1e-5f);
  const auto vb = sangdam::text::weigh(b, frequencies);
  const auto vq = sangdam::text::weigh(ids("oxygen"), frequencies);
  CHECK(sangdam::text::dot(vq, va) > sangdam::text::dot(vq, vb));
  CHECK(sangdam::text::dot(vq, vb) == 0.0f);
}
