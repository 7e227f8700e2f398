#include "matching/text/tfidf.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace sangdam::text {

namespace {

// FNV-1a: terms are a few bytes long, so a simple byte hash is as fast as any.
std::uint64_t hash_of(std::string_view term) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char ch : term) {
    hash ^= static_cast<unsigned char>(ch);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

}  // namespace

std::size_t Vocabulary::slot_of(std::string_view term, std::uint64_t hash) const {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t slot = hash & mask;; slot = (slot + 1) & mask) {
    if (slots_[slot] == 0 || this->term(slots_[slot] - 1) == term) return slot;
  }
}

void Vocabulary::grow() {
  constexpr std::size_t kFirstSlots = 1024;
  std::vector<std::uint32_t> old = std::move(slots_);
  slots_.assign(std::max(kFirstSlots, 2 * old.size()), 0);
  for (const std::uint32_t entry : old) {
    if (entry != 0) slots_[slot_of(term(entry - 1), hash_of(term(entry - 1)))] = entry;
  }
}

TermId Vocabulary::intern(std::string_view term) {
  // Kept at most half full, so that probes stay short.
  if (2 * (size() + 1) > slots_.size()) grow();
  const std::size_t slot = slot_of(term, hash_of(term));
  if (slots_[slot] != 0) return slots_[slot] - 1;
  if (bytes_.size() + term.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw std::length_error("vocabulary: more than 4 GiB of terms");
  }
  const auto id = static_cast<TermId>(size());
  bytes_.append(term);
  starts_.push_back(static_cast<std::uint32_t>(bytes_.size()));
  slots_[slot] = id + 1;
  return id;
}

std::optional<TermId> Vocabulary::find(std::string_view term) const {
  if (slots_.empty()) return std::nullopt;
  const std::size_t slot = slot_of(term, hash_of(term));
  if (slots_[slot] == 0) return std::nullopt;
  return slots_[slot] - 1;
}

DocumentFrequencies::DocumentFrequencies(std::vector<std::uint32_t> frequency,
                                         std::size_t documents)
    : frequency_(std::move(frequency)), documents_(documents) {
  weigh_terms();
}

void DocumentFrequencies::add_document(std::vector<TermId> terms) {
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  for (TermId term : terms) {
    if (term >= frequency_.size()) frequency_.resize(term + 1, 0);
    ++frequency_[term];
  }
  ++documents_;
  weigh_terms();
}

void DocumentFrequencies::weigh_terms() {
  auto idf_of = [this](double df) {
    return static_cast<float>(std::log((1.0 + static_cast<double>(documents_)) / (1.0 + df)) + 1.0);
  };
  idf_.resize(frequency_.size());
  for (std::size_t term = 0; term < frequency_.size(); ++term) {
    idf_[term] = idf_of(frequency_[term] > 0 ? frequency_[term] : 1);
  }
  unseen_ = idf_of(1);
}

namespace {

// 1 + ln(tf), the sublinear term frequency, for the small counts nearly every term has.
double sublinear_tf(std::size_t count) {
  constexpr std::size_t kTabled = 64;
  static const auto table = [] {
    std::array<double, kTabled> values{};
    for (std::size_t n = 1; n < kTabled; ++n) values[n] = 1.0 + std::log(static_cast<double>(n));
    return values;
  }();
  return count < kTabled ? table[count] : 1.0 + std::log(static_cast<double>(count));
}

}  // namespace

TermVector weigh(std::vector<TermId> terms, const DocumentFrequencies& frequencies) {
  std::sort(terms.begin(), terms.end());
  TermVector vector;
  double norm = 0;
  for (std::size_t i = 0; i < terms.size();) {
    std::size_t j = i;
    while (j < terms.size() && terms[j] == terms[i]) ++j;
    const double weight = sublinear_tf(j - i) * frequencies.idf(terms[i]);
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
