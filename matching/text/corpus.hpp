// The terms of all the texts of a trade event, read on several threads: every document's term
// ids, the vocabulary and the document frequencies that weigh them (tfidf.hpp).
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "matching/text/tfidf.hpp"
#include "matching/text/tokenizer.hpp"

namespace sangdam::text {

struct Corpus {
  Vocabulary vocabulary;
  DocumentFrequencies frequencies;
  std::vector<std::vector<TermId>> documents;  // term ids in text order, with repeats
};

// Passes the terms of one document (all of its texts, e.g. through for_each_term) to sink.
using ReadDocument = std::function<void(std::size_t document, TermSink sink)>;

// Reads documents 0..count-1 on `threads` threads. Each thread interns into a vocabulary of its
// own; the vocabularies are then merged with ids in the byte order of the terms, so that ids,
// vectors and scores do not depend on the thread count or on which thread read what. An error
// of a document is rethrown: the first in document order.
// `alongside`, when given, runs once on one of the threads while the others read: work of the
// caller that does not need the terms.
Corpus read_corpus(std::size_t count, unsigned threads, const ReadDocument& read,
                   const std::function<void()>& alongside = {});

}  // namespace sangdam::text
