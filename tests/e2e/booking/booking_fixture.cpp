#include "tests/e2e/booking/booking_fixture.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <tuple>

#include "services/common/redis.hpp"
#include "tests/support/async.hpp"

namespace sangdam::testing::booking {

std::vector<StoredMeeting> read_stored_meetings(int redis_port, const std::string& event_id) {
  boost::asio::io_context io;
  redis::Options options;
  options.port = redis_port;
  auto client = redis::connect(io.get_executor(), options);
  redis::Command read{"HVALS", "sangdam:{ev:" + event_id + "}:meetings"};
  auto reply = run_sync(io, client->call(std::move(read)));
  client->close();
  std::vector<StoredMeeting> out;
  for (const auto& item : reply.elements) {
    rapidjson::Document doc;
    doc.Parse(item.str.c_str(), item.str.size());
    if (doc.HasParseError()) throw std::runtime_error("stored meeting is not JSON: " + item.str);
    StoredMeeting m;
    m.id = doc["id"].GetString();
    m.buyer = doc["buyer_id"].GetString();
    m.company = doc["company_id"].GetString();
    m.venue = doc["venue"].GetString();
    m.table = doc["table"].GetString();
    m.interpreter = doc["interpreter"].GetString();
    m.status = doc["status"].GetString();
    m.slot = doc["slot"].GetInt();
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<std::string> violations(const World& w, const std::vector<StoredMeeting>& all) {
  std::vector<std::string> bad;
  auto fail = [&bad](const std::string& what) { bad.push_back(what); };
  std::map<std::pair<std::string, int>, int> participant_slot;
  std::map<std::tuple<std::string, int, std::string>, std::set<std::string>> table_companies;
  std::map<std::tuple<std::string, int, std::string>, int> table_load;
  std::map<std::pair<std::string, int>, int> interpreter_load;
  std::map<std::pair<std::string, int>, int> per_day;
  std::set<std::pair<std::string, std::string>> pairs;
  std::map<std::string, std::vector<std::pair<int, std::string>>> buyer_venues;
  for (const auto& m : all) {
    if (m.status != "scheduled") continue;
    std::string at =
        m.id + " (" + m.buyer + " " + m.company + " slot " + std::to_string(m.slot) + ")";
    if (!w.companies.count(m.company) || !w.buyers.count(m.buyer)) {
      fail(at + ": unknown participant");
      continue;
    }
    const auto& c = w.companies.at(m.company);
    const auto& b = w.buyers.at(m.buyer);
    if (m.venue != c.venue) fail(at + ": not at the company's venue");
    if (!c.table.empty() && m.table != c.table) fail(at + ": not at the company's own table");
    const auto& labels = w.venue_tables.at(m.venue);
    if (c.table.empty() && std::find(labels.begin(), labels.end(), m.table) == labels.end()) {
      fail(at + ": table " + m.table + " is not a table of " + m.venue);
    }
    if (b.unavailable.count(m.slot) || c.unavailable.count(m.slot)) {
      fail(at + ": in an unavailable slot");
    }
    if (++participant_slot[{m.buyer, m.slot}] > 1) fail(at + ": buyer double-booked");
    if (++participant_slot[{m.company, m.slot}] > c.seats) fail(at + ": company over its seats");
    table_companies[{m.venue, m.slot, m.table}].insert(m.company);
    if (table_companies[{m.venue, m.slot, m.table}].size() > 1) fail(at + ": table shared");
    int load = ++table_load[{m.venue, m.slot, m.table}];
    if (load > (c.table.empty() ? 1 : c.seats)) fail(at + ": table double-booked");
    bool shared = false;
    for (const auto& l : b.languages) shared = shared || c.languages.count(l);
    if (shared && !m.interpreter.empty()) fail(at + ": interpreter without need");
    if (!shared) {
      if (m.interpreter.empty()) {
        fail(at + ": no interpreter for a pair without a common language");
      } else if (++interpreter_load[{m.interpreter, m.slot}] > w.interpreters.at(m.interpreter)) {
        fail(at + ": interpreter double-booked");
      }
    }
    int day = m.slot / w.slots_per_day;
    if (++per_day[{m.buyer, day}] > w.max_per_day) fail(at + ": buyer over the daily maximum");
    if (++per_day[{m.company, day}] > w.max_per_day) fail(at + ": company over the daily max");
    if (!pairs.insert({m.buyer, m.company}).second) fail(at + ": the pair meets twice");
    buyer_venues[m.buyer].emplace_back(m.slot, m.venue);
  }
  // Travel: two meetings of a buyer on one day at different venues leave the travel time
  // between the end of the first and the start of the second (slots are back to back).
  for (auto& [buyer, items] : buyer_venues) {
    for (const auto& [s, u] : items) {
      for (const auto& [t, v] : items) {
        if (s >= t || u == v || s / w.slots_per_day != t / w.slots_per_day) continue;
        int gap = (t - s - 1) * w.slot_minutes;
        if (gap < w.travel.at({u, v})) {
          fail(buyer + ": no time to travel from " + u + " (slot " + std::to_string(s) + ") to " +
               v + " (slot " + std::to_string(t) + ")");
        }
      }
    }
  }
  return bad;
}

}  // namespace sangdam::testing::booking
