// Reasons: the components of one pair's score phrased for a participant, strongest first.
// Built only for pairs someone looks at (a list entry), never in the all-pairs loop.
#include <algorithm>

#include "matching/scoring/index_state.hpp"
#include "matching/text/tokenizer.hpp"

namespace sangdam::scoring {

namespace {

using State = IndexState;

std::string category_path(const State& s, std::string_view code) {
  const Category* leaf = s.context.taxonomy.find(code);
  if (leaf == nullptr) return std::string(code);
  const std::string leaf_name = leaf->name_en.empty() ? leaf->code : leaf->name_en;
  if (leaf->parent.empty()) return leaf_name;
  const Category* parent = s.context.taxonomy.find(leaf->parent);
  const std::string parent_name =
      parent == nullptr || parent->name_en.empty() ? leaf->parent : parent->name_en;
  return parent_name + " > " + leaf_name;
}

// The company's product closest to what the buyer seeks (by TF-IDF cosine), for phrasing.
std::string best_product(const State& s, std::uint32_t buyer, std::uint32_t company) {
  const Company& profile = s.companies[company];
  std::string best;
  float best_similarity = -1;
  for (const Product& product : profile.products) {
    std::vector<text::TermId> ids;
    for (const auto& term : text::tokenize(product.name + " " + product.description)) {
      if (const auto id = s.vocabulary.find(term)) ids.push_back(*id);
    }
    const float similarity =
        text::dot(s.buyer_features[buyer].text, text::weigh(std::move(ids), s.frequencies));
    if (similarity > best_similarity) {
      best_similarity = similarity;
      best = product.name;
    }
  }
  return best;
}

std::string first_in(const State& s, const CategorySet& a, const CategorySet& b) {
  for (std::size_t bit = 0; bit < s.categories.size(); ++bit) {
    if (a.test(bit) && b.test(bit))
      return std::string(s.categories.name(static_cast<std::uint32_t>(bit)));
  }
  return {};
}

std::string join_names(const Universe& universe, const SmallSet& set) {
  std::string out;
  for (std::size_t id = 0; id < universe.size(); ++id) {
    if (!set.test(id)) continue;
    if (!out.empty()) out += ", ";
    out += universe.name(static_cast<std::uint32_t>(id));
  }
  return out;
}

SmallSet common(const SmallSet& a, const SmallSet& b) {
  SmallSet out;
  for (std::size_t i = 0; i < out.words.size(); ++i) out.words[i] = a.words[i] & b.words[i];
  return out;
}

std::string money_text(const std::optional<Money>& money) {
  if (!money) return "none given";
  return money->currency + " " + format_amount(money->hundredths);
}

std::string phrase(const State& s, Component component, std::uint32_t buyer, std::uint32_t company,
                   Side side) {
  const Buyer& bp = s.buyers[buyer];
  const Company& cp = s.companies[company];
  const BuyerFeatures& b = s.buyer_features[buyer];
  const CompanyFeatures& c = s.company_features[company];
  const bool for_buyer = side == Side::kBuyer;
  const Market* market = s.context.markets.find(bp.country);
  const std::string country = market != nullptr ? market->name : bp.country;
  switch (component) {
    case Component::kCategory: {
      std::string code = first_in(s, b.exact, c.exact);
      if (code.empty()) code = first_in(s, c.exact, c.exact);  // a leaf under the buyer's branch
      const std::string path = category_path(s, code);
      if (for_buyer)
        return "sells " + best_product(s, buyer, company) + " (" + path + "), which you seek";
      return "seeks " + path + ", which you offer";
    }
    case Component::kText:
      if (for_buyer)
        return "its product \"" + best_product(s, buyer, company) + "\" matches what you seek";
      return "looks for products like your \"" + best_product(s, buyer, company) + "\"";
    case Component::kMarketTarget:
      if (!c.has_targets) return "has not named its target markets";
      return for_buyer ? "targets " + country + ", your market"
                       : "comes from " + country + ", a market you target";
    case Component::kMarks: {
      if (b.inverse_required == 0) return "no certification marks are required in " + country;
      const std::string held = join_names(s.marks, common(b.required_marks, c.marks));
      return for_buyer ? "holds " + held + ", needed in " + country
                       : "needs " + held + " for " + country + ", which you hold";
    }
    case Component::kClusterTier:
      return std::string(cluster_label(c.cluster)) + " cluster, suited to " +
             std::string(tier_label(b.tier)) + " markets such as " + country;
    case Component::kLanguage: {
      const std::string shared = join_names(s.languages, common(b.languages, c.languages));
      if (!shared.empty()) return "you share a language: " + shared;
      if (!b.reachable.none() && intersects(b.reachable, c.languages)) {
        return "an interpreter for your languages is available at the event";
      }
      return "languages not stated";
    }
    case Component::kBuyerType:
      return std::string(buyer_type_label(b.type)) + " buyers work well with " +
             std::string(cluster_label(c.cluster)) + " clusters";
    case Component::kDealSize:
      return for_buyer ? "minimum deal " + money_text(cp.min_deal) + " against your budget " +
                             money_text(bp.budget_max ? bp.budget_max : bp.budget_min)
                       : "budget " + money_text(bp.budget_max ? bp.budget_max : bp.budget_min) +
                             " against your minimum deal " + money_text(cp.min_deal);
  }
  return {};
}

}  // namespace

std::string_view cluster_label(std::int8_t cluster) {
  switch (cluster) {
    case 0:
      return "production-centred";
    case 1:
      return "hospital-centred";
    case 2:
      return "research-centred";
    case 3:
      return "full-cycle";
    default:
      return "unstated";
  }
}

std::string_view tier_label(std::int8_t tier) {
  switch (tier) {
    case 0:
      return "developing";
    case 1:
      return "catching-up";
    case 2:
      return "innovation-leader";
    default:
      return "unlisted";
  }
}

std::string_view buyer_type_label(std::uint8_t type) {
  constexpr std::string_view kLabels[] = {"distributor", "importer", "hospital",     "retailer",
                                          "government",  "investor", "manufacturer", "other"};
  return type < 8 ? kLabels[type] : "other";
}

std::vector<Reason> explain(const State& s, std::uint32_t buyer, std::uint32_t company,
                            const PairValues& values, Side side) {
  const Weights& points = side == Side::kBuyer ? s.buyer_points : s.company_points;
  std::vector<std::pair<float, Component>> parts;
  for (std::size_t i = 0; i < kComponentCount; ++i) {
    const float contribution = points[i] * values.value[i];
    if (contribution > 0) parts.emplace_back(contribution, static_cast<Component>(i));
  }
  // Strongest first; equal contributions keep the component order (stable output).
  std::stable_sort(parts.begin(), parts.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  if (parts.size() > s.context.config.reasons_kept) parts.resize(s.context.config.reasons_kept);
  std::vector<Reason> reasons;
  for (const auto& [contribution, component] : parts) {
    reasons.push_back(Reason{std::string(component_name(component)), contribution,
                             phrase(s, component, buyer, company, side)});
  }
  return reasons;
}

}  // namespace sangdam::scoring
