// Match scoring of one trade event: every buyer-company pair gets a score in [0, 100] per side
// made of explainable components (config.hpp), and every participant a top-K list of
// counterparts. Built once per event from all profiles; profile changes rescore one row (a
// buyer against every company) or one column (a company against every buyer) and report whose
// lists changed. docs/matching.md describes the components, the knobs and the mutual score.
//
// Not thread-safe for concurrent writers: the matcher serialises changes per event. Const
// members may be called from many threads while nobody writes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "matching/profile.hpp"
#include "matching/scoring/context.hpp"

namespace sangdam::scoring {

enum class Side { kBuyer, kCompany };

struct IndexState;  // features, postings and lists (index_state.hpp, internal)

struct Reason {
  std::string component;  // component_name(), or "must_meet"
  double contribution;    // points of the side's score this component gave (0..100)
  std::string text;       // a short sentence for the participant
};

struct PairScore {
  double buyer_score = 0;       // ranks the company in the buyer's list
  double company_score = 0;     // ranks the buyer in the company's leads
  double mutual = 0;            // what the scheduler maximises (docs/matching.md)
  bool removed = false;         // a hard filter or a wish took the pair out of every list
  std::string removed_why;      // "no_thanks", "met_before", "no_common_language"
  std::vector<Reason> reasons;  // strongest first, at most config.reasons_kept (+ must_meet)
};

// One entry of a participant's list: the counterpart's index and the side's score.
struct Ranked {
  std::uint32_t counterpart;
  float score;
  friend bool operator==(const Ranked&, const Ranked&) = default;
};
using TopList = std::vector<Ranked>;  // best first; ties broken by lower index

struct RescoreResult {
  TopList own;  // the changed participant's new list
  // Counterparts whose list changed (entered, left, moved, or rescored): indexes of companies
  // after a buyer change, of buyers after a company change. Ascending.
  std::vector<std::uint32_t> changed_counterparts;
};

class MatchIndex {
 public:
  // Indexes all profiles (term statistics for TF-IDF over every text of the event). Lists are
  // empty until full_recompute(). Throws sangdam::Error(kInvalidArgument) on invalid UTF-8 in
  // a text (field named) and kUnprocessable when the event exceeds a capacity (more than 512
  // taxonomy codes, 128 languages or 128 marks). Texts are tokenised on `threads` threads;
  // the index is the same for any count.
  MatchIndex(MatchContext context, std::vector<Buyer> buyers, std::vector<Company> companies,
             unsigned threads = 1);
  ~MatchIndex();
  MatchIndex(MatchIndex&&) noexcept;
  MatchIndex& operator=(MatchIndex&&) noexcept;

  // Scores and explains one pair; reasons are phrased for `side`.
  PairScore score_pair(std::size_t buyer, std::size_t company, Side side = Side::kBuyer) const;

  // Recomputes every list; `threads` worker threads (at least 1) share the buyers.
  void full_recompute(unsigned threads = 2);

  const std::vector<TopList>& buyer_lists() const;
  const std::vector<TopList>& company_lists() const;

  // Adds or replaces a profile (matched by id, or by external_id when id is empty), rescores
  // its row or column and updates every list it affects. Term statistics stay as they were
  // at construction (a new term counts as rare); build a new index to refresh them.
  RescoreResult upsert_buyer(Buyer buyer);
  RescoreResult upsert_company(Company company);

  std::size_t buyer_count() const;
  std::size_t company_count() const;
  const Buyer& buyer(std::size_t index) const;
  const Company& company(std::size_t index) const;
  std::optional<std::size_t> find_buyer(std::string_view id_or_external_id) const;
  std::optional<std::size_t> find_company(std::string_view id_or_external_id) const;
  const MatchContext& context() const;

  // TF-IDF cosine of the buyer's sought products and the company's products alone (the
  // text-only baseline the benchmark compares against).
  float text_similarity(std::size_t buyer, std::size_t company) const;

 private:
  std::unique_ptr<IndexState> state_;
};

}  // namespace sangdam::scoring
