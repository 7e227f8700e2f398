#include "matching/scoring/match_index.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <numeric>
#include <thread>

#include "matching/error.hpp"
#include "matching/parallel.hpp"
#include "matching/scoring/index_state.hpp"
#include "matching/scoring/pair_kernel.hpp"
#include "matching/scoring/row_kernel.hpp"
#include "matching/scoring/top_k.hpp"
#include "matching/text/corpus.hpp"
#include "matching/text/tokenizer.hpp"

namespace sangdam::scoring {

namespace {

// Marks are written in many ways ("ISO 13485", "iso-13485"): compare them without case,
// spaces, dots or dashes.
std::string mark_key(std::string_view mark) {
  std::string key;
  for (char ch : mark) {
    if (ch == ' ' || ch == '-' || ch == '.' || ch == '_') continue;
    key.push_back(ch >= 'a' && ch <= 'z' ? static_cast<char>(ch - 32) : ch);
  }
  return key;
}

Weights to_points(const Weights& weights) {
  const float sum = std::accumulate(weights.begin(), weights.end(), 0.0f);
  Weights points{};
  for (std::size_t i = 0; i < kComponentCount; ++i) points[i] = weights[i] * 100.0f / sum;
  return points;
}

std::string key_of(const std::string& id, const std::string& external_id) {
  return id.empty() ? external_id : id;
}

}  // namespace

std::uint32_t Universe::intern(std::string_view name) {
  if (const auto id = names_.find(name)) return *id;
  if (names_.size() >= capacity_) {
    throw Error(
        ErrorCode::kUnprocessable, reason_,
        "the matcher handles at most " + std::to_string(capacity_) + " " + what_ + " per event");
  }
  return names_.intern(name);
}

void apply_wishes(const MatchConfig& config, std::uint8_t wishes, float& buyer_score,
                  float& company_score) {
  if (buyer_score == kRemoved) return;
  if ((wishes & kNoThanks) && config.remove_no_thanks) {
    buyer_score = company_score = kRemoved;
    return;
  }
  if (wishes & kMustMeet) {
    buyer_score = std::max(buyer_score, config.must_meet_score);
    company_score = std::min(100.0f, company_score + config.must_meet_company_bonus);
    return;
  }
  if ((wishes & kMetBefore) && config.remove_met_before) buyer_score = company_score = kRemoved;
}

BuyerLane lane_of(IndexState& s, const BuyerFeatures& f) {
  BuyerLane lane;
  lane.category_class = s.buyer_categories.intern(categories_of(f));
  lane.required_class = s.required_marks.intern(f.required_marks);
  lane.language_class = s.buyer_languages.intern(languages_of(f));
  lane.budget_usd = f.budget_usd;
  lane.country = f.country;
  lane.tier = f.tier;
  lane.type = f.type;
  return lane;
}

CompanyLane lane_of(IndexState& s, const CompanyFeatures& f) {
  CompanyLane lane;
  lane.targets = f.targets;
  lane.category_class = s.company_categories.intern(categories_of(f));
  lane.mark_class = s.held_marks.intern(f.marks);
  lane.language_class = s.company_languages.intern(f.languages);
  lane.min_deal_usd = f.min_deal_usd;
  lane.cluster = f.cluster;
  lane.has_targets = f.has_targets;
  return lane;
}

PairValues IndexState::values(std::uint32_t buyer, std::uint32_t company, float text) const {
  const BuyerLane& b = buyer_lanes[buyer];
  const CompanyLane& c = company_lanes[company];
  const BuyerFeatures& bf = buyer_features[buyer];
  const CompanyFeatures& cf = company_features[company];
  const TableValues looked_up{
      category_value(rules, categories_of(bf), categories_of(cf), category_words),
      marks_value(bf.required_marks, bf.inverse_required, cf.marks),
      cluster_tier_value(rules, c.cluster, b.tier),
      language_fit(rules, languages_of(bf), cf.languages),
      buyer_type_value(rules, b.type, c.cluster)};
  return pair_values(rules, b, c, text, looked_up);
}

namespace {

// Adds query weight x posting weight into text[document] for every term of the query, in
// ascending term order: the order text::dot() sums in, so the similarity is the same float.
void accumulate(const text::TermVector& query, const std::vector<std::vector<Posting>>& postings,
                std::size_t documents, std::vector<float>& text) {
  text.assign(documents, 0.0f);
  for (std::size_t i = 0; i < query.terms.size(); ++i) {
    if (query.terms[i] >= postings.size()) continue;
    const float w = query.weights[i];
    float* out = text.data();
    for (const Posting& p : postings[query.terms[i]]) out[p.document] += w * p.weight;
  }
}

}  // namespace

void IndexState::row_text(std::uint32_t buyer, std::vector<float>& text) const {
  accumulate(buyer_features[buyer].text, company_postings, companies.size(), text);
}

void IndexState::column_text(std::uint32_t company, std::vector<float>& text) const {
  // Products commute: posting (buyer) weight x company weight is the same float as the
  // buyer x company product of text::dot().
  accumulate(company_features[company].text, buyer_postings, buyers.size(), text);
}

namespace {

using State = IndexState;

// Passes the terms of a company's texts (every product's name and description) to sink, in
// order. The field of an invalid text is named only when there is one.
void read_company(const Company& company, text::TermSink sink) {
  for (std::size_t i = 0; i < company.products.size(); ++i) {
    const auto& product = company.products[i];
    std::string_view part = "name";
    try {
      text::for_each_term(product.name, {}, sink);
      part = "description";
      text::for_each_term(product.description, {}, sink);
    } catch (const Error& e) {
      throw Error(e.code(), e.reason(), e.what(),
                  "products[" + std::to_string(i) + "]." + std::string(part));
    }
  }
}

void read_buyer(const Buyer& buyer, text::TermSink sink) {
  text::for_each_term(buyer.products_sought, "products_sought", sink);
}

// The term ids of one profile's texts, interned once the whole text has been read: a profile
// with an invalid text adds nothing to the vocabulary.
template <class Profile>
std::vector<text::TermId> term_ids(State& s, const Profile& profile,
                                   void (*read)(const Profile&, text::TermSink)) {
  std::vector<std::string> terms;
  auto keep = [&terms](std::string_view term) { terms.emplace_back(term); };
  read(profile, keep);
  std::vector<text::TermId> ids;
  ids.reserve(terms.size());
  for (const auto& term : terms) ids.push_back(s.vocabulary.intern(term));
  return ids;
}

// Runs work(d) for d in [0, documents) on `threads` threads, in chunks (parallel.hpp).
template <class Work>
void for_each_document(std::size_t documents, unsigned threads, Work&& work) {
  constexpr std::size_t kChunk = 256;
  for_each_index(documents, threads, kChunk, [&work](unsigned, std::size_t d) { work(d); });
}

void set_categories(const State& s, const std::vector<std::string>& codes, CategorySet& exact,
                    CategorySet* ancestors, CategorySet& branch) {
  for (const auto& code : codes) {
    const auto bit = s.categories.find(code);
    if (!bit) continue;  // intake validates codes; an unknown one simply does not match
    exact.set(*bit);
    if (const auto top = s.category_branch[*bit]) branch.set(*top);
    if (ancestors != nullptr) *ancestors |= s.category_lineage[*bit];
  }
}

// Fills State::category_lineage and category_branch from the taxonomy.
void read_lineage(State& s) {
  const Taxonomy& taxonomy = s.context.taxonomy;
  s.category_lineage.assign(s.categories.size(), CategorySet{});
  s.category_branch.assign(s.categories.size(), std::nullopt);
  for (std::uint32_t bit = 0; bit < s.categories.size(); ++bit) {
    const std::string code(s.categories.name(bit));
    s.category_branch[bit] = s.categories.find(taxonomy.branch_of(code));
    for (const Category* node = taxonomy.find(code); node != nullptr;
         node = node->parent.empty() ? nullptr : taxonomy.find(node->parent)) {
      if (const auto up = s.categories.find(node->code)) s.category_lineage[bit].set(*up);
    }
  }
}

float usd(const State& s, const std::optional<Money>& money) {
  if (!money) return -1;
  const auto rate = s.context.config.usd_per_unit.find(money->currency);
  if (rate == s.context.config.usd_per_unit.end()) return -1;
  return static_cast<float>(static_cast<double>(money->hundredths) / 100.0 * rate->second);
}

// Features that do not depend on term statistics; the text vector is filled by the caller.
// The features of a buyer that only read the index (categories, taxonomy keywords in its
// text, the weighted text): building an index computes them on several threads.
BuyerFeatures buyer_text_features(const State& s, const Buyer& buyer,
                                  const std::vector<text::TermId>& terms) {
  BuyerFeatures f;
  set_categories(s, buyer.categories, f.exact, nullptr, f.branch);
  std::vector<text::TermId> sorted = terms;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  for (const text::TermId first : sorted) {
    if (first >= s.rules_by_first_term.size()) break;  // ascending: no later term starts a rule
    for (const std::uint32_t r : s.rules_by_first_term[first]) {
      const KeywordRule& rule = s.keyword_rules[r];
      const bool all = std::all_of(rule.terms.begin(), rule.terms.end(), [&](text::TermId t) {
        return std::binary_search(sorted.begin(), sorted.end(), t);
      });
      if (all) f.keyword.set(rule.category);
    }
  }
  f.text = text::weigh(terms, s.frequencies);
  return f;
}

// A name interned beforehand by intern_names().
std::uint32_t id_of(const Universe& universe, std::string_view name) {
  return *universe.find(name);
}

// Interns the names a buyer's features are made of (languages, marks, country), in the order
// buyer_features() reads them. Called in buyer order, before the features are computed on the
// threads, so that ids do not depend on the threads.
void intern_names(State& s, const Buyer& buyer) {
  for (const auto& language : buyer.languages) s.languages.intern(language);
  if (!s.interpreter_ids) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> ids;  // kept only if all intern
    for (const auto& [a, b] : s.context.interpreters.pairs()) {
      const auto ia = s.languages.intern(a);
      ids.emplace_back(ia, s.languages.intern(b));
    }
    s.interpreter_ids = std::move(ids);
  }
  for (const auto& mark : buyer.certifications) s.marks.intern(mark_key(mark));
  if (!buyer.country.empty()) s.countries.intern(buyer.country);
  if (const Market* market = s.context.markets.find(buyer.country)) {
    for (const auto& mark : market->required_marks) s.marks.intern(mark_key(mark));
  }
}

// The rest of a buyer's features, from names intern_names() has interned.
BuyerFeatures buyer_features(const State& s, const Buyer& buyer, BuyerFeatures f) {
  for (const auto& language : buyer.languages) f.languages.set(id_of(s.languages, language));
  for (const auto& [ia, ib] : *s.interpreter_ids) {
    if (f.languages.test(ia)) f.reachable.set(ib);
    if (f.languages.test(ib)) f.reachable.set(ia);
  }
  for (const auto& mark : buyer.certifications) {
    f.required_marks.set(id_of(s.marks, mark_key(mark)));
  }
  if (!buyer.country.empty()) {
    f.country = static_cast<std::uint16_t>(id_of(s.countries, buyer.country));
  }
  if (const Market* market = s.context.markets.find(buyer.country)) {
    f.tier = static_cast<std::int8_t>(market->tier);
    for (const auto& mark : market->required_marks) {
      f.required_marks.set(id_of(s.marks, mark_key(mark)));
    }
  }
  f.inverse_required = inverse_count(f.required_marks);
  f.type = static_cast<std::uint8_t>(buyer.type);
  f.budget_usd = usd(s, buyer.budget_max ? buyer.budget_max : buyer.budget_min);
  return f;
}

// As for buyers: what reads the index only.
CompanyFeatures company_text_features(const State& s, const Company& company,
                                      const std::vector<text::TermId>& terms) {
  CompanyFeatures f;
  set_categories(s, company.categories, f.exact, &f.ancestors, f.branch);
  f.text = text::weigh(terms, s.frequencies);
  return f;
}

// As for buyers: the names of a company's features, interned in company order.
void intern_names(State& s, const Company& company) {
  for (const auto& market : company.target_markets) s.countries.intern(market);
  for (const auto& mark : company.certifications) s.marks.intern(mark_key(mark));
  for (const auto& product : company.products) {
    for (const auto& mark : product.certifications) s.marks.intern(mark_key(mark));
  }
  for (const auto& language : company.languages) s.languages.intern(language);
}

CompanyFeatures company_features(const State& s, const Company& company, CompanyFeatures f) {
  for (const auto& market : company.target_markets) f.targets.set(id_of(s.countries, market));
  f.has_targets = !company.target_markets.empty();
  for (const auto& mark : company.certifications) f.marks.set(id_of(s.marks, mark_key(mark)));
  for (const auto& product : company.products) {
    for (const auto& mark : product.certifications) f.marks.set(id_of(s.marks, mark_key(mark)));
  }
  for (const auto& language : company.languages) f.languages.set(id_of(s.languages, language));
  f.cluster = company.cluster == ClusterType::kUnknown ? kUnknown
                                                       : static_cast<std::int8_t>(company.cluster);
  f.min_deal_usd = usd(s, company.min_deal);
  return f;
}

void add_postings(std::vector<std::vector<Posting>>& postings, std::uint32_t document,
                  const text::TermVector& vector) {
  for (std::size_t i = 0; i < vector.terms.size(); ++i) {
    if (vector.terms[i] >= postings.size()) postings.resize(vector.terms[i] + 1);
    postings[vector.terms[i]].push_back({document, vector.weights[i]});
  }
}

void remove_postings(std::vector<std::vector<Posting>>& postings, std::uint32_t document,
                     const text::TermVector& vector) {
  for (auto term : vector.terms) {
    auto& list = postings[term];
    list.erase(std::remove_if(list.begin(), list.end(),
                              [document](const Posting& p) { return p.document == document; }),
               list.end());
  }
}

void register_keys(std::unordered_map<std::string, std::uint32_t>& keys, std::uint32_t index,
                   const std::string& id, const std::string& external_id) {
  if (!id.empty()) keys[id] = index;
  if (!external_id.empty()) keys[external_id] = index;
}

// Resolves a buyer's wishes to company indexes; names not registered yet wait in
// pending_wishes until that company arrives.
void resolve_wishes(State& s, std::uint32_t buyer) {
  const Buyer& profile = s.buyers[buyer];
  std::vector<std::pair<std::uint32_t, std::uint8_t>> wishes;
  auto add = [&](const std::vector<std::string>& names, std::uint8_t bit) {
    for (const auto& name : names) {
      const auto found = s.company_keys.find(name);
      if (found == s.company_keys.end()) {
        auto& waiting = s.pending_wishes[name];
        if (std::find(waiting.begin(), waiting.end(), buyer) == waiting.end()) {
          waiting.push_back(buyer);
        }
        continue;
      }
      wishes.emplace_back(found->second, bit);
    }
  };
  add(profile.must_meet, kMustMeet);
  add(profile.no_thanks, kNoThanks);
  add(profile.met_before, kMetBefore);
  std::sort(wishes.begin(), wishes.end());
  std::vector<std::pair<std::uint32_t, std::uint8_t>> merged;
  for (const auto& [company, bit] : wishes) {
    if (!merged.empty() && merged.back().first == company) {
      merged.back().second |= bit;
    } else {
      merged.emplace_back(company, bit);
    }
  }
  // Replace this buyer's entries in the column view.
  for (const auto& [company, bits] : s.buyer_features[buyer].wishes) {
    auto& column = s.company_wishes[company];
    column.erase(std::remove_if(column.begin(), column.end(),
                                [buyer](const auto& entry) { return entry.first == buyer; }),
                 column.end());
  }
  for (const auto& [company, bits] : merged) s.company_wishes[company].emplace_back(buyer, bits);
  s.buyer_features[buyer].wishes = std::move(merged);
}

// Entries kept beyond K in every ranking, so that a counterpart leaving a full list is
// replaced from the reserve instead of by rescoring the whole row or column. Each change
// takes at most one entry out of a ranking; a ranking whose reserve runs dry is rescored.
constexpr std::size_t kReserveBeyondK = 16;

// Table sizes of the looked-up components of a column: MarketTier values plus one slot for
// unknown, and the BuyerType values.
constexpr std::size_t kTierSlots = 4;
constexpr std::size_t kBuyerTypes = 8;

std::size_t ranking_capacity(const State& s) {
  return s.context.config.top_k + kReserveBeyondK;
}

// The two side scores of every company for one buyer, by company index, wishes applied
// (kRemoved for removed pairs); `text` from row_text.
void score_row(const State& s, std::uint32_t buyer, const std::vector<float>& text,
               std::vector<float>& buyer_side, std::vector<float>& company_side) {
  buyer_side.resize(s.companies.size());
  company_side.resize(s.companies.size());
  RowTables tables;
  fill_row_tables(s, buyer, tables);
  row_kernel_detail::score_companies_scalar(s, buyer, tables, text.data(), buyer_side.data(),
                                            company_side.data());
  for (const auto& [company, bits] : s.buyer_features[buyer].wishes) {
    apply_wishes(s.context.config, bits, buyer_side[company], company_side[company]);
  }
}

// The two side scores of every buyer for one company, wishes applied; `text` from
// column_text.
void score_column(const State& s, std::uint32_t company, const std::vector<float>& text,
                  std::vector<float>& buyer_side, std::vector<float>& company_side) {
  const PairRules rules = s.rules;
  const CompanyLane c = s.company_lanes[company];
  const CompanyFeatures& features = s.company_features[company];
  const std::size_t n = s.buyers.size();
  buyer_side.resize(n);
  company_side.resize(n);
  // This company's values by buyer class, by tier + 1 (0: unknown) and by buyer type.
  std::vector<float> category(s.buyer_categories.size());
  const CompanyCategories offered = categories_of(features);
  for (std::uint32_t i = 0; i < category.size(); ++i) {
    category[i] = category_value(rules, s.buyer_categories.key(i), offered, s.category_words);
  }
  std::vector<float> marks(s.required_marks.size());
  for (std::uint32_t i = 0; i < marks.size(); ++i) {
    const SmallSet& required = s.required_marks.key(i);
    marks[i] = marks_value(required, inverse_count(required), features.marks);
  }
  std::vector<LanguageFit> language(s.buyer_languages.size());
  for (std::uint32_t i = 0; i < language.size(); ++i) {
    language[i] = language_fit(rules, s.buyer_languages.key(i), features.languages);
  }
  std::array<float, kTierSlots> cluster_tier{};
  for (std::size_t slot = 0; slot < kTierSlots; ++slot) {
    cluster_tier[slot] =
        cluster_tier_value(rules, c.cluster, static_cast<std::int8_t>(static_cast<int>(slot) - 1));
  }
  std::array<float, kBuyerTypes> buyer_type{};
  for (std::size_t type = 0; type < kBuyerTypes; ++type) {
    buyer_type[type] = buyer_type_value(rules, static_cast<std::uint8_t>(type), c.cluster);
  }
  const BuyerLane* lanes = s.buyer_lanes.data();
  const float* similarity = text.data();
  float* buyer_out = buyer_side.data();
  float* company_out = company_side.data();
  for (std::size_t b = 0; b < n; ++b) {
    const BuyerLane& lane = lanes[b];
    const TableValues looked_up{category[lane.category_class], marks[lane.required_class],
                                cluster_tier[static_cast<std::size_t>(lane.tier + 1)],
                                language[lane.language_class], buyer_type[lane.type]};
    const SideScores scores =
        side_scores(rules, pair_values(rules, lane, c, similarity[b], looked_up));
    buyer_out[b] = scores.buyer;
    company_out[b] = scores.company;
  }
  for (const auto& [buyer, bits] : s.company_wishes[company]) {
    apply_wishes(s.context.config, bits, buyer_side[buyer], company_side[buyer]);
  }
}

// The best `capacity` candidates of a row or column of scores.
RankedList rank(const std::vector<float>& scores, std::size_t capacity) {
  TopKeeper keeper(capacity);
  float floor = kRemoved;  // scores come in index order: an equal score later never wins
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (scores[i] > floor) {
      keeper.offer(static_cast<std::uint32_t>(i), scores[i]);
      if (keeper.full()) floor = keeper.worst().score;
    }
  }
  RankedList ranking;
  ranking.exhaustive = !keeper.full();
  ranking.entries = keeper.take();
  return ranking;
}

