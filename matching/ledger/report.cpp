#include "matching/ledger/report.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <set>

namespace sangdam::ledger {
namespace {

constexpr int kRateDecimals = 4;  // no-show rate "0.0870"

enum Dimension { kBuyerCountry, kCompany, kCategory, kDay, kVenue, kDimensionCount };

using Keys = std::array<std::string, kDimensionCount>;

std::string or_none(const std::string& value) {
  return value.empty() ? std::string(kNoneKey) : value;
}

// A report line while it is being summed: the line plus meetings per participant seen in it.
struct Tally {
  ReportLine line;
  std::map<std::string, int> buyer_meetings;
  std::map<std::string, int> company_meetings;
};

// Everyone the report knows: registered participants first, then anyone met in a meeting
// (a meeting's snapshot fills in what the registry did not say).
std::map<std::string, ParticipantRecord> directory_of(const LedgerState& state) {
  std::map<std::string, ParticipantRecord> directory = state.participants;
  for (const auto& [id, meeting] : state.meetings) {
    directory.emplace(meeting.buyer_id,
                      ParticipantRecord{meeting.buyer_id, true, "", meeting.buyer_country, ""});
    directory.emplace(
        meeting.company_id,
        ParticipantRecord{meeting.company_id, false, meeting.company_name, "", meeting.category});
  }
  return directory;
}

void add(MoneyTotal& total, const Money& amount) {
  auto& sum = total.by_currency[amount.currency];
  sum = checked_add(sum, amount.hundredths);
}

void convert(MoneyTotal& total, const Rates& rates) {
  total.usd = convert_total(rates, total.by_currency, "USD");
  total.krw = convert_total(rates, total.by_currency, "KRW");
}

Spread spread_of(std::vector<int> counts) {
  Spread spread;
  spread.participants = static_cast<int>(counts.size());
  if (counts.empty()) return spread;
  std::sort(counts.begin(), counts.end());
  spread.min = counts.front();
  spread.max = counts.back();
  std::size_t middle = counts.size() / 2;
  if (counts.size() % 2 == 1) {
    spread.median = std::to_string(counts[middle]);
  } else {
    int twice = counts[middle - 1] + counts[middle];
    spread.median = std::to_string(twice / 2) + (twice % 2 == 1 ? ".5" : "");
  }
  return spread;
}

// Meetings per participant over the line's population: the participants the line is about
// (buyers of its country, the company, companies of its category), or everyone of that role
// when the line is not about that role; plus anyone who had a meeting counted in the line.
Spread spread_for(const std::map<std::string, int>& meetings,
                  const std::map<std::string, ParticipantRecord>& directory, bool buyers,
                  const std::function<bool(const ParticipantRecord&)>& in_population) {
  std::vector<int> counts;
  for (const auto& [id, participant] : directory) {
    if (participant.is_buyer != buyers) continue;
    auto it = meetings.find(id);
    if (it != meetings.end()) {
      counts.push_back(it->second);
    } else if (in_population(participant)) {
      counts.push_back(0);
    }
  }
  return spread_of(std::move(counts));
}

class ReportBuilder {
 public:
  ReportBuilder(const LedgerState& state, const Rates& rates)
      : state_(state), rates_(rates), directory_(directory_of(state)) {
    total_.line.dimension = "total";
    total_.line.key = "all";
    total_.line.label = "all";
  }

  Report build() {
    auto outcomes = resolve_outcomes(state_);
    for (const auto& [id, meeting] : state_.meetings) {
      if (meeting.status == MeetingStatus::kCancelled) continue;
      auto outcome = outcomes.find(id);
      const ResolvedOutcome* resolved = outcome == outcomes.end() ? nullptr : &outcome->second;
      for_each_line(meeting_keys(meeting), participant(meeting.company_id).name,
                    [&](Tally& tally) { count_meeting(tally, meeting, resolved); });
    }
    for (const auto& [id, history] : state_.deals) {
      const Deal& deal = history.back().deal;
      if (deal.status == DealStatus::kCancelled) continue;
      for_each_line(deal_keys(deal), participant(deal.company_id).name,
                    [&](Tally& tally) { count_deal(tally.line, deal); });
    }
    Report report;
    report.rates_date = rates_.date;
    report.rates_source = rates_.source;
    report.total = finish(total_, -1);
    for (auto& [dimension_key, tally] : lines_) {
      report.lines.push_back(finish(tally, dimension_key.first));
    }
    return report;
  }

