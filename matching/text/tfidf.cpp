#include "matching/text/tfidf.hpp"

#include <algorithm>
#include <cmath>

namespace sangdam::text {

TermId Vocabulary::intern(std::string_view term) {
  const auto found = ids_.find(std::string(term));
  if (found != ids_.end()) return found->second;
  const auto id = static_cast<TermId>(terms_.size());
  terms_.emplace_back(term);
  ids_.emplace(terms_.back(), id);
  return id;
}

std::optional<TermId> Vocabulary::find(std::string_view term) const {
  const auto found = ids_.find(std::string(term));
  if (found == ids_.end()) return std::nullopt;
  return found->second;
}

void DocumentFrequencies::add_document(std::vector<TermId> terms) {
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  for (TermId term : terms) {
    if (term >= frequency_.size()) frequency_.resize(term + 1, 0);
    ++frequency_[term];
  }
  ++documents_;
}

float DocumentFrequencies::idf(TermId term) const {
  const double df = term < frequency_.size() && frequency_[term] > 0 ? frequency_[term] : 1;
  return static_cast<float>(std::log((1.0 + static_cast<double>(documents_)) / (1.0 + df)) + 1.0);
}

TermVector weigh(std::vector<TermId> terms, const DocumentFrequencies& frequencies) {
  std::sort(terms.begin(), terms.end());
  TermVector vector;
  double norm = 0;
  for (std::size_t i = 0; i < terms.size();) {
    std::size_t j = i;
    while (j < terms.size() && terms[j] == terms[i]) ++j;
    const double weight = (1.0 + std::log(static_cast<double>(j - i))) * frequencies.idf(terms[i]);
    vector.terms.push_back(terms[i]);
    vector.weights.push_back(static_cast<float>(weight));
    norm += weight * weight;
    i = j;
  }
  if (norm > 0) {
    const auto scale = static_cast<float>(1.0 / std::sqrt(norm));
    for (float& w : vector.weights) w *= scale;
  }
  return vector;
}

float dot(const TermVector& a, const TermVector& b) {
  float sum = 0;
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.terms.size() && j < b.terms.size()) {
    if (a.terms[i] < b.terms[j]) {
      ++i;
    } else if (a.terms[i] > b.terms[j]) {
      ++j;
    } else {
      sum += a.weights[i++] * b.weights[j++];
    }
  }
  return sum;
}

}  // namespace sangdam::text
