// Property: whatever order records arrive in, however often each is redelivered, the report
// equals one computed by a separate, deliberately plain reference from the de-duplicated raw
// records.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <tuple>
#include <variant>

#include "ledger_fixtures.hpp"
#include "matching/ledger/report.hpp"

using namespace sangdam;
using namespace sangdam::ledger;
using namespace sangdam::ledger::testing;

namespace {

using Record = std::variant<ParticipantRecord, MeetingRecord, CheckIn, OutcomeReport, DealChange>;
using Amounts = std::map<std::string, std::int64_t, std::less<>>;

constexpr int kBuyers = 7;     // b6 registered without meetings, b5 never registered
constexpr int kCompanies = 4;  // c3 never registered
constexpr int kMeetings = 25;
constexpr int kDeals = 8;

const char* kCountries[] = {"VN", "US", "TH"};
const char* kCategories[] = {"devices", "wellness"};
const char* kDays[] = {"2023-09-13", "2023-09-14", "2023-09-15"};
const char* kVenues[] = {"pangyo-gravity", "kins-tower"};
const char* kCurrencies[] = {"USD", "KRW", "VND", "EUR"};

struct World {
  std::vector<Record> unique;  // every distinct record once
};

World generate(std::mt19937& rng) {
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  auto chance = [&](double p) { return std::bernoulli_distribution(p)(rng); };
  auto buyer_country = [](int b) { return std::string(kCountries[b % 3]); };
  auto company_category = [](int c) { return std::string(kCategories[c % 2]); };
  World world;
  for (int b = 0; b < kBuyers; ++b) {
    if (b == 5) continue;
    world.unique.push_back(ParticipantRecord{"b" + std::to_string(b), true,
                                             "Buyer " + std::to_string(b), buyer_country(b), ""});
  }
  for (int c = 0; c < kCompanies - 1; ++c) {
    world.unique.push_back(ParticipantRecord{
        "c" + std::to_string(c), false, "Company c" + std::to_string(c), "", company_category(c)});
  }
  int report_serial = 0;
  int check_in_serial = 0;
  for (int m = 0; m < kMeetings; ++m) {
    std::string id = "m" + std::to_string(m);
    int b = pick(kBuyers - 1);  // never b6
    int c = pick(kCompanies);
    int versions = 1 + pick(3);
    for (int v = 1; v <= versions; ++v) {
      MeetingRecord record = meeting(id, "b" + std::to_string(b), "c" + std::to_string(c),
                                     buyer_country(b), kDays[pick(3)], kVenues[pick(2)]);
      record.company_name = "Company c" + std::to_string(c);
      record.category = company_category(c);
      record.version = v;
      record.status = chance(0.2) ? MeetingStatus::kCancelled : MeetingStatus::kScheduled;
      world.unique.push_back(record);
    }
    int reports = pick(5);
    // A report on a meeting the ledger never hears of must not count anywhere.
    std::string target = m == 0 ? "m_unknown" : id;
    for (int r = 0; r < reports; ++r) {
      Side reporter = static_cast<Side>(pick(3));
      std::string report_id = "r" + std::to_string(report_serial++);
      int minute = pick(6);  // few distinct times: ties are broken by report id
      if (chance(0.6)) {
        std::optional<Money> value;
        if (chance(0.7)) {
          value = Money{1 + pick(1'000'000'000), kCurrencies[pick(4)]};
        }
        std::optional<Rating> rating;
        if (chance(0.8)) rating = static_cast<Rating>(1 + pick(3));
        OutcomeReport report = held(report_id, target, reporter, value, rating, minute);
        report.follow_up = chance(0.5);
        world.unique.push_back(report);
      } else {
        world.unique.push_back(
            no_show(report_id, target, reporter, static_cast<Absent>(pick(4)), minute));
      }
    }
    for (Side side : {Side::kBuyer, Side::kCompany}) {
      if (chance(0.4)) {
        world.unique.push_back(CheckIn{"k" + std::to_string(check_in_serial++), id, side,
                                       static_cast<Side>(pick(3)), at_minute(0),
                                       chance(0.3) ? 1 + pick(30) : 0});
      }
    }
  }
  for (int d = 0; d < kDeals; ++d) {
    std::string id = "d" + std::to_string(d);
    DealKind kind = chance(0.5) ? DealKind::kMou : DealKind::kContract;
    // d7 names a buyer the ledger never hears of.
    std::string buyer = d == 7 ? "b_unknown" : "b" + std::to_string(pick(kBuyers));
    std::string company = "c" + std::to_string(pick(kCompanies));
    bool on_site = chance(0.5);
    std::vector<std::string> meetings;
    for (int k = pick(3); k > 0; --k) meetings.push_back("m" + std::to_string(pick(kMeetings + 2)));
    int versions = 1 + pick(4);
    for (int v = 1; v <= versions; ++v) {
      DealStatus status = static_cast<DealStatus>(pick(3));
      world.unique.push_back(deal_version(id, v, kind,
                                          Money{1 + pick(1'000'000'000), kCurrencies[pick(4)]},
                                          status, meetings, buyer, company, on_site));
    }
  }
  return world;
}

std::vector<Record> deliveries(const World& world, std::mt19937& rng) {
  std::vector<Record> sent;
  for (const Record& record : world.unique) {
    int copies = 1 + std::uniform_int_distribution<int>(0, 2)(rng);
    for (int i = 0; i < copies; ++i) sent.push_back(record);
  }
  std::shuffle(sent.begin(), sent.end(), rng);
  return sent;
}

int apply_all(Ledger& ledger, const std::vector<Record>& records) {
  int changes = 0;
  for (const Record& record : records) {
    changes += std::visit([&](const auto& r) { return ledger.apply(r); }, record);
  }
  return changes;
}

// ---- The reference: plain loops over the unique records, written from docs/ledger.md. ----

struct RefLine {
  int meetings = 0, held = 0, no_shows = 0, mous = 0, contracts = 0, on_site = 0;
  Amounts held_value, mou_value, contract_value, on_site_value;
};

template <typename T>
std::vector<T> all_of(const World& world) {
  std::vector<T> out;
  for (const Record& record : world.unique) {
    if (const T* r = std::get_if<T>(&record)) out.push_back(*r);
  }
  return out;
}

std::map<std::pair<std::string, std::string>, RefLine> reference(const World& world) {
  std::map<std::string, MeetingRecord> current;
  for (const auto& m : all_of<MeetingRecord>(world)) {
    if (!current.contains(m.id) || current[m.id].version < m.version) current[m.id] = m;
  }
  auto participants = all_of<ParticipantRecord>(world);
  auto country_of = [&](const std::string& buyer) -> std::string {
    for (const auto& p : participants) {
      if (p.id == buyer) return p.country;
    }
    for (const auto& [id, m] : current) {
      if (m.buyer_id == buyer) return m.buyer_country;
    }
    return "(none)";
  };
  auto category_of = [&](const std::string& company) -> std::string {
    for (const auto& p : participants) {
      if (p.id == company) return p.category;
    }
    for (const auto& [id, m] : current) {
      if (m.company_id == company) return m.category;
    }
    return "(none)";
  };

  std::map<std::pair<std::string, std::string>, RefLine> lines;
  auto lines_of = [&](const std::string& country, const std::string& company,
                      const std::string& category, const std::string& day,
                      const std::string& venue) {
    return std::vector<RefLine*>{&lines[{"total", "all"}],     &lines[{"buyer_country", country}],
                                 &lines[{"company", company}], &lines[{"category", category}],
                                 &lines[{"day", day}],         &lines[{"venue", venue}]};
  };

  auto reports = all_of<OutcomeReport>(world);
  for (const auto& [id, m] : current) {
    if (m.status == MeetingStatus::kCancelled) continue;
    const OutcomeReport* latest[3] = {nullptr, nullptr, nullptr};  // buyer, company, organizer
    for (const auto& r : reports) {
      if (r.meeting_id != id) continue;
      const OutcomeReport*& slot = latest[static_cast<int>(r.reporter)];
      if (!slot || slot->reported_at < r.reported_at ||
          (slot->reported_at == r.reported_at && slot->id < r.id)) {
        slot = &r;
      }
    }
    const OutcomeReport* buyer = latest[0];
    const OutcomeReport* company = latest[1];
    const OutcomeReport* organizer = latest[2];
    bool any = buyer || company || organizer;
    bool held_meeting = false;
    if (organizer) {
      held_meeting = organizer->held;
    } else {
      held_meeting = (buyer && buyer->held) || (company && company->held);
    }
    std::optional<Money> value;
    if (held_meeting) {
      if (organizer && organizer->held && organizer->value) {
        value = organizer->value;
      } else if (company && company->held && company->value) {
        value = company->value;
      } else if (buyer && buyer->held && buyer->value) {
        value = buyer->value;
      }
    }
    for (RefLine* line : lines_of(m.buyer_country, m.company_id, m.category, m.day, m.venue)) {
      ++line->meetings;
      if (!any) continue;
      if (held_meeting) {
        ++line->held;
        if (value) line->held_value[value->currency] += value->hundredths;
      } else {
        ++line->no_shows;
      }
    }
  }

  std::map<std::string, DealChange> deals;
  for (const auto& change : all_of<DealChange>(world)) {
    if (!deals.contains(change.deal.id) || deals[change.deal.id].version < change.version) {
      deals[change.deal.id] = change;
    }
  }
  for (const auto& [id, change] : deals) {
    const Deal& deal = change.deal;
    if (deal.status == DealStatus::kCancelled) continue;
    std::string day = "(none)";
    std::string venue = "(none)";
    std::string earliest_key = "~";
    for (const auto& meeting_id : deal.meeting_ids) {
      if (!current.contains(meeting_id)) continue;
      const MeetingRecord& m = current[meeting_id];
      if (m.day + "/" + m.id < earliest_key) {
        earliest_key = m.day + "/" + m.id;
        day = m.day;
        venue = m.venue;
      }
    }
    for (RefLine* line : lines_of(country_of(deal.buyer_id), deal.company_id,
                                  category_of(deal.company_id), day, venue)) {
      if (deal.kind == DealKind::kMou) {
        ++line->mous;
        line->mou_value[deal.value.currency] += deal.value.hundredths;
      } else {
        ++line->contracts;
        line->contract_value[deal.value.currency] += deal.value.hundredths;
        if (deal.on_site) {
          ++line->on_site;
          line->on_site_value[deal.value.currency] += deal.value.hundredths;
        }
      }
    }
  }
  return lines;
}

// Meetings per buyer over everyone known, as sorted counts.
std::vector<int> reference_buyer_counts(const World& world) {
  std::map<std::string, int> counts;
  for (const auto& p : all_of<ParticipantRecord>(world)) {
    if (p.is_buyer) counts[p.id];
  }
  std::map<std::string, MeetingRecord> current;
  for (const auto& m : all_of<MeetingRecord>(world)) {
    if (!current.contains(m.id) || current[m.id].version < m.version) current[m.id] = m;
  }
  for (const auto& [id, m] : current) {
    counts[m.buyer_id] += m.status == MeetingStatus::kScheduled ? 1 : 0;
  }
  std::vector<int> sorted;
  for (const auto& [id, n] : counts) sorted.push_back(n);
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

void check_line(const ReportLine& line, const RefLine& ref, const Rates& rates) {
  INFO(line.dimension << "/" << line.key);
  CHECK(line.meetings == ref.meetings);
  CHECK(line.held == ref.held);
  CHECK(line.no_shows == ref.no_shows);
  CHECK(line.held_value.by_currency == ref.held_value);
  CHECK(line.held_value.usd == convert_total(rates, ref.held_value, "USD"));
  CHECK(line.held_value.krw == convert_total(rates, ref.held_value, "KRW"));
  CHECK(line.mous == ref.mous);
  CHECK(line.mou_value.by_currency == ref.mou_value);
  CHECK(line.contracts == ref.contracts);
  CHECK(line.contract_value.by_currency == ref.contract_value);
  CHECK(line.contract_value.usd == convert_total(rates, ref.contract_value, "USD"));
  CHECK(line.on_site_contracts == ref.on_site);
  CHECK(line.on_site_contract_value.by_currency == ref.on_site_value);
}

}  // namespace

TEST_CASE("the report equals the reference after random, redelivered, reordered records") {
  Rates rates = sample_rates();
  for (std::uint32_t seed = 1; seed <= 60; ++seed) {
    INFO("seed " << seed);
    std::mt19937 rng(seed);
    World world = generate(rng);

    Ledger ledger;
    apply_all(ledger, deliveries(world, rng));
    Report report = compute_report(ledger.state(), rates);

    auto expected = reference(world);
    std::size_t breakdown_lines = 0;
    for (const auto& [dimension_key, ref] : expected) {
      if (dimension_key.first == "total") {
        check_line(report.total, ref, rates);
        continue;
      }
      ++breakdown_lines;
      auto it = std::find_if(report.lines.begin(), report.lines.end(), [&](const ReportLine& l) {
        return l.dimension == dimension_key.first && l.key == dimension_key.second;
      });
      INFO(dimension_key.first << "/" << dimension_key.second);
      REQUIRE(it != report.lines.end());
      check_line(*it, ref, rates);
    }
    CHECK(report.lines.size() == breakdown_lines);

    std::vector<int> counts = reference_buyer_counts(world);
    CHECK(report.total.buyers.participants == static_cast<int>(counts.size()));
    CHECK(report.total.buyers.min == counts.front());
    CHECK(report.total.buyers.max == counts.back());

    // Everything again, in another order: nothing changes, the report is identical.
    CHECK(apply_all(ledger, deliveries(world, rng)) == 0);
    Ledger reordered;
    apply_all(reordered, deliveries(world, rng));
    CHECK(compute_report(reordered.state(), rates) == report);
    CHECK(to_csv(compute_report(reordered.state(), rates)) == to_csv(report));
  }
}
