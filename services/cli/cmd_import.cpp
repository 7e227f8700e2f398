// sangdam import DIR --server URL --token ADMIN_TOKEN
// Loads a sample folder through the HTTP API, exactly as anyone could with curl:
//   DIR/event.json                 -> POST /v1/events
//   DIR/buyers.csv|buyers.json     -> POST /v1/events/{e}/imports?role=buyer
//   DIR/companies.csv|.json        -> POST /v1/events/{e}/imports?role=company
// Prints one JSON object: event_id, organizer_token, per-file counts and two participant
// tokens to try. Exit 1 if any row was rejected or a call failed.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <filesystem>
#include <map>

#include "services/cli/command.hpp"
#include "services/common/http_call.hpp"
#include "services/common/config.hpp"

namespace sangdam::cli {

namespace {

namespace fs = std::filesystem;

struct ImportArgs {
  std::string dir;
  std::string server;
  std::string token;
};

int usage() {
  std::fprintf(stderr,
               "usage: sangdam import DIR --server URL --token ADMIN_TOKEN\n"
               "  DIR holds event.json and buyers.csv/companies.csv (or .json arrays)\n");
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

int import_folder(const std::vector<std::string>& args) {
  ImportArgs a;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help") return usage(), 0;
    if (args[i] == "--server" && i + 1 < args.size()) {
      a.server = args[++i];
    } else if (args[i] == "--token" && i + 1 < args.size()) {
      a.token = args[++i];
    } else if (a.dir.empty() && args[i].rfind("--", 0) != 0) {
      a.dir = args[i];
    } else {
      return usage();
    }
  }
  if (a.dir.empty() || a.server.empty() || a.token.empty()) return usage();
  fs::path dir(a.dir);
  if (!fs::exists(dir / "event.json")) {
    std::fprintf(stderr, "sangdam import: %s has no event.json\n", a.dir.c_str());
    return 2;
  }

  HttpCall admin(a.server, a.token);
  auto created = parse_answer(admin.send("POST", "/v1/events", read_file(dir / "event.json")),
                              "creating the event");
  std::string event_id = created["id"].GetString();
  std::string organizer_token = created["organizer_token"].GetString();
  HttpCall organizer(a.server, organizer_token);

  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  w.StartObject();
  w.Key("event_id");
  w.String(event_id);
  w.Key("organizer_token");
  w.String(organizer_token);
  int rejected_total = 0;
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
    for (const auto& r : accepted.GetArray()) {
      if (r.HasMember("token")) {
        to_try.push_back(
            {{"role", role}, {"id", r["id"].GetString()}, {"token", r["token"].GetString()}});
        break;
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
  w.EndObject();
  std::printf("%s\n", out.GetString());
  return rejected_total == 0 ? 0 : 1;
}

}  // namespace

SANGDAM_CLI_COMMAND("import", "load a sample folder (event, profiles) through the HTTP API",
                    import_folder);

}  // namespace sangdam::cli
