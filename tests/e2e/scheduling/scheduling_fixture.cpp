#include "tests/e2e/scheduling/scheduling_fixture.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <boost/asio/io_context.hpp>
#include <set>
#include <stdexcept>
#include <thread>
#include <tuple>

#include "services/common/redis.hpp"
#include "tests/support/async.hpp"

namespace sangdam::testing::scheduling {

namespace {

std::vector<Party> import_role(const std::string& url, const Sample& s, const std::string& role,
                               const std::string& file) {
  auto report = call(url, s.organizer_token, "POST", s.base + "/imports?role=" + role,
                     read_text_file(sample_path(file)), "text/csv");
  if (report.status != 200 || report.json["summary"]["rejected"].GetInt() != 0) {
    throw std::runtime_error("importing " + file + ": " + report.body);
  }
  std::vector<Party> out;
  for (const auto& row : report.json["accepted"].GetArray()) {
    out.push_back({row["id"].GetString(), row["token"].GetString()});
  }
  return out;
}

}  // namespace

std::string sample_event_with(const std::map<std::string, std::string>& policies) {
  rapidjson::Document doc;
  std::string text = read_text_file(sample_path("event.json"));
  doc.Parse(text.c_str(), text.size());
  auto& a = doc.GetAllocator();
  for (const auto& [key, value] : policies) {
    rapidjson::Document v(&a);
    v.Parse(value.c_str(), value.size());
    rapidjson::Value name(key.c_str(), a);
    doc["policies"].RemoveMember(key.c_str());
    doc["policies"].AddMember(name, rapidjson::Value(v, a), a);
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  doc.Accept(w);
  return buffer.GetString();
}

Sample load_sample(const std::string& url, const std::string& event_json) {
  auto created = call(url, kAdminToken, "POST", "/v1/events", event_json);
  if (created.status != 201) throw std::runtime_error("creating the event: " + created.body);
  Sample s;
  s.event_id = created.json["id"].GetString();
  s.organizer_token = created.json["organizer_token"].GetString();
  s.base = "/v1/events/" + s.event_id;
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  created.json["event"].Accept(w);
  s.event_json = buffer.GetString();
  s.buyers = import_role(url, s, "buyer", "buyers.csv");
  s.companies = import_role(url, s, "company", "companies.csv");
  return s;
}

JsonAnswer send_request(const std::string& url, const Sample& s, const Party& from,
                        const std::string& to_id, const std::string& extra,
                        const std::string& idempotency_key) {
  std::string body = "{\"to\":\"" + to_id + "\"" + extra + "}";
  if (idempotency_key.empty()) return call(url, from.token, "POST", s.base + "/requests", body);
  HttpCall http(url, from.token, std::chrono::seconds(30));
  auto raw = http.send("POST", s.base + "/requests", body, "application/json",
                       {{"Idempotency-Key", idempotency_key}});
  JsonAnswer out;
  out.status = raw.status;
  out.body = raw.body;
  out.json.Parse(raw.body.c_str(), raw.body.size());
  return out;
}

JsonAnswer answer_request(const std::string& url, const Sample& s, const std::string& token,
                          const std::string& request_id, const std::string& action) {
  return call(url, token, "POST", s.base + "/requests/" + request_id + "/" + action);
}

JsonAnswer wait_for_run(const std::string& url, const Sample& s, const std::string& run_id,
                        std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (true) {
    auto run = call(url, s.organizer_token, "GET", s.base + "/schedule/runs/" + run_id);
    if (run.status != 200) throw std::runtime_error("reading the run: " + run.body);
    std::string status = run.json["status"].GetString();
    if (status == "done" || status == "failed") return run;
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("the run did not finish in time: " + run.body);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::vector<std::map<std::string, std::string>> stream_entries(int redis_port,
                                                               const std::string& stream) {
  auto reply = redis_call(redis_port, {"XRANGE", stream, "-", "+"});
  std::vector<std::map<std::string, std::string>> out;
  for (const auto& entry : reply.elements) {
    std::map<std::string, std::string> fields;
    const auto& list = entry.elements.at(1).elements;
    for (std::size_t i = 0; i + 1 < list.size(); i += 2) fields[list[i].str] = list[i + 1].str;
    out.push_back(std::move(fields));
  }
  return out;
}

std::vector<std::string> stream_types(int redis_port, const std::string& stream) {
  std::vector<std::string> out;
  for (auto& fields : stream_entries(redis_port, stream)) out.push_back(fields["type"]);
  return out;
}

std::string stream_add(int redis_port, const std::string& stream,
                       const std::vector<std::string>& fields) {
  redis::Command command{"XADD", stream, "*"};
  command.insert(command.end(), fields.begin(), fields.end());
  auto reply = redis_call(redis_port, std::move(command));
  if (reply.is_error()) throw std::runtime_error("XADD: " + reply.str);
  return reply.str;
}

bool wait_consumed(int redis_port, const std::string& stream, const std::string& group,
                   const std::string& id, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    auto groups = redis_call(redis_port, {"XINFO", "GROUPS", stream});
    for (const auto& g : groups.elements) {
      std::map<std::string, const redis::Reply*> info;
      for (std::size_t i = 0; i + 1 < g.elements.size(); i += 2) {
        info[g.elements[i].str] = &g.elements[i + 1];
      }
      if (info.count("name") && info["name"]->str == group && info.count("pending") &&
          info.count("last-delivered-id") && info["pending"]->integer == 0 &&
          info["last-delivered-id"]->str == id) {
        return true;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::vector<Meeting> timetable(const std::string& url, const Sample& s) {
  auto answer = call(url, s.organizer_token, "GET", s.base + "/schedule?limit=1000");
  if (answer.status != 200) throw std::runtime_error("reading the schedule: " + answer.body);
  std::vector<Meeting> out;
  for (const auto& item : answer.json["items"].GetArray()) {
    Meeting m;
    m.id = item["id"].GetString();
    m.buyer = item["buyer_id"].GetString();
    m.company = item["company_id"].GetString();
    m.venue = item["venue"].GetString();
    m.table = item["table"].GetString();
    m.interpreter = item["interpreter"].GetString();
    m.source = item["source"].GetString();
    m.request_id = item["request_id"].GetString();
    m.slot = item["slot"].GetInt();
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<std::string> timetable_violations(const Sample& s, const std::vector<Meeting>& all,
                                              const std::string& url) {
  rapidjson::Document event;
  event.Parse(s.event_json.c_str(), s.event_json.size());
  std::map<std::string, std::set<std::string>> venue_tables;
  for (const auto& v : event["venues"].GetArray()) {
    for (const auto& t : v["tables"].GetArray())
      venue_tables[v["id"].GetString()].insert(t.GetString());
  }
  auto companies =
      call(url, s.organizer_token, "GET", s.base + "/participants?role=company&limit=500");
  std::map<std::string, int> seats;
  for (const auto& c : companies.json["items"].GetArray()) {
    seats[c["id"].GetString()] = c.HasMember("seats") ? c["seats"].GetInt() : 1;
  }

  std::vector<std::string> bad;
  std::map<std::pair<std::string, int>, int> load;  // participant, slot
  std::map<std::tuple<std::string, int, std::string>, std::set<std::string>> table_holders;
  std::map<std::pair<std::string, int>, std::set<std::string>> venue_labels;  // venue, slot
  std::set<std::pair<std::string, std::string>> pairs;
  for (const auto& m : all) {
    std::string at = m.buyer + "/" + m.company + " slot " + std::to_string(m.slot);
    if (++load[{m.buyer, m.slot}] > 1) bad.push_back(at + ": buyer double-booked");
    if (++load[{m.company, m.slot}] > seats[m.company]) bad.push_back(at + ": company over seats");
    if (!venue_tables[m.venue].count(m.table)) bad.push_back(at + ": table not of its venue");
    auto& holders = table_holders[{m.venue, m.slot, m.table}];
    holders.insert(m.company);
    if (holders.size() > 1) bad.push_back(at + ": table shared by two companies");
    venue_labels[{m.venue, m.slot}].insert(m.table);
    if (venue_labels[{m.venue, m.slot}].size() > venue_tables[m.venue].size()) {
      bad.push_back(at + ": venue over its tables");
    }
    if (!pairs.insert({m.buyer, m.company}).second) bad.push_back(at + ": pair meets twice");
  }
  return bad;
}

}  // namespace sangdam::testing::scheduling