// Makes `shown` the first k entries of `ranking`; returns whether it changed.
bool show(TopList& shown, const RankedList& ranking, std::size_t k) {
  const std::size_t n = std::min(k, ranking.entries.size());
  if (shown.size() == n && std::equal(shown.begin(), shown.end(), ranking.entries.begin())) {
    return false;
  }
  shown.assign(ranking.entries.begin(), ranking.entries.begin() + static_cast<std::ptrdiff_t>(n));
  return true;
}

// Brings a ranking up to date after `changed`'s score in it became `score` (kRemoved: not a
// candidate any more). The entries stay the exact best of the ranking; they may get shorter
// when the changed counterpart drops below what is known. Returns whether entries changed.
bool repair(RankedList& ranking, std::size_t capacity, std::uint32_t changed, float score) {
  TopList& entries = ranking.entries;
  // Most rankings do not hold the changed participant (a company change visits all 20,000
  // buyers' rankings): a scan without early exit, which the compiler vectorises, rules that
  // out before any search.
  unsigned holds = 0;
  for (const Ranked& r : entries) holds |= static_cast<unsigned>(r.counterpart == changed);
  const auto at =
      holds == 0 ? entries.end()
                 : std::find_if(entries.begin(), entries.end(),
                                [changed](const Ranked& r) { return r.counterpart == changed; });
  const bool candidate = score != kRemoved;
  if (at == entries.end() && !candidate) return false;
  const bool present = at != entries.end();
  if (present) entries.erase(at);  // the rest are still the exact best of the others
  const Ranked entry{changed, score};
  // Without every candidate at hand, an entry ranking after the last known one has an unknown
  // place: it stays out, like every other unknown candidate.
  const bool placed = candidate && (ranking.exhaustive ||
                                    (!entries.empty() && ranks_before(entry, entries.back())));
  if (placed) {
    entries.insert(std::upper_bound(entries.begin(), entries.end(), entry, RanksBefore{}), entry);
    if (entries.size() > capacity) {
      entries.pop_back();
      ranking.exhaustive = false;
    }
  }
  return present || placed;
}