 private:
  // A deal's party may be unknown to the ledger (its profile event not yet in): it then has
  // no country or category, and must not join the population of the spread.
  const ParticipantRecord& participant(const std::string& id) const {
    static const ParticipantRecord kUnknown{};
    auto it = directory_.find(id);
    return it == directory_.end() ? kUnknown : it->second;
  }

  Keys meeting_keys(const MeetingRecord& meeting) const {
    return {or_none(meeting.buyer_country), meeting.company_id, or_none(meeting.category),
            meeting.day, or_none(meeting.venue)};
  }

  // A deal belongs to its parties' country, company and category, and to the day and venue of
  // the earliest meeting it came from (deals signed months later still credit that meeting).
  Keys deal_keys(const Deal& deal) const {
    const MeetingRecord* origin = nullptr;
    for (const auto& meeting_id : deal.meeting_ids) {
      auto it = state_.meetings.find(meeting_id);
      if (it == state_.meetings.end()) continue;
      if (origin == nullptr ||
          std::tie(it->second.day, it->second.id) < std::tie(origin->day, origin->id)) {
        origin = &it->second;
      }
    }
    return {or_none(participant(deal.buyer_id).country), deal.company_id,
            or_none(participant(deal.company_id).category),
            origin ? origin->day : std::string(kNoneKey),
            origin ? or_none(origin->venue) : std::string(kNoneKey)};
  }

  template <typename Count>
  void for_each_line(const Keys& keys, const std::string& company_name, Count count) {
    count(total_);
    for (int dimension = 0; dimension < kDimensionCount; ++dimension) {
      auto [it, inserted] = lines_.try_emplace({dimension, keys[dimension]});
      if (inserted) {
        it->second.line.dimension = kDimensions[dimension];
        it->second.line.key = keys[dimension];
        it->second.line.label = keys[dimension];
      }
      if (dimension == kCompany && !company_name.empty()) it->second.line.label = company_name;
      count(it->second);
    }
  }

  static void count_meeting(Tally& tally, const MeetingRecord& meeting,
                            const ResolvedOutcome* outcome) {
    ReportLine& line = tally.line;
    ++line.meetings;
    ++tally.buyer_meetings[meeting.buyer_id];
    ++tally.company_meetings[meeting.company_id];
    if (outcome == nullptr) return;
    ++line.reported;
    line.disputed += outcome->disputed;
    line.follow_ups += outcome->follow_up;
    if (outcome->rating) ++line.ratings[static_cast<int>(*outcome->rating)];
    if (!outcome->held) {
      ++line.no_shows;
      return;
    }
    ++line.held;
    if (outcome->value) add(line.held_value, *outcome->value);
  }

  static void count_deal(ReportLine& line, const Deal& deal) {
    if (deal.kind == DealKind::kMou) {
      ++line.mous;
      add(line.mou_value, deal.value);
      return;
    }
    ++line.contracts;
    add(line.contract_value, deal.value);
    if (deal.on_site) {
      ++line.on_site_contracts;
      add(line.on_site_contract_value, deal.value);
    }
  }

