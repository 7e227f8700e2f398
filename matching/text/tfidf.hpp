// TF-IDF over the texts of one trade event: a term's weight grows with its count in a text
// (sublinearly, 1 + ln tf) and with its rarity among the event's texts (smoothed IDF, the same
// formula as scikit-learn's TfidfVectorizer: ln((1 + N) / (1 + df)) + 1). Vectors are L2
// normalised, so the dot product of two vectors is their cosine similarity in [0, 1].
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sangdam::text {

using TermId = std::uint32_t;

// Term text <-> dense integer id, so that vectors and postings hold 4-byte ids, not strings.
// Ids are given in order of first interning. An open-addressing table over one buffer of term
// bytes: interning a term already known allocates nothing (index builds intern every term of
// every profile text).
class Vocabulary {
 public:
  TermId intern(std::string_view term);
  std::optional<TermId> find(std::string_view term) const;
  std::string_view term(TermId id) const {
    return std::string_view(bytes_).substr(starts_[id], starts_[id + 1] - starts_[id]);
  }
  std::size_t size() const { return starts_.size() - 1; }

 private:
  // The slot holding term, or the empty slot where it would go.
  std::size_t slot_of(std::string_view term, std::uint64_t hash) const;
  void grow();

  std::string bytes_;                     // every term, back to back
  std::vector<std::uint32_t> starts_{0};  // term id -> start in bytes_; one past the last
  std::vector<std::uint32_t> slots_;      // 0 empty, else id + 1; a power of two in size
};

// Document frequency of every term among the documents counted so far.
class DocumentFrequencies {
 public:
  DocumentFrequencies() = default;
  // From counts made elsewhere: frequency[term] documents of `documents` hold the term.
  DocumentFrequencies(std::vector<std::uint32_t> frequency, std::size_t documents);
  // terms: the document's term ids, repeats allowed (each counts once per document). Weighs
  // every term again (the document count changed): for small corpora; index builds count on
  // their threads and use the constructor.
  void add_document(std::vector<TermId> terms);
  // Smoothed inverse document frequency; a term never seen counts as seen in one document.
  float idf(TermId term) const { return term < idf_.size() ? idf_[term] : unseen_; }
  std::size_t documents() const { return documents_; }

 private:
  void weigh_terms();  // idf_ and unseen_ from the counts

  std::vector<std::uint32_t> frequency_;  // by term id
  std::size_t documents_ = 0;
  std::vector<float> idf_;  // by term id: every vector of an index build reads them
  float unseen_ = 1.0f;
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