// A ranking that knows fewer than k entries without holding every candidate cannot show a
// full list: it must be recomputed.
bool needs_rescore(const RankedList& ranking, std::size_t k) {
  return !ranking.exhaustive && ranking.entries.size() < k;
}

// After one participant's row (a buyer) or column (a company) was scored: stores its own
// ranking and repairs every counterpart's, rescoring a counterpart whose reserve ran dry.
// buyer_side/company_side: the scores by counterpart index.
RescoreResult rescore(State& s, std::uint32_t index, Side side,
                      const std::vector<float>& buyer_side,
                      const std::vector<float>& company_side) {
  const bool buyer_changed = side == Side::kBuyer;
  const std::size_t k = s.context.config.top_k;
  const std::size_t capacity = ranking_capacity(s);
  auto& own_rankings = buyer_changed ? s.buyer_rankings : s.company_rankings;
  auto& own_lists = buyer_changed ? s.buyer_lists : s.company_lists;
  auto& their_rankings = buyer_changed ? s.company_rankings : s.buyer_rankings;
  auto& their_lists = buyer_changed ? s.company_lists : s.buyer_lists;
  // The changed participant's list ranks by its own side's scores, the counterparts' lists
  // by theirs.
  const auto& own_scores = buyer_changed ? buyer_side : company_side;
  const auto& their_scores = buyer_changed ? company_side : buyer_side;

  own_rankings[index] = rank(own_scores, capacity);
  show(own_lists[index], own_rankings[index], k);
  RescoreResult result;
  result.own = own_lists[index];
  std::vector<float> text;
  std::vector<float> rescored_buyer;
  std::vector<float> rescored_company;
  for (std::uint32_t other = 0; other < their_rankings.size(); ++other) {
    RankedList& ranking = their_rankings[other];
    if (!repair(ranking, capacity, index, their_scores[other])) continue;
    if (needs_rescore(ranking, k)) {
      if (buyer_changed) {
        s.column_text(other, text);
        score_column(s, other, text, rescored_buyer, rescored_company);
        ranking = rank(rescored_company, capacity);
      } else {
        s.row_text(other, text);
        score_row(s, other, text, rescored_buyer, rescored_company);
        ranking = rank(rescored_buyer, capacity);
      }
    }
    if (show(their_lists[other], ranking, k)) result.changed_counterparts.push_back(other);
  }
  return result;
}

}  // namespace

