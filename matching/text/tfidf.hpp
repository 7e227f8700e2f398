// TF-IDF over the texts of one trade event: a term's weight grows with its count in a text
// (sublinearly, 1 + ln tf) and with its rarity among the event's texts (smoothed IDF, the same
// formula as scikit-learn's TfidfVectorizer: ln((1 + N) / (1 + df)) + 1). Vectors are L2
// normalised, so the dot product of two vectors is their cosine similarity in [0, 1].
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sangdam::text {

using TermId = std::uint32_t;

// Term text <-> dense integer id, so that vectors and postings hold 4-byte ids, not strings.
class Vocabulary {
 public:
  TermId intern(std::string_view term);
  std::optional<TermId> find(std::string_view term) const;
  const std::string& term(TermId id) const { return terms_[id]; }
  std::size_t size() const { return terms_.size(); }

 private:
  std::vector<std::string> terms_;
  std::unordered_map<std::string, TermId> ids_;
};

// Document frequency of every term among the documents counted so far.
class DocumentFrequencies {
 public:
  // terms: the document's term ids, repeats allowed (each counts once per document).
  void add_document(std::vector<TermId> terms);
  // Smoothed inverse document frequency; a term never seen counts as seen in one document.
  float idf(TermId term) const;
  std::size_t documents() const { return documents_; }

 private:
  std::vector<std::uint32_t> frequency_;  // by term id
  std::size_t documents_ = 0;
};

// A sparse, L2-normalised TF-IDF vector: term ids ascending, one weight per id.
struct TermVector {
  std::vector<TermId> terms;
  std::vector<float> weights;

  bool empty() const { return terms.empty(); }
};

// Weighs a document given as term ids (repeats = term frequency).
TermVector weigh(std::vector<TermId> terms, const DocumentFrequencies& frequencies);

// Cosine similarity of two normalised vectors (a merge over the sorted ids).
float dot(const TermVector& a, const TermVector& b);

}  // namespace sangdam::text
