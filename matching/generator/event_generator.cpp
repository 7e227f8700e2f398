#include "matching/generator/event_generator.hpp"

#include "matching/event/event.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>

#include "matching/error.hpp"

namespace sangdam::generator {

namespace {

// xoshiro256** seeded through splitmix64: the same stream for a seed on every platform.
class Random {
 public:
  explicit Random(std::uint64_t seed) {
    for (auto& word : state_) {
      seed += 0x9E3779B97F4A7C15ULL;
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
      word = z ^ (z >> 31);
    }
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return unit() < p; }
  // Index drawn with the given weights.
  template <std::size_t N>
  std::size_t weighted(const std::array<double, N>& weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = unit() * total;
    for (std::size_t i = 0; i < N; ++i) {
      if ((x -= weights[i]) < 0) return i;
    }
    return N - 1;
  }
  template <typename T>
  const T& pick(const std::vector<T>& from) {
    return from[below(from.size())];
  }
  // Log-uniform amount between low and high (budgets spread over orders of magnitude).
  double log_uniform(double low, double high) {
    return std::exp(std::log(low) + unit() * (std::log(high) - std::log(low)));
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<std::uint64_t, 4> state_{};
};

// Buyer countries and their weights, close to the mix of Korean bio-health consultations.
struct CountryWeight {
  std::string_view code;
  double weight;
};
constexpr std::array<CountryWeight, 18> kCountries = {{{"VN", 14},
                                                       {"TH", 10},
                                                       {"ID", 8},
                                                       {"MY", 6},
                                                       {"PH", 5},
                                                       {"US", 8},
                                                       {"DE", 4},
                                                       {"AE", 5},
                                                       {"SA", 4},
                                                       {"KZ", 5},
                                                       {"UZ", 4},
                                                       {"MN", 4},
                                                       {"JP", 6},
                                                       {"CN", 6},
                                                       {"IN", 5},
                                                       {"TR", 2},
                                                       {"GB", 2},
                                                       {"SG", 2}}};

constexpr std::array<std::string_view, 8> kBuyerTypes = {"distributor",  "importer",   "hospital",
                                                         "retailer",     "government", "investor",
                                                         "manufacturer", "other"};
constexpr std::array<double, 8> kBuyerTypeWeights = {35, 20, 15, 8, 5, 5, 7, 5};
constexpr std::array<double, 4> kClusterWeights = {45, 20, 15, 20};  // ClusterType order

constexpr std::array<std::string_view, 8> kNounsEn = {"system",  "device",   "kit",  "solution",
                                                      "monitor", "platform", "unit", "set"};
constexpr std::array<std::string_view, 8> kNounsKo = {"시스템", "장치",   "키트", "솔루션",
                                                      "모니터", "플랫폼", "기기", "세트"};
constexpr std::array<std::string_view, 8> kModifiersEn = {"portable",  "smart",         "compact",
                                                          "AI-based",  "premium",       "wireless",
                                                          "automated", "high-precision"};
constexpr std::array<std::string_view, 8> kModifiersKo = {"휴대용",   "스마트", "소형",   "AI 기반",
                                                          "프리미엄", "무선",   "자동화", "고정밀"};
constexpr std::array<std::string_view, 6> kSyllables = {"메디", "바이오", "헬스",
                                                        "케어", "라이프", "텍"};
constexpr std::array<std::string_view, 4> kVenues = {"gravity", "bhip", "kins", "training"};
constexpr std::array<double, 4> kVenueWeights = {60, 17, 14, 9};
constexpr int kSlotsPerDay = 12;  // 09:30-12:00 and 13:30-17:30 less a break, 30-minute slots
constexpr int kDays = 3;

struct Leaf {
  const Category* category;
  std::vector<std::string> words_en;  // keywords, or the name when it has none
  std::vector<std::string> words_ko;
};

const Market* market_of(const Markets& markets, std::string_view code) {
  return markets.find(code);
}

std::string product_name(Random& random, const Leaf& leaf, bool korean) {
  if (korean) {
    return std::string(kModifiersKo[random.below(8)]) + " " + random.pick(leaf.words_ko) + " " +
           std::string(kNounsKo[random.below(8)]);
  }
  return std::string(kModifiersEn[random.below(8)]) + " " + random.pick(leaf.words_en) + " " +
         std::string(kNounsEn[random.below(8)]);
}

std::string product_description(Random& random, const Leaf& leaf, bool korean) {
  if (korean) {
    return random.pick(leaf.words_ko) + " 분야의 " + random.pick(leaf.words_ko) +
           " 제품으로 병원과 클리닉에 공급됩니다 (" + leaf.category->name_ko + ")";
  }
  return "A " + random.pick(leaf.words_en) + " product for hospitals and clinics, built around " +
         random.pick(leaf.words_en) + " for " + leaf.category->name_en;
}

std::vector<int> unavailable(Random& random, int slots) {
  std::vector<int> out;
  if (!random.chance(0.2)) return out;
  const int count = 1 + static_cast<int>(random.below(4));
  for (int i = 0; i < count; ++i) out.push_back(static_cast<int>(random.below(slots)));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

Taxonomy builtin_taxonomy() {
  Taxonomy taxonomy;
  auto branch = [&](std::string code, std::string en, std::string ko) {
    taxonomy.add(Category{std::move(code), "", std::move(en), std::move(ko), {}, {}});
  };
  auto leaf = [&](std::string code, std::string parent, std::string en, std::string ko,
                  std::vector<std::string> kw_en, std::vector<std::string> kw_ko) {
    taxonomy.add(Category{std::move(code), std::move(parent), std::move(en), std::move(ko),
                          std::move(kw_en), std::move(kw_ko)});
  };
  branch("dental", "Dental", "치과");
  leaf("dental.implants", "dental", "Dental implants", "치과 임플란트", {"implant", "abutment"},
       {"임플란트", "어버트먼트"});
  leaf("dental.imaging", "dental", "Dental imaging", "치과 영상", {"cbct", "panoramic"},
       {"파노라마", "치과영상"});
  branch("wearables", "Wearables", "웨어러블");
  leaf("wearables.cardiac", "wearables", "Cardiac wearables", "심장 웨어러블", {"ecg", "holter"},
       {"심전도", "홀터"});
  leaf("wearables.vitals", "wearables", "Vital-sign wearables", "생체신호 웨어러블",
       {"spo2", "blood pressure"}, {"산소포화도", "혈압"});
  branch("hospital_equipment", "Hospital equipment", "병원 장비");
  leaf("hospital_equipment.respiratory", "hospital_equipment", "Respiratory", "호흡기",
       {"oxygen generator", "concentrator"}, {"산소발생기", "농축기"});
  leaf("hospital_equipment.sterilization", "hospital_equipment", "Sterilization", "멸균",
       {"sterilizer", "autoclave"}, {"멸균기", "소독"});
  branch("ivd", "In-vitro diagnostics", "체외진단");
  leaf("ivd.rapid", "ivd", "Rapid tests", "신속진단", {"rapid test", "point of care"},
       {"신속진단", "현장검사"});
  leaf("ivd.pathology", "ivd", "Pathology", "병리", {"cervical", "cytology"},
       {"자궁경부", "세포검사"});
  return taxonomy;
}

Markets builtin_markets() {
  Markets markets;
  markets.add(Market{"VN", "Viet Nam", MarketTier::kDeveloping, {"vi", "en"}, {"MOH-VN"}});
  markets.add(Market{"TH", "Thailand", MarketTier::kDeveloping, {"th", "en"}, {"Thai FDA"}});
  markets.add(Market{"KZ", "Kazakhstan", MarketTier::kCatchingUp, {"kk", "ru"}, {"EAEU"}});
  markets.add(Market{"US", "United States", MarketTier::kInnovationLeader, {"en", "es"}, {"FDA"}});
  markets.add(Market{"DE", "Germany", MarketTier::kInnovationLeader, {"de", "en"}, {"CE"}});
  markets.add(
      Market{"AE", "United Arab Emirates", MarketTier::kInnovationLeader, {"ar", "en"}, {"MOHAP"}});
  return markets;
}

GeneratedEvent generate_event(const GeneratorOptions& options, const Taxonomy* taxonomy_in,
                              const Markets* markets_in) {
  if (options.buyers > kMaxBuyers || options.companies > kMaxCompanies) {
    throw_invalid("too_large",
                  "a generated event has at most " + std::to_string(kMaxBuyers) + " buyers and " +
                      std::to_string(kMaxCompanies) + " companies",
                  options.buyers > kMaxBuyers ? "buyers" : "companies");
  }
  const Taxonomy fallback_taxonomy = taxonomy_in == nullptr ? builtin_taxonomy() : Taxonomy{};
  const Markets fallback_markets = markets_in == nullptr ? builtin_markets() : Markets{};
  const Taxonomy& taxonomy = taxonomy_in != nullptr ? *taxonomy_in : fallback_taxonomy;
  const Markets& markets = markets_in != nullptr ? *markets_in : fallback_markets;

  std::vector<Leaf> leaves;
  for (const auto& category : taxonomy.categories()) {
    if (category.parent.empty()) continue;
    Leaf leaf{&category, category.keywords_en, category.keywords_ko};
    if (leaf.words_en.empty()) leaf.words_en = {category.name_en};
    if (leaf.words_ko.empty())
      leaf.words_ko = {category.name_ko.empty() ? category.name_en : category.name_ko};
    leaves.push_back(std::move(leaf));
  }
  if (leaves.empty())
    throw_invalid("no_leaf_category", "the taxonomy has no leaf category", "taxonomy");
  std::vector<const Market*> countries;
  std::vector<double> country_weights;
  for (const auto& [code, weight] : kCountries) {
    if (const Market* m = market_of(markets, code)) {
      countries.push_back(m);
      country_weights.push_back(weight);
    }
  }
  if (countries.empty()) {
    for (const auto& m : markets.markets()) {
      countries.push_back(&m);
      country_weights.push_back(1);
    }
  }
  if (countries.empty()) throw_invalid("no_market", "the markets list is empty", "markets");
  auto pick_country = [&](Random& random) {
    double total = 0;
    for (double w : country_weights) total += w;
    double x = random.unit() * total;
    for (std::size_t i = 0; i < countries.size(); ++i) {
      if ((x -= country_weights[i]) < 0) return countries[i];
    }
    return countries.back();
  };
  // Popular categories get more firms: a leaf's weight falls with its position (Zipf-like).
  auto pick_leaf = [&](Random& random) {
    const double u = random.unit();
    return static_cast<std::size_t>(std::pow(u, 1.6) * static_cast<double>(leaves.size())) %
           leaves.size();
  };

  Random random(options.seed);
  GeneratedEvent event;
  event.name =
      "Generated bio-health export consultations (seed " + std::to_string(options.seed) + ")";
  event.slot_count = kSlotsPerDay * kDays;

  // Companies.
  std::vector<std::vector<std::uint32_t>> by_leaf(leaves.size());
  std::vector<std::size_t> venue_tables(kVenues.size(), 0);
  for (std::size_t i = 0; i < options.companies; ++i) {
    Company c;
    c.external_id = "C" + std::to_string(100000 + i);
    const std::string stem =
        std::string(kSyllables[random.below(6)]) + std::string(kSyllables[random.below(6)]);
    c.name_ko = "(주)" + stem + std::to_string(i);
    c.name_en = "Medi" + std::to_string(i) + " Co., Ltd.";
    c.email = "sales" + std::to_string(i) + "@firm" + std::to_string(i) + ".example.kr";
    c.cluster = static_cast<ClusterType>(random.weighted(kClusterWeights));
    const std::size_t primary = pick_leaf(random);
    std::vector<std::size_t> offered = {primary};
    if (random.chance(0.3)) {
      const std::size_t second = pick_leaf(random);
      if (second != primary) offered.push_back(second);
    }
    for (std::size_t leaf : offered) {
      c.categories.push_back(leaves[leaf].category->code);
      by_leaf[leaf].push_back(static_cast<std::uint32_t>(i));
    }
    const std::size_t product_count = 1 + random.below(3);
    for (std::size_t p = 0; p < product_count; ++p) {
      const Leaf& leaf = leaves[offered[p % offered.size()]];
      const bool korean_text = random.chance(0.6);  // Korean firms write Korean first
      Product product;
      product.name = product_name(random, leaf, random.chance(0.5));
      product.description = product_description(random, leaf, korean_text);
      if (random.chance(0.3)) product.certifications = {"MFDS"};
      product.hs_code = "9018" + std::to_string(10 + random.below(80));
      c.products.push_back(std::move(product));
    }
    c.certifications.push_back("MFDS");
    if (random.chance(0.6)) c.certifications.push_back("ISO 13485");
    const bool advanced =
        c.cluster == ClusterType::kFullCycle || c.cluster == ClusterType::kResearch;
    if (random.chance(advanced ? 0.6 : 0.3)) c.certifications.push_back("CE");
    if (random.chance(advanced ? 0.35 : 0.1)) c.certifications.push_back("FDA");
    const std::size_t target_count = 1 + random.below(4);
    for (std::size_t t = 0; t < target_count; ++t) {
      const Market* m = pick_country(random);
      if (contains(c.target_markets, m->code)) continue;
      c.target_markets.push_back(m->code);
      // A firm that targets a market often holds its mark.
      for (const auto& mark : m->required_marks) {
        if (random.chance(0.5) && !contains(c.certifications, mark))
          c.certifications.push_back(mark);
      }
    }
    c.languages = {"ko"};
    if (random.chance(0.7)) c.languages.push_back("en");
    if (random.chance(0.08)) c.languages.push_back(random.chance(0.5) ? "zh" : "ja");
    c.min_deal = Money{static_cast<std::int64_t>(random.log_uniform(10'000, 500'000)) * 100, "USD"};
    const std::size_t venue = random.weighted(kVenueWeights);
    c.venue = std::string(kVenues[venue]);
    // Beyond the event's table limit, companies share booths (the sample never gets there).
    c.table = "T" + std::to_string(venue_tables[venue]++ % event::kMaxTablesPerVenue + 1);
    c.seats = random.chance(0.1) ? 2 : 1;
    c.unavailable_slots = unavailable(random, event.slot_count);
    event.companies.push_back(std::move(c));
  }

  // Buyers, with the hidden truth drawn first and the stated profile derived from it with noise.
  std::vector<std::string> interpreter_languages;
  for (std::size_t i = 0; i < options.buyers; ++i) {
    Buyer b;
    BuyerTruth truth;
    b.external_id = "B" + std::to_string(100000 + i);
    b.organisation = "Buyer Organisation " + std::to_string(i);
    b.contact_name = "Contact " + std::to_string(i);
    b.email = "buyer" + std::to_string(i) + "@example.com";
    const Market* market = pick_country(random);
    b.country = market->code;
    truth.true_market = market->code;
    b.type = static_cast<BuyerType>(random.weighted(kBuyerTypeWeights));
    const std::size_t true_leaf = pick_leaf(random);
    std::vector<std::size_t> true_leaves = {true_leaf};
    if (random.chance(0.35)) {
      // A second interest, usually in the same branch.
      std::size_t second = pick_leaf(random);
      for (int tries = 0;
           tries < 8 && leaves[second].category->parent != leaves[true_leaf].category->parent;
           ++tries) {
        second = pick_leaf(random);
      }
      if (second != true_leaf) true_leaves.push_back(second);
    }
    for (auto leaf : true_leaves) truth.true_categories.push_back(leaves[leaf].category->code);
    // Stated categories: mostly the truth, sometimes only its branch, sometimes wrong.
    for (auto leaf : true_leaves) {
      const double roll = random.unit();
      if (roll < 0.75) {
        b.categories.push_back(leaves[leaf].category->code);
      } else if (roll < 0.9) {
        b.categories.push_back(leaves[leaf].category->parent);
      } else {
        b.categories.push_back(leaves[pick_leaf(random)].category->code);
      }
    }
    if (random.chance(0.15)) b.categories.push_back(leaves[pick_leaf(random)].category->code);
    std::sort(b.categories.begin(), b.categories.end());
    b.categories.erase(std::unique(b.categories.begin(), b.categories.end()), b.categories.end());
    // Sought products: mostly English, some Korean (agents in Korea), naming true categories.
    const double language_roll = random.unit();
    const Leaf& main = leaves[true_leaves[random.below(true_leaves.size())]];
    const std::string english = "Looking for " + random.pick(main.words_en) + " and " +
                                random.pick(main.words_en) + " " +
                                std::string(kNounsEn[random.below(8)]) + "s for " +
                                std::string(kBuyerTypes[static_cast<std::size_t>(b.type)]) +
                                " customers in " + market->name;
    const std::string korean = random.pick(main.words_ko) + " " +
                               std::string(kNounsKo[random.below(8)]) + " 및 " +
                               random.pick(main.words_ko) + " 제품을 찾고 있습니다";
    b.products_sought = language_roll < 0.75  ? english
                        : language_roll < 0.9 ? korean
                                              : english + ". " + korean;
    if (random.chance(0.3)) b.certifications.push_back(random.chance(0.5) ? "ISO 13485" : "CE");
    const double scale =
        b.type == BuyerType::kHospital || b.type == BuyerType::kGovernment ? 3.0 : 1.0;
    const double budget = random.log_uniform(20'000, 2'000'000) * scale;
    b.budget_min = Money{static_cast<std::int64_t>(budget / 4) * 100, "USD"};
    b.budget_max = Money{static_cast<std::int64_t>(budget) * 100, "USD"};
    b.languages = {market->languages.empty() ? "en" : market->languages.front()};
    if (b.languages.front() != "en" && random.chance(0.65)) b.languages.push_back("en");
    for (const auto& language : b.languages) {
      if (language != "ko" && !contains(interpreter_languages, language)) {
        interpreter_languages.push_back(language);
      }
    }
    b.hosted = random.chance(0.3);
    b.unavailable_slots = unavailable(random, event.slot_count);

    // Hidden utility of the companies that sell a true category.
    std::vector<std::pair<double, std::uint32_t>> candidates;
    for (auto leaf : true_leaves) {
      for (auto c : by_leaf[leaf]) candidates.emplace_back(0.0, c);
    }
    std::sort(candidates.begin(), candidates.end(),
              [](const auto& x, const auto& y) { return x.second < y.second; });
    candidates.erase(std::unique(candidates.begin(), candidates.end(),
                                 [](const auto& x, const auto& y) { return x.second == y.second; }),
                     candidates.end());
    for (auto& [utility, c] : candidates) {
      const Company& company = event.companies[c];
      const bool targets = contains(company.target_markets, market->code);
      bool marks = true;
      for (const auto& mark : market->required_marks)
        marks = marks && contains(company.certifications, mark);
      const int tier = static_cast<int>(market->tier);
      const int cluster = static_cast<int>(company.cluster);
      const bool cluster_fits = (cluster == 0 && tier == 0) ||
                                ((cluster == 1 || cluster == 2) && tier == 1) ||
                                (cluster == 3 && tier == 2);
      const bool affordable = company.min_deal->hundredths <= b.budget_max->hundredths;
      utility =
          2.0 * targets + 1.5 * marks + 1.0 * cluster_fits + 1.0 * affordable + random.unit() * 1.5;
      if (targets) truth.relevant.push_back(c);
    }
    std::sort(candidates.begin(), candidates.end(), [](const auto& x, const auto& y) {
      return x.first > y.first || (x.first == y.first && x.second < y.second);
    });
    for (std::size_t k = 0; k < candidates.size() && k < options.intended_per_buyer; ++k) {
      truth.intended.push_back(candidates[k].second);
    }
    // Wishes: some buyers already name an intended firm; some refuse or have met others.
    if (!truth.intended.empty() && random.chance(0.25)) {
      b.must_meet.push_back(event.companies[random.pick(truth.intended)].external_id);
    }
    if (options.companies > 0 && random.chance(0.1)) {
      const auto c = static_cast<std::uint32_t>(random.below(options.companies));
      if (!contains(truth.true_categories, event.companies[c].categories.front())) {
        b.no_thanks.push_back(event.companies[c].external_id);
      }
    }
    if (options.companies > 0 && random.chance(0.1)) {
      const auto c = static_cast<std::uint32_t>(random.below(options.companies));
      b.met_before.push_back(event.companies[c].external_id);
      // Already met: not a lead any more.
      auto drop = [c](std::vector<std::uint32_t>& list) {
        list.erase(std::remove(list.begin(), list.end(), c), list.end());
      };
      drop(truth.intended);
      drop(truth.relevant);
      if (!b.must_meet.empty() && b.must_meet.front() == event.companies[c].external_id)
        b.must_meet.clear();
    }
    // Relevant excludes the intended ones (they have the higher grade).
    std::sort(truth.relevant.begin(), truth.relevant.end());
    for (auto c : truth.intended) {
      truth.relevant.erase(std::remove(truth.relevant.begin(), truth.relevant.end(), c),
                           truth.relevant.end());
    }
    event.buyers.push_back(std::move(b));
    event.truth.push_back(std::move(truth));
  }
  std::sort(interpreter_languages.begin(), interpreter_languages.end());
  for (const auto& language : interpreter_languages)
    event.interpreter_pairs.push_back(language + "-ko");
  return event;
}

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_strings(Writer& w, const char* key, const std::vector<std::string>& values) {
  w.Key(key);
  w.StartArray();
  for (const auto& v : values) w.String(v);
  w.EndArray();
}

void write_ints(Writer& w, const char* key, const std::vector<int>& values) {
  w.Key(key);
  w.StartArray();
  for (int v : values) w.Int(v);
  w.EndArray();
}

void write_money(Writer& w, const char* key, const std::optional<Money>& money) {
  if (!money) return;
  w.Key(key);
  w.StartObject();
  w.Key("amount");
  w.String(format_amount(money->hundredths));
  w.Key("currency");
  w.String(money->currency);
  w.EndObject();
}

constexpr std::array<std::string_view, 5> kClusterNames = {"production", "hospital", "research",
                                                           "full_cycle", "unknown"};

void write_buyer(Writer& w, const Buyer& b) {
  w.StartObject();
  w.Key("role");
  w.String("buyer");
  w.Key("external_id");
  w.String(b.external_id);
  w.Key("organisation");
  w.String(b.organisation);
  w.Key("contact_name");
  w.String(b.contact_name);
  w.Key("email");
  w.String(b.email);
  w.Key("country");
  w.String(b.country);
  w.Key("buyer_type");
  w.String(std::string(kBuyerTypes[static_cast<std::size_t>(b.type)]));
  write_strings(w, "categories", b.categories);
  w.Key("products_sought");
  w.String(b.products_sought);
  write_strings(w, "certifications", b.certifications);
  write_money(w, "budget_min", b.budget_min);
  write_money(w, "budget_max", b.budget_max);
  write_strings(w, "languages", b.languages);
  w.Key("hosted");
  w.Bool(b.hosted);
  write_ints(w, "unavailable_slots", b.unavailable_slots);
  write_strings(w, "must_meet", b.must_meet);
  write_strings(w, "no_thanks", b.no_thanks);
  write_strings(w, "met_before", b.met_before);
  w.EndObject();
}

void write_company(Writer& w, const Company& c) {
  w.StartObject();
  w.Key("role");
  w.String("company");
  w.Key("external_id");
  w.String(c.external_id);
  w.Key("name_ko");
  w.String(c.name_ko);
  w.Key("name_en");
  w.String(c.name_en);
  w.Key("email");
  w.String(c.email);
  write_strings(w, "categories", c.categories);
  w.Key("products");
  w.StartArray();
  for (const auto& p : c.products) {
    w.StartObject();
    w.Key("name");
    w.String(p.name);
    w.Key("description");
    w.String(p.description);
    write_strings(w, "certifications", p.certifications);
    w.Key("hs_code");
    w.String(p.hs_code);
    w.EndObject();
  }
  w.EndArray();
  write_strings(w, "certifications", c.certifications);
  write_strings(w, "target_markets", c.target_markets);
  write_strings(w, "languages", c.languages);
  write_money(w, "min_deal", c.min_deal);
  w.Key("venue");
  w.String(c.venue);
  w.Key("table");
  w.String(c.table);
  w.Key("seats");
  w.Int(c.seats);
  write_ints(w, "unavailable_slots", c.unavailable_slots);
  w.Key("cluster_type");
  w.String(std::string(kClusterNames[static_cast<std::size_t>(c.cluster)]));
  w.EndObject();
}

// One element per line: large files stay readable with line tools (head, grep, wc -l).
template <typename T, typename Fn>
std::string json_lines(const std::vector<T>& items, Fn write) {
  std::string out = "[\n";
  for (std::size_t i = 0; i < items.size(); ++i) {
    rapidjson::StringBuffer buffer;
    Writer writer(buffer);
    write(writer, items[i]);
    out.append(buffer.GetString(), buffer.GetSize());
    out += i + 1 < items.size() ? ",\n" : "\n";
  }
  out += "]\n";
  return out;
}

}  // namespace

std::string buyers_json(const GeneratedEvent& event) {
  return json_lines(event.buyers, write_buyer);
}

std::string companies_json(const GeneratedEvent& event) {
  return json_lines(event.companies, write_company);
}

std::string truth_json(const GeneratedEvent& event) {
  std::vector<std::size_t> indexes(event.truth.size());
  for (std::size_t i = 0; i < indexes.size(); ++i) indexes[i] = i;
  return json_lines(indexes, [&](Writer& w, std::size_t i) {
    const BuyerTruth& t = event.truth[i];
    auto ids = [&](const std::vector<std::uint32_t>& list) {
      std::vector<std::string> out;
      for (auto c : list) out.push_back(event.companies[c].external_id);
      return out;
    };
    w.StartObject();
    w.Key("buyer");
    w.String(event.buyers[i].external_id);
    write_strings(w, "true_categories", t.true_categories);
    w.Key("true_market");
    w.String(t.true_market);
    write_strings(w, "intended", ids(t.intended));
    write_strings(w, "relevant", ids(t.relevant));
    w.EndObject();
  });
}

std::string event_json(const GeneratedEvent& event) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("name");
  w.String(event.name);
  w.Key("time_zone");
  w.String("Asia/Seoul");
  w.Key("slot_minutes");
  w.Int(30);
  w.Key("days");
  w.StartArray();
  for (int day = 0; day < kDays; ++day) {
    w.StartObject();
    w.Key("date");
    w.String("2023-09-1" + std::to_string(3 + day));
    w.Key("sessions");
    w.StartArray();
    auto session = [&](const char* name, const char* start, const char* end, bool with_break) {
      w.StartObject();
      w.Key("name");
      w.String(name);
      w.Key("start");
      w.String(start);
      w.Key("end");
      w.String(end);
      w.Key("breaks");
      w.StartArray();
      if (with_break) {
        w.StartObject();
        w.Key("start");
        w.String("15:30");
        w.Key("end");
        w.String("16:00");
        w.EndObject();
      }
      w.EndArray();
      w.EndObject();
    };
    session("morning", "09:30", "12:00", false);
    session("afternoon", "13:30", "17:30", true);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  std::array<int, kVenues.size()> tables{};
  for (const auto& c : event.companies) {
    for (std::size_t v = 0; v < kVenues.size(); ++v) {
      if (c.venue == kVenues[v]) tables[v] = std::max(tables[v], std::stoi(c.table.substr(1)));
    }
  }
  constexpr std::array<std::string_view, 4> kVenueNames = {
      "Pangyo Gravity Hotel (main hall)", "Bundang Healthcare Innovation Park", "Kins Tower",
      "Regional education and training centre"};
  w.Key("venues");
  w.StartArray();
  for (std::size_t v = 0; v < kVenues.size(); ++v) {
    w.StartObject();
    w.Key("id");
    w.String(std::string(kVenues[v]));
    w.Key("name");
    w.String(std::string(kVenueNames[v]));
    w.Key("tables");
    w.Int(std::max(1, tables[v]));
    w.EndObject();
  }
  w.EndArray();
  // Every pair of venues needs a travel time (the event format requires it): shuttle minutes
  // as in the Seongnam sample, the main hall close to the others.
  w.Key("travel");
  w.StartArray();
  for (std::size_t a = 0; a < kVenues.size(); ++a) {
    for (std::size_t b = a + 1; b < kVenues.size(); ++b) {
      w.StartObject();
      w.Key("from");
      w.String(std::string(kVenues[a]));
      w.Key("to");
      w.String(std::string(kVenues[b]));
      w.Key("minutes");
      w.Int(a == 0 ? 15 : 25);
      w.EndObject();
    }
  }
  w.EndArray();
  w.Key("interpreters");
  w.StartArray();
  for (const auto& pair : event.interpreter_pairs) {
    w.StartObject();
    w.Key("languages");
    w.StartArray();
    w.String(pair.substr(0, pair.find('-')));
    w.String("ko");
    w.EndArray();
    w.Key("count");
    w.Int(std::min(event::kMaxInterpretersPerPool, 1 + static_cast<int>(event.buyers.size() / 40)));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace sangdam::generator