MatchIndex::MatchIndex(MatchContext context, std::vector<Buyer> buyers,
                       std::vector<Company> companies, unsigned threads)
    : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.context = std::move(context);
  s.buyer_points = to_points(s.context.config.buyer_weights);
  s.company_points = to_points(s.context.config.company_weights);
  const MatchConfig& config = s.context.config;
  s.rules = PairRules{s.buyer_points,
                      s.company_points,
                      config.interpreter_fit,
                      config.broad_category_fit,
                      config.branch_category_fit,
                      config.keyword_category_fit,
                      config.unknown_fit,
                      config.require_common_language};
  s.buyers = std::move(buyers);
  s.companies = std::move(companies);

  for (const auto& category : s.context.taxonomy.categories()) s.categories.intern(category.code);
  s.category_words = std::max<std::size_t>(1, (s.categories.size() + 63) / 64);
  read_lineage(s);

  // Terms of every text of the event, buyers then companies: they make the document
  // frequencies. Read on the threads; term ids do not depend on the thread count (corpus.hpp).
  // Alongside, on one of the threads, the names (languages, marks, countries) are interned in
  // profile order, companies then buyers: they need no terms.
  const auto read_profile = [&s](std::size_t d, text::TermSink sink) {
    if (d < s.buyers.size()) {
      read_buyer(s.buyers[d], sink);
    } else {
      read_company(s.companies[d - s.buyers.size()], sink);
    }
  };
  const auto intern_all_names = [&s] {
    for (const auto& company : s.companies) intern_names(s, company);
    for (const auto& buyer : s.buyers) intern_names(s, buyer);
  };
  text::Corpus corpus = text::read_corpus(s.buyers.size() + s.companies.size(), threads,
                                          read_profile, intern_all_names);
  s.vocabulary = std::move(corpus.vocabulary);
  s.frequencies = std::move(corpus.frequencies);
  const auto buyer_terms = [&corpus](std::size_t b) -> const std::vector<text::TermId>& {
    return corpus.documents[b];
  };
  const auto company_terms = [&corpus, &s](std::size_t c) -> const std::vector<text::TermId>& {
    return corpus.documents[s.buyers.size() + c];
  };
  // Keywords and names of every category bridge languages: a Korean query naming 임플란트
  // reaches the category whose keywords_ko hold it, whatever language the company wrote in.
  for (const auto& category : s.context.taxonomy.categories()) {
    const auto bit = *s.categories.find(category.code);
    std::vector<std::string> phrases = category.keywords_en;
    phrases.insert(phrases.end(), category.keywords_ko.begin(), category.keywords_ko.end());
    phrases.push_back(category.name_en);
    phrases.push_back(category.name_ko);
    for (const auto& phrase : phrases) {
      KeywordRule rule{bit, {}};
      for (const auto& term : text::tokenize(phrase, "taxonomy")) {
        rule.terms.push_back(s.vocabulary.intern(term));
      }
      if (!rule.terms.empty()) s.keyword_rules.push_back(std::move(rule));
    }
  }
  for (std::uint32_t r = 0; r < s.keyword_rules.size(); ++r) {
    const text::TermId first = s.keyword_rules[r].terms.front();
    if (first >= s.rules_by_first_term.size()) s.rules_by_first_term.resize(first + 1);
    s.rules_by_first_term[first].push_back(r);
  }

  // With the names interned, every profile's features on the threads, which only read the
  // index; then, in order, what registers.
  s.company_features.resize(s.companies.size());
  s.buyer_features.resize(s.buyers.size());
  for_each_document(s.buyers.size() + s.companies.size(), threads, [&](std::size_t d) {
    if (d < s.buyers.size()) {
      const Buyer& buyer = s.buyers[d];
      s.buyer_features[d] = buyer_features(s, buyer, buyer_text_features(s, buyer, buyer_terms(d)));
    } else {
      const std::size_t c = d - s.buyers.size();
      const Company& company = s.companies[c];
      s.company_features[c] =
          company_features(s, company, company_text_features(s, company, company_terms(c)));
    }
  });
  // Then what registers, in profile order: companies' keys first (buyers' wishes name them),
  // then the two sides, which write nothing in common, side by side.
  s.company_keys.reserve(2 * s.companies.size());
  for (std::uint32_t i = 0; i < s.companies.size(); ++i) {
    register_keys(s.company_keys, i, s.companies[i].id, s.companies[i].external_id);
  }
  s.company_wishes.resize(s.companies.size());
  run_side_by_side(
      threads,
      [&s] {
        s.buyer_keys.reserve(2 * s.buyers.size());
        s.buyer_lanes.reserve(s.buyers.size());
        for (std::uint32_t i = 0; i < s.buyers.size(); ++i) {
          register_keys(s.buyer_keys, i, s.buyers[i].id, s.buyers[i].external_id);
          s.buyer_lanes.push_back(lane_of(s, s.buyer_features[i]));
          resolve_wishes(s, i);
        }
      },
      [&s] {
        s.company_lanes.reserve(s.companies.size());
        for (std::uint32_t i = 0; i < s.companies.size(); ++i) {
          s.company_lanes.push_back(lane_of(s, s.company_features[i]));
          add_postings(s.company_postings, i, s.company_features[i].text);
        }
        for (std::uint32_t i = 0; i < s.buyers.size(); ++i) {
          add_postings(s.buyer_postings, i, s.buyer_features[i].text);
        }
      });
  s.buyer_lists.resize(s.buyers.size());
  s.company_lists.resize(s.companies.size());
  // Rankings are computed by full_recompute(); with no counterpart at all, empty is exact, so
  // participants that arrive later are placed into them by upserts.
  s.buyer_rankings.resize(s.buyers.size(), RankedList{{}, s.companies.empty()});
  s.company_rankings.resize(s.companies.size(), RankedList{{}, s.buyers.empty()});
}