  ReportLine finish(Tally& tally, int dimension) const {
    ReportLine line = std::move(tally.line);
    const std::string& key = line.key;
    auto everyone = [](const ParticipantRecord&) { return true; };
    auto buyers_of_line = [&](const ParticipantRecord& p) {
      return dimension != kBuyerCountry || or_none(p.country) == key;
    };
    auto companies_of_line = [&](const ParticipantRecord& p) {
      if (dimension == kCompany) return p.id == key;
      if (dimension == kCategory) return or_none(p.category) == key;
      return true;
    };
    line.buyers = spread_for(tally.buyer_meetings, directory_, true,
                             dimension < 0 ? std::function(everyone) : buyers_of_line);
    line.companies = spread_for(tally.company_meetings, directory_, false,
                                dimension < 0 ? std::function(everyone) : companies_of_line);
    line.no_show_rate = format_ratio(line.no_shows, line.held + line.no_shows, kRateDecimals);
    for (MoneyTotal* total :
         {&line.held_value, &line.mou_value, &line.contract_value, &line.on_site_contract_value}) {
      convert(*total, rates_);
    }
    return line;
  }

  const LedgerState& state_;
  const Rates& rates_;
  std::map<std::string, ParticipantRecord> directory_;
  Tally total_;
  std::map<std::pair<int, std::string>, Tally> lines_;
};

// --- JSON -----------------------------------------------------------------------------------

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void write_money(JsonWriter& w, std::int64_t hundredths, std::string_view currency) {
  w.StartObject();
  w.Key("amount");
  w.String(format_amount(hundredths));
  w.Key("currency");
  w.String(currency.data(), static_cast<rapidjson::SizeType>(currency.size()));
  w.EndObject();
}

void write_total(JsonWriter& w, const char* name, const MoneyTotal& total) {
  w.Key(name);
  w.StartObject();
  w.Key("usd");
  write_money(w, total.usd, "USD");
  w.Key("krw");
  write_money(w, total.krw, "KRW");
  w.Key("original");
  w.StartArray();
  for (const auto& [currency, hundredths] : total.by_currency) {
    write_money(w, hundredths, currency);
  }
  w.EndArray();
  w.EndObject();
}

void write_spread(JsonWriter& w, const char* name, const Spread& spread) {
  w.Key(name);
  w.StartObject();
  w.Key("participants");
  w.Int(spread.participants);
  w.Key("min");
  w.Int(spread.min);
  w.Key("median");
  w.String(spread.median);  // a string: "2.5" is exact, a float might not be
  w.Key("max");
  w.Int(spread.max);
  w.EndObject();
}

void write_line(JsonWriter& w, const ReportLine& line) {
  w.StartObject();
  w.Key("key");
  w.String(line.key);
  w.Key("label");
  w.String(line.label);
  for (auto [name, value] : {std::pair{"meetings", line.meetings},
                             {"reported", line.reported},
                             {"held", line.held},
                             {"no_shows", line.no_shows}}) {
    w.Key(name);
    w.Int(value);
  }
  w.Key("no_show_rate");
  if (line.no_show_rate.empty()) {
    w.Null();
  } else {
    w.String(line.no_show_rate);
  }
  w.Key("disputed");
  w.Int(line.disputed);
  w.Key("follow_ups");
  w.Int(line.follow_ups);
  w.Key("ratings");
  w.StartObject();
  for (int rating = 0; rating < static_cast<int>(line.ratings.size()); ++rating) {
    std::string_view name = rating_name(static_cast<Rating>(rating));
    w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    w.Int(line.ratings[rating]);
  }
  w.EndObject();
  write_total(w, "held_value", line.held_value);
  w.Key("mous");
  w.Int(line.mous);
  write_total(w, "mou_value", line.mou_value);
  w.Key("contracts");
  w.Int(line.contracts);
  write_total(w, "contract_value", line.contract_value);
  w.Key("on_site_contracts");
  w.Int(line.on_site_contracts);
  write_total(w, "on_site_contract_value", line.on_site_contract_value);
  write_spread(w, "meetings_per_buyer", line.buyers);
  write_spread(w, "meetings_per_company", line.companies);
  w.EndObject();
}

// --- CSV ------------------------------------------------------------------------------------

// RFC 4180 field. Text that a spreadsheet would run as a formula (= + - @ first) gets a
// leading apostrophe: a company name must never become a formula on the organizer's machine.
std::string csv_field(std::string_view text) {
  std::string value;
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@')) {
    value = "'";
  }
  value.append(text);
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

constexpr std::string_view kCsvHeader =
    "dimension,key,label,meetings,reported,held,no_shows,no_show_rate,disputed,follow_ups,"
    "rating_did_not_take_place,rating_no_real_interest,rating_informative,"
    "rating_cooperation_likely,held_value_usd,held_value_krw,mous,mou_value_usd,mou_value_krw,"
    "contracts,contract_value_usd,contract_value_krw,on_site_contracts,"
    "on_site_contract_value_usd,on_site_contract_value_krw,buyers,meetings_per_buyer_min,"
    "meetings_per_buyer_median,meetings_per_buyer_max,companies,meetings_per_company_min,"
    "meetings_per_company_median,meetings_per_company_max";

void append_csv_row(std::string& out, const ReportLine& line) {
  std::vector<std::string> cells = {csv_field(line.dimension), csv_field(line.key),
                                    csv_field(line.label)};
  for (int count : {line.meetings, line.reported, line.held, line.no_shows}) {
    cells.push_back(std::to_string(count));
  }
  cells.push_back(line.no_show_rate);
  cells.push_back(std::to_string(line.disputed));
  cells.push_back(std::to_string(line.follow_ups));
  for (int count : line.ratings) cells.push_back(std::to_string(count));
  auto money = [&](const MoneyTotal& total) {
    cells.push_back(format_amount(total.usd));
    cells.push_back(format_amount(total.krw));
  };
  money(line.held_value);
  cells.push_back(std::to_string(line.mous));
  money(line.mou_value);
  cells.push_back(std::to_string(line.contracts));
  money(line.contract_value);
  cells.push_back(std::to_string(line.on_site_contracts));
  money(line.on_site_contract_value);
  for (const Spread* spread : {&line.buyers, &line.companies}) {
    cells.push_back(std::to_string(spread->participants));
    cells.push_back(std::to_string(spread->min));
    cells.push_back(spread->median);
    cells.push_back(std::to_string(spread->max));
  }
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out += ',';
    out += cells[i];
  }
  out += "\r\n";
}

}  // namespace

