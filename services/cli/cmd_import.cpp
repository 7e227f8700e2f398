// sangdam import DIR --server URL --token ADMIN_TOKEN
// sangdam import DIR --server URL --event E --organizer-token TOKEN   (load again into E)
// Loads a sample folder through the HTTP API, exactly as anyone could with curl:
//   DIR/event.json                 -> POST /v1/events (only without --event)
//   DIR/buyers.csv|buyers.json     -> POST /v1/events/{e}/imports?role=buyer
//   DIR/companies.csv|.json        -> POST /v1/events/{e}/imports?role=company
//   DIR/meetings.json (optional)   -> POST /v1/events/{e}/bookings, one per meeting
//   DIR/outcomes.json (optional)   -> POST /v1/events/{e}/meetings/{m}/outcome
//   DIR/deals.json (optional)      -> POST /v1/events/{e}/deals
// The files name participants by their external ids (B-VN-01, C-006) and meetings and deals by
// the file's own ids (M-001, D-01); the import resolves them to the ids the API returned.
//
// Loading again changes nothing: profiles are stored by external id, a pair that already meets
// keeps its meeting (no second booking), and outcomes and deals carry an Idempotency-Key made
// from the file's id, so the API answers the stored record (200) instead of adding one.
//
// Prints one JSON object: event_id, organizer_token, per-file counts, two participant tokens to
// try and, when records were loaded, the report's headline totals once the ledger service has
// caught up (waits at most --wait seconds, default 30). Exit 1 if any row was rejected or a
// call failed.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <thread>

#include "services/cli/command.hpp"
#include "services/common/config.hpp"
#include "services/common/http_call.hpp"

namespace sangdam::cli {

namespace {

namespace fs = std::filesystem;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr int kDefaultReportWaitSeconds = 30;  // the ledger service recomputes within a second
constexpr auto kReportPollInterval = std::chrono::milliseconds(200);
constexpr int kSchedulePageSize = 10000;  // GET /schedule's largest page

struct ImportArgs {
  std::string dir;
  std::string server;
  std::string admin_token;
  std::string event_id;         // load into this event instead of creating one
  std::string organizer_token;  // with event_id
  int wait_seconds = kDefaultReportWaitSeconds;
};

int usage() {
  std::fprintf(stderr,
               "usage: sangdam import DIR --server URL --token ADMIN_TOKEN [--wait S]\n"
               "       sangdam import DIR --server URL --event E --organizer-token T [--wait S]\n"
               "  DIR holds event.json, buyers.csv/companies.csv (or .json arrays) and optionally\n"
               "  meetings.json, outcomes.json, deals.json (see config/samples/seongnam-2023)\n"
               "  --wait S: wait at most S seconds for the ledger's report (default %d)\n",
               kDefaultReportWaitSeconds);
  return 2;
}

rapidjson::Document parse_answer(const HttpAnswer& a, const std::string& what) {
  rapidjson::Document doc;
  doc.Parse(a.body.c_str(), a.body.size());
  if (a.status >= 300 || doc.HasParseError() || !doc.IsObject()) {
    throw std::runtime_error(what + " failed: HTTP " + std::to_string(a.status) + " " + a.body);
  }
  return doc;
}

rapidjson::Document read_json_array(const fs::path& path) {
  rapidjson::Document doc;
  std::string text = read_file(path);
  doc.Parse(text.c_str(), text.size());
  if (doc.HasParseError() || !doc.IsArray()) {
    throw std::runtime_error(path.string() + " is not a JSON array");
  }
  return doc;
}

std::string to_text(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  value.Accept(w);
  return {buffer.GetString(), buffer.GetSize()};
}

// A string member of a record of a sample file, with the file and record named on error.
std::string text_of(const rapidjson::Value& record, const char* name, const std::string& file) {
  if (!record.IsObject() || !record.HasMember(name) || !record[name].IsString()) {
    throw std::runtime_error(file + ": a record has no string \"" + name +
                             "\": " + to_text(record));
  }
  return record[name].GetString();
}

// The file's own ids (external ids, M-001, D-01) -> the ids the API gave them.
class IdMap {
 public:
  explicit IdMap(std::string what) : what_(std::move(what)) {}
  void add(const std::string& file_id, const std::string& api_id) { ids_[file_id] = api_id; }
  const std::string& at(const std::string& file_id) const {
    auto it = ids_.find(file_id);
    if (it == ids_.end()) throw std::runtime_error("unknown " + what_ + " " + file_id);
    return it->second;
  }

