// Short builders for ledger records, shared by the ledger unit tests.
#pragma once

#include <chrono>
#include <string>

#include "matching/ledger/ledger.hpp"
#include "matching/ledger/rates.hpp"

namespace sangdam::ledger::testing {

inline Time at_minute(int minute) {
  // 2023-09-13T00:00:00Z plus minutes: the first day of the reference event.
  return Time(std::chrono::seconds(1694563200)) + std::chrono::minutes(minute);
}

inline Money usd(std::int64_t units) {
  return Money{units * 100, "USD"};
}

inline MeetingRecord meeting(std::string id, std::string buyer, std::string company,
                             std::string country = "VN", std::string day = "2023-09-13",
                             std::string venue = "pangyo-gravity") {
  MeetingRecord m;
  m.id = std::move(id);
  m.buyer_id = std::move(buyer);
  m.company_id = std::move(company);
  m.buyer_country = std::move(country);
  m.company_name = "Company " + m.company_id;
  m.category = "medical-devices";
  m.day = std::move(day);
  m.venue = std::move(venue);
  return m;
}

inline OutcomeReport held(std::string id, std::string meeting_id, Side reporter,
                          std::optional<Money> value = std::nullopt,
                          std::optional<Rating> rating = std::nullopt, int minute = 60) {
  OutcomeReport r;
  r.id = std::move(id);
  r.meeting_id = std::move(meeting_id);
  r.reporter = reporter;
  r.held = true;
  r.value = std::move(value);
  r.rating = rating;
  r.reported_at = at_minute(minute);
  return r;
}

inline OutcomeReport no_show(std::string id, std::string meeting_id, Side reporter,
                             Absent absent = Absent::kUnknown, int minute = 60) {
  OutcomeReport r;
  r.id = std::move(id);
  r.meeting_id = std::move(meeting_id);
  r.reporter = reporter;
  r.held = false;
  r.absent = absent;
  r.reported_at = at_minute(minute);
  return r;
}

inline DealChange deal_version(std::string id, std::int64_t version, DealKind kind, Money value,
                               DealStatus status = DealStatus::kSigned,
                               std::vector<std::string> meetings = {}, std::string buyer = "b1",
                               std::string company = "c1", bool on_site = false) {
  DealChange change;
  change.version = version;
  change.changed_by = "c1";
  change.changed_at = at_minute(static_cast<int>(version) * 1000);
  change.deal.id = std::move(id);
  change.deal.kind = kind;
  change.deal.buyer_id = std::move(buyer);
  change.deal.company_id = std::move(company);
  change.deal.value = std::move(value);
  change.deal.signed_on = "2023-09-14";
  change.deal.status = status;
  change.deal.meeting_ids = std::move(meetings);
  change.deal.on_site = on_site;
  return change;
}

// USD 1, KRW at the rate the organizer's press release used, VND and EUR.
inline Rates sample_rates() {
  Rates rates;
  rates.date = "2023-09-13";
  rates.source = "test";
  rates.to_usd = {{"USD", kRateScale},
                  {"KRW", 7'700'000},        // 0.000770
                  {"VND", 414'000},          // 0.0000414
                  {"EUR", 10'730'000'000}};  // 1.0730
  return rates;
}

}  // namespace sangdam::ledger::testing