MatchIndex::~MatchIndex() = default;
MatchIndex::MatchIndex(MatchIndex&&) noexcept = default;
MatchIndex& MatchIndex::operator=(MatchIndex&&) noexcept = default;

void MatchIndex::full_recompute(unsigned threads) {
  State& s = *state_;
  const std::size_t k = s.context.config.top_k;
  const std::size_t capacity = ranking_capacity(s);
  const std::size_t buyer_count = s.buyers.size();
  const std::size_t company_count = s.companies.size();
  threads = std::max(1u, threads);
  // Buyers are handed out in chunks in ascending order, so every worker sees its buyers in
  // ascending index order: an equal score arriving later never displaces an earlier one.
  constexpr std::size_t kChunk = 64;
  std::atomic<std::size_t> next{0};
  const CompanyColumns columns = company_columns(s);
  const std::size_t padded = padded_count(company_count);
  std::vector<std::unique_ptr<CompanyKeepers>> company_keepers(threads);
  // The threads' keepers pool their floors after every chunk, so that each prunes with what
  // all have learned (CompanyKeepers::pool_floors).
  std::mutex pool_mutex;
  std::vector<float> pooled_floors(company_count, kRemoved);
  auto work = [&](unsigned worker) {
    company_keepers[worker] = std::make_unique<CompanyKeepers>(company_count, padded, capacity);
    CompanyKeepers& keepers = *company_keepers[worker];
    std::vector<float> text;
    std::vector<float> buyer_side(padded);
    std::vector<float> company_side(padded);
    std::vector<std::uint32_t> candidates;
    std::vector<float> maxima;  // scratch of top_k_floor
    RowTables tables;
    for (;;) {
      const std::size_t first = next.fetch_add(kChunk);
      if (first >= buyer_count) break;
      const std::size_t last = std::min(buyer_count, first + kChunk);
      for (std::size_t b = first; b < last; ++b) {
        const auto buyer = static_cast<std::uint32_t>(b);
        s.row_text(buyer, text);
        text.resize(padded, 0.0f);
        fill_row_tables(s, buyer, tables, &columns);
        score_companies(s, columns, buyer, tables, text.data(), buyer_side.data(),
                        company_side.data());
        for (const auto& [company, bits] : s.buyer_features[b].wishes) {
          apply_wishes(s.context.config, bits, buyer_side[company], company_side[company]);
        }
        // A pair is offered to the buyer's keeper only above a floor that keeps the whole
        // top list, and to the company's only above that keeper's floor; both found eight at
        // a time.
        TopBuffer own(capacity);
        candidates.clear();
        indices_above(buyer_side.data(), top_k_floor(buyer_side.data(), padded, capacity, maxima),
                      0, padded, candidates);
        for (const std::uint32_t c : candidates) own.offer(c, buyer_side[c]);
        candidates.clear();
        indices_above(company_side.data(), keepers.floors(), 0, padded, candidates);
        for (const std::uint32_t c : candidates) keepers.offer(c, buyer, company_side[c]);
        RankedList& ranking = s.buyer_rankings[b];
        ranking.entries = own.take();
        ranking.exhaustive = ranking.entries.size() < capacity;
        show(s.buyer_lists[b], ranking, k);
      }
      if (threads > 1) {
        const std::lock_guard lock(pool_mutex);
        keepers.pool_floors(pooled_floors);
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& thread : pool) thread.join();
  for (std::size_t c = 0; c < company_count; ++c) {
    TopKeeper merged(capacity);
    for (auto& keepers : company_keepers) {
      for (const Ranked& r : keepers->kept(static_cast<std::uint32_t>(c))) {
        merged.offer(r.counterpart, r.score);
      }
    }
    RankedList& ranking = s.company_rankings[c];
    ranking.exhaustive = !merged.full();
    ranking.entries = merged.take();
    show(s.company_lists[c], ranking, k);
  }
}

const std::vector<TopList>& MatchIndex::buyer_lists() const {
  return state_->buyer_lists;
}
const std::vector<TopList>& MatchIndex::company_lists() const {
  return state_->company_lists;
}

RescoreResult MatchIndex::upsert_buyer(Buyer buyer) {
  State& s = *state_;
  const std::string key = key_of(buyer.id, buyer.external_id);
  if (key.empty()) throw_invalid("missing_id", "a buyer needs an id or an external_id", "id");
  const auto terms = term_ids(s, buyer, read_buyer);
  intern_names(s, buyer);
  BuyerFeatures features = buyer_features(s, buyer, buyer_text_features(s, buyer, terms));

  std::uint32_t index;
  const auto found = s.buyer_keys.find(key);
  if (found != s.buyer_keys.end()) {
    index = found->second;
    remove_postings(s.buyer_postings, index, s.buyer_features[index].text);
    features.wishes = std::move(s.buyer_features[index].wishes);  // resolve_wishes replaces them
    s.buyers[index] = std::move(buyer);
    s.buyer_lanes[index] = lane_of(s, features);
    s.buyer_features[index] = std::move(features);
  } else {
    index = static_cast<std::uint32_t>(s.buyers.size());
    s.buyers.push_back(std::move(buyer));
    s.buyer_lanes.push_back(lane_of(s, features));
    s.buyer_features.push_back(std::move(features));
    s.buyer_lists.emplace_back();
    s.buyer_rankings.emplace_back();
  }
  register_keys(s.buyer_keys, index, s.buyers[index].id, s.buyers[index].external_id);
  add_postings(s.buyer_postings, index, s.buyer_features[index].text);
  resolve_wishes(s, index);

  std::vector<float> text;
  std::vector<float> buyer_side;
  std::vector<float> company_side;
  s.row_text(index, text);
  score_row(s, index, text, buyer_side, company_side);
  return rescore(s, index, Side::kBuyer, buyer_side, company_side);
}

RescoreResult MatchIndex::upsert_company(Company company) {
  State& s = *state_;
  const std::string key = key_of(company.id, company.external_id);
  if (key.empty()) throw_invalid("missing_id", "a company needs an id or an external_id", "id");
  const auto terms = term_ids(s, company, read_company);
  intern_names(s, company);
  CompanyFeatures features = company_features(s, company, company_text_features(s, company, terms));

  std::uint32_t index;
  const auto found = s.company_keys.find(key);
  if (found != s.company_keys.end()) {
    index = found->second;
    remove_postings(s.company_postings, index, s.company_features[index].text);
    s.companies[index] = std::move(company);
    s.company_lanes[index] = lane_of(s, features);
    s.company_features[index] = std::move(features);
  } else {
    index = static_cast<std::uint32_t>(s.companies.size());
    s.companies.push_back(std::move(company));
    s.company_lanes.push_back(lane_of(s, features));
    s.company_features.push_back(std::move(features));
    s.company_lists.emplace_back();
    s.company_rankings.emplace_back();
    s.company_wishes.emplace_back();
  }
  register_keys(s.company_keys, index, s.companies[index].id, s.companies[index].external_id);
  add_postings(s.company_postings, index, s.company_features[index].text);
  // Buyers that named this company before it registered: their wishes now resolve.
  for (const auto& name : {s.companies[index].id, s.companies[index].external_id}) {
    const auto waiting = s.pending_wishes.find(name);
    if (waiting == s.pending_wishes.end()) continue;
    const auto buyers = std::move(waiting->second);
    s.pending_wishes.erase(waiting);
    for (auto buyer : buyers) resolve_wishes(s, buyer);
  }

  std::vector<float> text;
  std::vector<float> buyer_side;
  std::vector<float> company_side;
  s.column_text(index, text);
  score_column(s, index, text, buyer_side, company_side);
  return rescore(s, index, Side::kCompany, buyer_side, company_side);
}

PairScore MatchIndex::score_pair(std::size_t buyer, std::size_t company, Side side) const {
  const State& s = *state_;
  if (buyer >= s.buyers.size() || company >= s.companies.size()) {
    throw Error(ErrorCode::kNotFound, "unknown_participant", "no such buyer or company index");
  }
  const auto& b = s.buyer_features[buyer];
  const PairValues v =
      s.values(static_cast<std::uint32_t>(buyer), static_cast<std::uint32_t>(company),
               text::dot(b.text, s.company_features[company].text));
  PairScore score;
  float buyer_score = side_score(s.buyer_points, v);
  float company_score = side_score(s.company_points, v);
  std::uint8_t wishes = 0;
  const auto wish = std::lower_bound(
      b.wishes.begin(), b.wishes.end(),
      std::pair<std::uint32_t, std::uint8_t>{static_cast<std::uint32_t>(company), 0});
  if (wish != b.wishes.end() && wish->first == company) wishes = wish->second;
  if (v.language_gap && s.context.config.require_common_language) {
    score.removed = true;
    score.removed_why = "no_common_language";
  } else {
    const float base = side == Side::kBuyer ? buyer_score : company_score;
    apply_wishes(s.context.config, wishes, buyer_score, company_score);
    if (buyer_score == kRemoved) {
      score.removed = true;
      score.removed_why = (wishes & kNoThanks) ? "no_thanks" : "met_before";
    } else {
      score.buyer_score = buyer_score;
      score.company_score = company_score;
      const double w = s.context.config.mutual_buyer_weight;
      score.mutual = std::pow(static_cast<double>(buyer_score), w) *
                     std::pow(static_cast<double>(company_score), 1.0 - w);
    }
    score.reasons =
        explain(s, static_cast<std::uint32_t>(buyer), static_cast<std::uint32_t>(company), v, side);
    const float lifted = side == Side::kBuyer ? buyer_score : company_score;
    if (!score.removed && (wishes & kMustMeet) && lifted > base) {
      score.reasons.insert(score.reasons.begin(),
                           Reason{"must_meet", lifted - base,
                                  side == Side::kBuyer ? "you asked to meet this company"
                                                       : "this buyer asked to meet you"});
    }
  }
  return score;
}

float MatchIndex::text_similarity(std::size_t buyer, std::size_t company) const {
  return text::dot(state_->buyer_features.at(buyer).text,
                   state_->company_features.at(company).text);
}

std::size_t MatchIndex::buyer_count() const {
  return state_->buyers.size();
}
std::size_t MatchIndex::company_count() const {
  return state_->companies.size();
}
const Buyer& MatchIndex::buyer(std::size_t index) const {
  return state_->buyers.at(index);
}
const Company& MatchIndex::company(std::size_t index) const {
  return state_->companies.at(index);
}
const MatchContext& MatchIndex::context() const {
  return state_->context;
}

std::optional<std::size_t> MatchIndex::find_buyer(std::string_view id) const {
  const auto found = state_->buyer_keys.find(std::string(id));
  if (found == state_->buyer_keys.end()) return std::nullopt;
  return found->second;
}

std::optional<std::size_t> MatchIndex::find_company(std::string_view id) const {
  const auto found = state_->company_keys.find(std::string(id));
  if (found == state_->company_keys.end()) return std::nullopt;
  return found->second;
}

}  // namespace sangdam::scoring