std::string format_ratio(std::int64_t numerator, std::int64_t denominator, int decimals) {
  if (denominator <= 0) return {};
  std::int64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  std::int64_t scaled = numerator * scale;
  std::int64_t quotient = scaled / denominator;
  std::int64_t twice = (scaled % denominator) * 2;
  if (twice > denominator || (twice == denominator && quotient % 2 == 1)) ++quotient;
  std::string fraction = std::to_string(quotient % scale);
  fraction.insert(0, static_cast<std::size_t>(decimals) - fraction.size(), '0');
  return std::to_string(quotient / scale) + "." + fraction;
}

Report compute_report(const LedgerState& state, const Rates& rates) {
  return ReportBuilder(state, rates).build();
}

std::string to_json(const Report& report) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  w.Key("rates");
  w.StartObject();
  w.Key("date");
  w.String(report.rates_date);
  w.Key("source");
  w.String(report.rates_source);
  w.EndObject();
  w.Key("totals");
  write_line(w, report.total);
  w.Key("breakdowns");
  w.StartObject();
  for (std::string_view dimension : kDimensions) {
    w.Key(dimension.data(), static_cast<rapidjson::SizeType>(dimension.size()));
    w.StartArray();
    for (const auto& line : report.lines) {
      if (line.dimension == dimension) write_line(w, line);
    }
    w.EndArray();
  }
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string to_csv(const Report& report) {
  std::string out(kCsvHeader);
  out += "\r\n";
  append_csv_row(out, report.total);
  for (const auto& line : report.lines) append_csv_row(out, line);
  return out;
}

}  // namespace sangdam::ledger