 private:
  std::string what_;
  std::map<std::string, std::string> ids_;
};

// Counts per file: new records and records the API already had (a repeated import).
struct FileCounts {
  int created = 0;
  int unchanged = 0;
};

void write_counts(Writer& w, const char* file, const FileCounts& counts) {
  w.Key(file);
  w.StartObject();
  w.Key("created");
  w.Int(counts.created);
  w.Key("unchanged");
  w.Int(counts.unchanged);
  w.EndObject();
}

// Which meeting each (buyer, company) pair already has in the event: a repeated import keeps
// those instead of booking again.
std::map<std::pair<std::string, std::string>, std::string> scheduled_pairs(
    HttpCall& organizer, const std::string& event_id) {
  std::map<std::pair<std::string, std::string>, std::string> pairs;
  std::string cursor = "0";
  while (!cursor.empty()) {
    auto page = parse_answer(
        organizer.send("GET", "/v1/events/" + event_id + "/schedule?limit=" +
                                  std::to_string(kSchedulePageSize) + "&cursor=" + cursor),
        "reading the schedule");
    for (const auto& m : page["items"].GetArray()) {
      pairs[{m["buyer_id"].GetString(), m["company_id"].GetString()}] = m["id"].GetString();
    }
    cursor = page["next_cursor"].IsString() ? page["next_cursor"].GetString() : "";
  }
  return pairs;
}

// meetings.json: [{"id","buyer","company","slot",...}] -> one booking each (organizer).
FileCounts book_meetings(HttpCall& organizer, const std::string& event_id, const fs::path& path,
                         const IdMap& participants, IdMap& meetings) {
  const std::string file = path.filename().string();
  auto records = read_json_array(path);
  auto existing = scheduled_pairs(organizer, event_id);
  FileCounts counts;
  for (const auto& record : records.GetArray()) {
    std::string id = text_of(record, "id", file);
    const std::string& buyer_id = participants.at(text_of(record, "buyer", file));
    const std::string& company_id = participants.at(text_of(record, "company", file));
    if (auto it = existing.find({buyer_id, company_id}); it != existing.end()) {
      meetings.add(id, it->second);
      ++counts.unchanged;
      continue;
    }
    if (!record.HasMember("slot") || !record["slot"].IsInt()) {
      throw std::runtime_error(file + ": meeting " + id + " has no integer slot");
    }
    rapidjson::StringBuffer body;
    Writer w(body);
    w.StartObject();
    w.Key("buyer_id");
    w.String(buyer_id);
    w.Key("company_id");
    w.String(company_id);
    w.Key("slot");
    w.Int(record["slot"].GetInt());
    w.Key("idempotency_key");
    w.String("sample-meeting-" + id);
    w.EndObject();
    auto booked = parse_answer(
        organizer.send("POST", "/v1/events/" + event_id + "/bookings", body.GetString()),
        "booking meeting " + id);
    meetings.add(id, booked["id"].GetString());
    ++counts.created;
  }
  return counts;
}

// POSTs body with an Idempotency-Key: 201 a new record, 200 the one stored under that key.
void post_once(HttpCall& organizer, const std::string& target, const std::string& body,
               const std::string& key, const std::string& what, FileCounts& counts) {
  auto answer =
      organizer.send("POST", target, body, "application/json", {{"Idempotency-Key", key}});
  parse_answer(answer, what);
  ++(answer.status == 201 ? counts.created : counts.unchanged);
}

// outcomes.json: [{"meeting":"M-001","report":{outcome body}}], reported by the organizer.
FileCounts post_outcomes(HttpCall& organizer, const std::string& event_id, const fs::path& path,
                         const IdMap& meetings) {
  const std::string file = path.filename().string();
  auto records = read_json_array(path);
  FileCounts counts;
  for (const auto& record : records.GetArray()) {
    std::string meeting = text_of(record, "meeting", file);
    if (!record.HasMember("report") || !record["report"].IsObject()) {
      throw std::runtime_error(file + ": the outcome of " + meeting + " has no report object");
    }
    post_once(
        organizer, "/v1/events/" + event_id + "/meetings/" + meetings.at(meeting) + "/outcome",
        to_text(record["report"]), "sample-outcome-" + meeting, "reporting " + meeting, counts);
  }
  return counts;
}

// deals.json: [{"id":"D-01","buyer","company","meetings":["M-007"],"deal":{kind, value, ...}}]
// -> the deal body with the API's buyer_id, company_id and meeting_ids.
FileCounts post_deals(HttpCall& organizer, const std::string& event_id, const fs::path& path,
                      const IdMap& participants, const IdMap& meetings) {
  const std::string file = path.filename().string();
  auto records = read_json_array(path);
  FileCounts counts;
  for (auto& record : records.GetArray()) {
    std::string id = text_of(record, "id", file);
    if (!record.HasMember("deal") || !record["deal"].IsObject()) {
      throw std::runtime_error(file + ": deal " + id + " has no deal object");
    }
    rapidjson::Document deal;
    deal.CopyFrom(record["deal"], deal.GetAllocator());
    auto& alloc = deal.GetAllocator();
    auto set = [&](const char* name, rapidjson::Value value) {
      deal.RemoveMember(name);
      deal.AddMember(rapidjson::Value(name, alloc), value, alloc);
    };
    set("buyer_id", rapidjson::Value(participants.at(text_of(record, "buyer", file)), alloc));
    set("company_id", rapidjson::Value(participants.at(text_of(record, "company", file)), alloc));
    rapidjson::Value meeting_ids(rapidjson::kArrayType);
    if (record.HasMember("meetings")) {
      if (!record["meetings"].IsArray()) {
        throw std::runtime_error(file + ": deal " + id + ": meetings is not an array");
      }
      for (const auto& m : record["meetings"].GetArray()) {
        if (!m.IsString()) throw std::runtime_error(file + ": deal " + id + ": a meeting id");
        meeting_ids.PushBack(rapidjson::Value(meetings.at(m.GetString()), alloc), alloc);
      }
    }
    set("meeting_ids", std::move(meeting_ids));
    post_once(organizer, "/v1/events/" + event_id + "/deals", to_text(deal), "sample-deal-" + id,
              "recording deal " + id, counts);
  }
  return counts;
}

// What the import loaded, as the report should count it.
struct Loaded {
  int meetings = 0;
  int outcomes = 0;  // one report per meeting in the sample
  int deals = 0;
};

bool report_has(const rapidjson::Value& totals, const Loaded& loaded) {
  return totals["meetings"].GetInt() >= loaded.meetings &&
         totals["reported"].GetInt() >= loaded.outcomes &&
         totals["mous"].GetInt() + totals["contracts"].GetInt() >= loaded.deals;
}

// Polls GET report until the ledger service's stored copy counts what was loaded (bounded by
// wait); then, or on timeout, writes the headline totals of the last answer.
void write_report(Writer& w, HttpCall& organizer, const std::string& event_id, const Loaded& loaded,
                  std::chrono::seconds wait) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  HttpAnswer answer;
  rapidjson::Document report;
  for (;;) {
    answer = organizer.send("GET", "/v1/events/" + event_id + "/report");
    report = parse_answer(answer, "reading the report");
    bool caught_up =
        answer.header("X-Report-Source") == "stored" && report_has(report["totals"], loaded);
    if (caught_up || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(kReportPollInterval);
  }
  std::string source = answer.header("X-Report-Source");
  if (source != "stored") {
    std::fprintf(stderr,
                 "sangdam import: the ledger service has not stored the report within %lld s "
                 "(is it running?); the totals below were computed by the gateway\n",
                 static_cast<long long>(wait.count()));
  }
  const auto& t = report["totals"];
  auto usd = [&](const char* name) {
    w.Key((std::string(name) + "_usd").c_str());
    w.String(t[name]["usd"]["amount"].GetString());
  };
  w.Key("report");
  w.StartObject();
  w.Key("source");
  w.String(source.empty() ? "unknown" : source);
  w.Key("meetings");
  w.Int(t["meetings"].GetInt());
  w.Key("consultations_held");
  w.Int(t["held"].GetInt());
  usd("held_value");
  w.Key("held_value_krw");
  w.String(t["held_value"]["krw"]["amount"].GetString());
  w.Key("mous");
  w.Int(t["mous"].GetInt());
  usd("mou_value");
  w.Key("contracts");
  w.Int(t["contracts"].GetInt());
  usd("contract_value");
  w.Key("on_site_contracts");
  w.Int(t["on_site_contracts"].GetInt());
  usd("on_site_contract_value");
  w.EndObject();
}

bool parse_args(const std::vector<std::string>& args, ImportArgs& a) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    bool has_value = i + 1 < args.size();
    if (args[i] == "--server" && has_value) {
      a.server = args[++i];
    } else if (args[i] == "--token" && has_value) {
      a.admin_token = args[++i];
    } else if (args[i] == "--event" && has_value) {
      a.event_id = args[++i];
    } else if (args[i] == "--organizer-token" && has_value) {
      a.organizer_token = args[++i];
    } else if (args[i] == "--wait" && has_value) {
      const std::string& text = args[++i];
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), a.wait_seconds);
      if (ec != std::errc() || end != text.data() + text.size() || a.wait_seconds < 0) {
        return false;
      }
    } else if (a.dir.empty() && args[i].rfind("--", 0) != 0) {
      a.dir = args[i];
    } else {
      return false;
    }
  }
  bool new_event = !a.admin_token.empty() && a.event_id.empty() && a.organizer_token.empty();
  bool same_event = !a.event_id.empty() && !a.organizer_token.empty();
  return !a.dir.empty() && !a.server.empty() && (new_event || same_event);
}

