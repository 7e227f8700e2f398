#include "matching/text/corpus.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string_view>

#include "matching/parallel.hpp"

namespace sangdam::text {

namespace {

constexpr std::size_t kDocumentsPerChunk = 256;

// What one thread has read: its own term ids, and how many of its documents hold each term.
struct Reading {
  Vocabulary vocabulary;
  std::vector<std::uint32_t> frequency;    // by the reading's term id
  std::vector<std::size_t> last_document;  // the last document that counted the term
};

// One term as a reading knows it, for the merge.
struct ReadTerm {
  std::string_view term;
  std::uint32_t reading;
  TermId id;  // in that reading
};

// Reads document d into `reading`: its terms' ids (in that reading) into ids, and the term
// counts of the document frequencies (a term counts once per document).
void read_document(Reading& reading, std::size_t d, const ReadDocument& read,
                   std::vector<TermId>& ids) {
  auto add = [&](std::string_view term) {
    const TermId id = reading.vocabulary.intern(term);
    if (id == reading.frequency.size()) {
      reading.frequency.push_back(0);
      reading.last_document.push_back(std::numeric_limits<std::size_t>::max());
    }
    if (reading.last_document[id] != d) {
      reading.last_document[id] = d;
      ++reading.frequency[id];
    }
    ids.push_back(id);
  };
  read(d, add);
}

}  // namespace

Corpus read_corpus(std::size_t count, unsigned threads, const ReadDocument& read,
                   const std::function<void()>& alongside) {
  threads = std::max(1u, threads);
  Corpus corpus;
  corpus.documents.resize(count);
  std::vector<Reading> readings(threads);
  std::vector<std::uint32_t> reading_of(count);
  // Item 0 is `alongside`, handed out first like a chunk of documents; item i > 0 is document
  // i - 1. Its error, if any, comes first as item 0.
  const std::size_t first_document = alongside ? 1 : 0;
  for_each_index(first_document + count, threads, kDocumentsPerChunk,
                 [&](unsigned worker, std::size_t item) {
                   if (item < first_document) {
                     alongside();
                     return;
                   }
                   const std::size_t d = item - first_document;
                   reading_of[d] = worker;
                   read_document(readings[worker], d, read, corpus.documents[d]);
                 });

  // Every distinct term of every reading, in byte order: the corpus's ids.
  std::vector<ReadTerm> terms;
  std::vector<std::vector<TermId>> corpus_id(threads);
  for (std::uint32_t r = 0; r < threads; ++r) {
    const Vocabulary& vocabulary = readings[r].vocabulary;
    corpus_id[r].resize(vocabulary.size());
    for (TermId id = 0; id < vocabulary.size(); ++id) terms.push_back({vocabulary.term(id), r, id});
  }
  std::sort(terms.begin(), terms.end(),
            [](const ReadTerm& a, const ReadTerm& b) { return a.term < b.term; });
  std::vector<std::uint32_t> frequency;
  for (const ReadTerm& t : terms) {
    const TermId id = corpus.vocabulary.intern(t.term);
    if (id == frequency.size()) frequency.push_back(0);
    frequency[id] += readings[t.reading].frequency[t.id];
    corpus_id[t.reading][t.id] = id;
  }
  corpus.frequencies = DocumentFrequencies(std::move(frequency), count);
  for_each_index(count, threads, kDocumentsPerChunk, [&](unsigned, std::size_t d) {
    const std::vector<TermId>& to_corpus = corpus_id[reading_of[d]];
    for (TermId& id : corpus.documents[d]) id = to_corpus[id];
  });
  return corpus;
}

}  // namespace sangdam::text
