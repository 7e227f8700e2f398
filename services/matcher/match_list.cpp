#include "services/matcher/match_list.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <cstdio>

#include "matching/intake/participant.hpp"
#include "services/common/json.hpp"

namespace sangdam::matcher {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// Entries cached beyond this many per listed pair are dropped wholesale (stale pairs pile up as
// lists change); the live set is at most (buyers + companies) * top_k.
constexpr std::size_t kCacheSlack = 2;

void write_strings(Writer& w, const char* key, const std::vector<std::string>& values) {
  w.Key(key);
  w.StartArray();
  for (const auto& v : values) w.String(v);
  w.EndArray();
}

void write_company(Writer& w, const Company& c) {
  w.Key("id");
  w.String(c.id);
  w.Key("name_en");
  w.String(c.name_en);
  w.Key("name_ko");
  w.String(c.name_ko);
  write_strings(w, "categories", c.categories);
  write_strings(w, "target_markets", c.target_markets);
  w.Key("venue");
  w.String(c.venue);
  w.Key("table");
  w.String(c.table);
}

void write_buyer(Writer& w, const Buyer& b) {
  w.Key("id");
  w.String(b.id);
  w.Key("organisation");
  w.String(b.organisation);
  w.Key("country");
  w.String(b.country);
  w.Key("buyer_type");
  auto type = intake::buyer_type_name(b.type);
  w.String(type.data(), static_cast<rapidjson::SizeType>(type.size()));
  write_strings(w, "categories", b.categories);
}

std::string decimal(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", one_decimal(value));
  return buffer;
}

std::uint64_t pair_key(std::size_t buyer, std::size_t company) {
  return (static_cast<std::uint64_t>(buyer) << 32) | static_cast<std::uint64_t>(company);
}

}  // namespace

double one_decimal(double value) {
  return std::round(value * 10.0) / 10.0;
}

void ListWriter::touch(scoring::Side side, std::size_t index) {
  auto& stamps = side == scoring::Side::kBuyer ? buyer_stamps_ : company_stamps_;
  if (index >= stamps.size()) stamps.resize(index + 1, 0);
  ++stamps[index];
}

void ListWriter::clear() {
  buyer_stamps_.clear();
  company_stamps_.clear();
  buyer_side_.clear();
  company_side_.clear();
}

const std::string& ListWriter::entry(const scoring::MatchIndex& index, scoring::Side side,
                                     std::size_t buyer, std::size_t company) {
  bool buyer_side = side == scoring::Side::kBuyer;
  auto& cache = buyer_side ? buyer_side_ : company_side_;
  std::uint32_t bs = stamp(buyer_stamps_, buyer);
  std::uint32_t cs = stamp(company_stamps_, company);
  auto found = cache.find(pair_key(buyer, company));
  if (found != cache.end() && found->second.buyer_stamp == bs &&
      found->second.company_stamp == cs) {
    return found->second.json;
  }
  std::size_t bound =
      kCacheSlack * (index.buyer_count() + index.company_count()) * index.context().config.top_k;
  if (cache.size() > bound) cache.clear();

  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  if (buyer_side) {
    write_company(w, index.company(company));
  } else {
    write_buyer(w, index.buyer(buyer));
  }
  w.Key("reasons");
  w.StartArray();
  for (const auto& reason : index.score_pair(buyer, company, side).reasons) {
    w.StartObject();
    w.Key("component");
    w.String(reason.component);
    w.Key("contribution");
    w.Double(one_decimal(reason.contribution));
    w.Key("text");
    w.String(reason.text);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  // Without the braces, so the score can lead the object.
  std::string text(buffer.GetString() + 1, buffer.GetSize() - 2);
  auto& slot = cache[pair_key(buyer, company)];
  slot = Cached{bs, cs, std::move(text)};
  return slot.json;
}

std::string ListWriter::list_json(const scoring::MatchIndex& index, scoring::Side side,
                                  std::size_t owner, long long profile_version,
                                  long long generation) {
  bool buyer_side = side == scoring::Side::kBuyer;
  const auto& list = buyer_side ? index.buyer_lists().at(owner) : index.company_lists().at(owner);
  std::string out = "{\"participant_id\":" +
                    json::quote(buyer_side ? index.buyer(owner).id : index.company(owner).id) +
                    ",\"role\":\"" + (buyer_side ? "buyer" : "company") +
                    "\",\"profile_version\":" + std::to_string(profile_version) +
                    ",\"generation\":" + std::to_string(generation) + ",\"items\":[";
  bool first = true;
  for (const auto& ranked : list) {
    std::size_t buyer = buyer_side ? owner : ranked.counterpart;
    std::size_t company = buyer_side ? ranked.counterpart : owner;
    if (!first) out += ',';
    first = false;
    out += "{\"score\":" + decimal(ranked.score) + ",";
    out += entry(index, side, buyer, company);
    out += '}';
  }
  out += "]}";
  return out;
}

}  // namespace sangdam::matcher