int import_folder(const std::vector<std::string>& args) {
  for (const auto& arg : args) {
    if (arg == "--help") return usage(), 0;
  }
  ImportArgs a;
  if (!parse_args(args, a)) return usage();
  fs::path dir(a.dir);
  if (!fs::exists(dir / "event.json")) {
    std::fprintf(stderr, "sangdam import: %s has no event.json\n", a.dir.c_str());
    return 2;
  }

  std::string event_id = a.event_id;
  std::string organizer_token = a.organizer_token;
  if (event_id.empty()) {
    HttpCall admin(a.server, a.admin_token);
    auto created = parse_answer(admin.send("POST", "/v1/events", read_file(dir / "event.json")),
                                "creating the event");
    event_id = created["id"].GetString();
    organizer_token = created["organizer_token"].GetString();
  }
  HttpCall organizer(a.server, organizer_token);
  if (!a.event_id.empty())
    parse_answer(organizer.send("GET", "/v1/events/" + event_id), "reading the event");

  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  w.Key("event_id");
  w.String(event_id);
  w.Key("organizer_token");
  w.String(organizer_token);
  int rejected_total = 0;
  IdMap participants("participant");
  std::vector<std::map<std::string, std::string>> to_try;
  for (const char* role : {"buyer", "company"}) {
    std::string stem = std::string(role == std::string("buyer") ? "buyers" : "companies");
    fs::path csv = dir / (stem + ".csv");
    fs::path json = dir / (stem + ".json");
    bool is_csv = fs::exists(csv);
    if (!is_csv && !fs::exists(json)) continue;
    auto answer = organizer.send("POST", "/v1/events/" + event_id + "/imports?role=" + role,
                                 read_file(is_csv ? csv : json),
                                 is_csv ? "text/csv; charset=utf-8" : "application/json");
    auto report = parse_answer(answer, "importing " + stem);
    const auto& accepted = report["accepted"];
    const auto& rejected = report["rejected"];
    rejected_total += static_cast<int>(rejected.Size());
    for (const auto& r : rejected.GetArray()) {
      std::fprintf(stderr, "sangdam import: %s row %d rejected: %s (%s)\n", stem.c_str(),
                   r["row"].GetInt(), r["message"].GetString(), r["field"].GetString());
    }
    bool token_taken = false;
    for (const auto& r : accepted.GetArray()) {
      participants.add(r["external_id"].GetString(), r["id"].GetString());
      // Tokens come only with newly registered participants (a repeated import shows none).
      if (!token_taken && r.HasMember("token")) {
        to_try.push_back(
            {{"role", role}, {"id", r["id"].GetString()}, {"token", r["token"].GetString()}});
        token_taken = true;
      }
    }
    w.Key(stem.c_str());
    w.StartObject();
    w.Key("accepted");
    w.Int(static_cast<int>(accepted.Size()));
    w.Key("rejected");
    w.Int(static_cast<int>(rejected.Size()));
    w.EndObject();
  }
  w.Key("participants_to_try");
  w.StartArray();
  for (const auto& p : to_try) {
    w.StartObject();
    for (const auto& [k, v] : p) {
      w.Key(k.c_str());
      w.String(v);
    }
    w.EndObject();
  }
  w.EndArray();

  // Records of the event day and after, when the folder has them. Outcomes and deals name
  // meetings of meetings.json, so they come only with it.
  if (rejected_total == 0 && fs::exists(dir / "meetings.json")) {
    IdMap meetings("meeting");
    Loaded loaded;
    auto booked = book_meetings(organizer, event_id, dir / "meetings.json", participants, meetings);
    write_counts(w, "meetings", booked);
    loaded.meetings = booked.created + booked.unchanged;
    if (fs::exists(dir / "outcomes.json")) {
      auto reported = post_outcomes(organizer, event_id, dir / "outcomes.json", meetings);
      write_counts(w, "outcomes", reported);
      loaded.outcomes = reported.created + reported.unchanged;
    }
    if (fs::exists(dir / "deals.json")) {
      auto recorded = post_deals(organizer, event_id, dir / "deals.json", participants, meetings);
      write_counts(w, "deals", recorded);
      loaded.deals = recorded.created + recorded.unchanged;
    }
    write_report(w, organizer, event_id, loaded, std::chrono::seconds(a.wait_seconds));
  }
  w.EndObject();
  std::printf("%s\n", out.GetString());
  return rejected_total == 0 ? 0 : 1;
}

}  // namespace

SANGDAM_CLI_COMMAND("import",
                    "load a sample folder (event, profiles, meetings, outcomes, deals) through "
                    "the HTTP API",
                    import_folder);

}  // namespace sangdam::cli
