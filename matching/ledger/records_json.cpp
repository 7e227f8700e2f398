#include "matching/ledger/records_json.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <limits>
#include <span>

#include "matching/error.hpp"
#include "matching/ledger/json_object.hpp"
#include "matching/ledger/time_text.hpp"

namespace sangdam::ledger {
namespace {

using Value = rapidjson::Value;
using Writer = JsonWriter;

// ---- reading -------------------------------------------------------------------------------

std::string read_string(const Value& v, const std::string& field) {
  if (!v.IsString()) throw_invalid("invalid_type", field + " must be a string", field);
  return std::string(v.GetString(), v.GetStringLength());
}

std::int64_t read_int(const Value& v, const std::string& field, std::int64_t min,
                      std::int64_t max) {
  if (!v.IsInt64() || v.GetInt64() < min || v.GetInt64() > max) {
    throw_invalid("invalid_number",
                  field + " must be a whole number from " + std::to_string(min) + " to " +
                      std::to_string(max),
                  field);
  }
  return v.GetInt64();
}

bool read_bool(const Value& v, const std::string& field) {
  if (!v.IsBool()) throw_invalid("invalid_type", field + " must be true or false", field);
  return v.GetBool();
}

Time read_time(const Value& v, const std::string& field) {
  auto when = parse_rfc3339(read_string(v, field));
  if (!when) {
    throw_invalid("invalid_time", field + " must be an RFC 3339 time with offset", field);
  }
  return *when;
}

Money read_money(const Value& v, const std::string& field) {
  if (!v.IsObject()) {
    throw_invalid("invalid_money", field + " must be {\"amount\", \"currency\"}", field);
  }
  Money money;
  bool has_amount = false;
  bool has_currency = false;
  for (const auto& member : v.GetObject()) {
    std::string_view name(member.name.GetString(), member.name.GetStringLength());
    if (name == "amount") {
      // Strings only: a JSON number has already been through binary floating point.
      auto amount = parse_amount(read_string(member.value, field + ".amount"));
      if (!amount) {
        throw_invalid("invalid_amount",
                      "amount is a decimal string with at most two decimals, up to 10^15",
                      field + ".amount");
      }
      money.hundredths = *amount;
      has_amount = true;
    } else if (name == "currency") {
      money.currency = read_string(member.value, field + ".currency");
      if (!is_currency_code(money.currency)) {
        throw_invalid("unknown_currency", money.currency + " is not an ISO 4217 code",
                      field + ".currency");
      }
      has_currency = true;
    } else {
      throw_invalid("unknown_field", "unknown field " + std::string(name),
                    field + "." + std::string(name));
    }
  }
  if (!has_amount || !has_currency) {
    throw_invalid("invalid_money", field + " needs both amount and currency", field);
  }
  return money;
}

// An enum read by its text: names[i] is the text of the value i.
template <typename Enum, std::size_t N>
Enum read_enum(const Value& v, const std::string& field, const std::string_view (&names)[N]) {
  std::string text = read_string(v, field);
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<Enum>(i);
  }
  std::string allowed;
  for (std::string_view name : names) allowed += (allowed.empty() ? "" : ", ") + std::string(name);
  throw_invalid("invalid_value", field + " must be one of " + allowed, field);
}

constexpr std::string_view kSideNames[] = {"buyer", "company", "organizer"};
constexpr std::string_view kArrivedNames[] = {"buyer", "company"};
constexpr std::string_view kRatingNames[] = {"did_not_take_place", "no_real_interest",
                                             "informative", "cooperation_likely"};
constexpr std::string_view kAbsentNames[] = {"unknown", "buyer", "company", "both"};
constexpr std::string_view kDealKindNames[] = {"mou", "contract"};
constexpr std::string_view kDealStatusNames[] = {"signed", "cancelled", "fulfilled"};
constexpr std::string_view kMeetingStatusNames[] = {"scheduled", "cancelled"};
constexpr std::string_view kOutcomeNames[] = {"no_show", "held"};  // index = held
constexpr std::string_view kRoleNames[] = {"company", "buyer"};    // index = is_buyer

constexpr std::int64_t kMaxVersion = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMaxLateMinutes = 24 * 60;

template <typename Record>
struct Field {
  std::string_view name;
  bool server_owned;  // set by the service, never by a client
  void (*read)(const Value& v, Record& into, const std::string& field);
};

// Reads object into a copy of into, then commits: an error leaves into as it was.
template <typename Record>
void read_fields(const Value& object, Record& into, JsonSource source,
                 std::span<const Field<Record>> fields, const std::string& prefix = {}) {
  if (!object.IsObject()) {
    throw_invalid("malformed_json", "expected a JSON object", prefix.empty() ? "body" : prefix);
  }
  Record copy = into;
  for (const auto& member : object.GetObject()) {
    std::string_view name(member.name.GetString(), member.name.GetStringLength());
    std::string field = prefix.empty() ? std::string(name) : prefix + "." + std::string(name);
    auto it = std::find_if(fields.begin(), fields.end(),
                           [&](const Field<Record>& f) { return f.name == name; });
    if (it == fields.end()) throw_invalid("unknown_field", "unknown field " + field, field);
    if (it->server_owned && source == JsonSource::kClient) {
      throw_invalid("field_not_allowed", field + " is set by the server", field);
    }
    it->read(member.value, copy, field);
  }
  into = std::move(copy);
}

const Field<ParticipantRecord> kParticipantFields[] = {
    {"id", true,
     [](const Value& v, ParticipantRecord& r, const std::string& f) { r.id = read_string(v, f); }},
    {"role", false,
     [](const Value& v, ParticipantRecord& r, const std::string& f) {
       r.is_buyer = read_enum<int>(v, f, kRoleNames) == 1;
     }},
    {"name", false,
     [](const Value& v, ParticipantRecord& r, const std::string& f) {
       r.name = read_string(v, f);
     }},
    {"country", false,
     [](const Value& v, ParticipantRecord& r, const std::string& f) {
       r.country = read_string(v, f);
     }},
    {"category", false,
     [](const Value& v, ParticipantRecord& r, const std::string& f) {
       r.category = read_string(v, f);
     }},
};

const Field<MeetingRecord> kMeetingFields[] = {
    {"id", true,
     [](const Value& v, MeetingRecord& r, const std::string& f) { r.id = read_string(v, f); }},
    {"version", true,
     [](const Value& v, MeetingRecord& r, const std::string& f) {
       r.version = read_int(v, f, 1, kMaxVersion);
     }},
    {"buyer_id", false,
     [](const Value& v, MeetingRecord& r, const std::string& f) {
       r.buyer_id = read_string(v, f);
     }},
    {"company_id", false,
     [](const Value& v, MeetingRecord& r, const std::string& f) {
       r.company_id = read_string(v, f);
     }},
    {"buyer_country", false,
     [](const Value& v, MeetingRecord& r, const std::string& f) {
       r.buyer_country = read_string(v, f);
     }},
    {"company_name", false,
     [](const Value& v, MeetingRecord& r, const std::string& f) {
       r.company_name = read_string(v, f);
     }},
    {"category", false,
     [](const Value& v, MeetingRecord& r, const std::string& f) {
       r.category = read_string(v, f);
     }},
    {"day", false,
     [](const Value& v, MeetingRecord& r, const std::string& f) { r.day = read_string(v, f); }},
    {"venue", false,
     [](const Value& v, MeetingRecord& r, const std::string& f) { r.venue = read_string(v, f); }},
    {"status", false,
     [](const Value& v, MeetingRecord& r, const std::string& f) {
       r.status = read_enum<MeetingStatus>(v, f, kMeetingStatusNames);
     }},
};

const Field<CheckIn> kCheckInFields[] = {
    {"id", true,
     [](const Value& v, CheckIn& r, const std::string& f) { r.id = read_string(v, f); }},
    {"meeting_id", true,
     [](const Value& v, CheckIn& r, const std::string& f) { r.meeting_id = read_string(v, f); }},
    {"arrived", false,
     [](const Value& v, CheckIn& r, const std::string& f) {
       r.arrived = read_enum<Side>(v, f, kArrivedNames);
     }},
    {"recorded_by", true,
     [](const Value& v, CheckIn& r, const std::string& f) {
       r.recorded_by = read_enum<Side>(v, f, kSideNames);
     }},
    {"at", true, [](const Value& v, CheckIn& r, const std::string& f) { r.at = read_time(v, f); }},
    {"late_minutes", false,
     [](const Value& v, CheckIn& r, const std::string& f) {
       r.late_minutes = static_cast<int>(read_int(v, f, 0, kMaxLateMinutes));
     }},
};

const Field<OutcomeReport> kOutcomeFields[] = {
    {"id", true,
     [](const Value& v, OutcomeReport& r, const std::string& f) { r.id = read_string(v, f); }},
    {"meeting_id", true,
     [](const Value& v, OutcomeReport& r, const std::string& f) {
       r.meeting_id = read_string(v, f);
     }},
    {"reporter", true,
     [](const Value& v, OutcomeReport& r, const std::string& f) {
       r.reporter = read_enum<Side>(v, f, kSideNames);
     }},
    {"outcome", false,
     [](const Value& v, OutcomeReport& r, const std::string& f) {
       r.held = read_enum<int>(v, f, kOutcomeNames) == 1;
     }},
    {"absent", false,
     [](const Value& v, OutcomeReport& r, const std::string& f) {
       r.absent = read_enum<Absent>(v, f, kAbsentNames);
     }},
    {"rating", false,
     [](const Value& v, OutcomeReport& r, const std::string& f) {
       if (v.IsNull()) {
         r.rating.reset();
       } else {
         r.rating = read_enum<Rating>(v, f, kRatingNames);
       }
     }},
    {"value", false,
     [](const Value& v, OutcomeReport& r, const std::string& f) {
       if (v.IsNull()) {
         r.value.reset();
       } else {
         r.value = read_money(v, f);
       }
     }},
    {"notes", false,
     [](const Value& v, OutcomeReport& r, const std::string& f) { r.notes = read_string(v, f); }},
    {"follow_up", false,
     [](const Value& v, OutcomeReport& r, const std::string& f) { r.follow_up = read_bool(v, f); }},
    {"reported_at", true,
     [](const Value& v, OutcomeReport& r, const std::string& f) {
       r.reported_at = read_time(v, f);
     }},
};

const Field<Deal> kDealFields[] = {
    {"id", true, [](const Value& v, Deal& r, const std::string& f) { r.id = read_string(v, f); }},
    {"kind", false,
     [](const Value& v, Deal& r, const std::string& f) {
       r.kind = read_enum<DealKind>(v, f, kDealKindNames);
     }},
    {"buyer_id", false,
     [](const Value& v, Deal& r, const std::string& f) { r.buyer_id = read_string(v, f); }},
    {"company_id", false,
     [](const Value& v, Deal& r, const std::string& f) { r.company_id = read_string(v, f); }},
    {"value", false,
     [](const Value& v, Deal& r, const std::string& f) { r.value = read_money(v, f); }},
    {"signed_on", false,
     [](const Value& v, Deal& r, const std::string& f) { r.signed_on = read_string(v, f); }},
    {"status", false,
     [](const Value& v, Deal& r, const std::string& f) {
       r.status = read_enum<DealStatus>(v, f, kDealStatusNames);
     }},
    {"meeting_ids", false,
     [](const Value& v, Deal& r, const std::string& f) {
       if (!v.IsArray()) throw_invalid("invalid_type", f + " must be an array of ids", f);
       std::vector<std::string> ids;
       for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
         ids.push_back(read_string(v[i], f + "[" + std::to_string(i) + "]"));
       }
       r.meeting_ids = std::move(ids);
     }},
    {"on_site", false,
     [](const Value& v, Deal& r, const std::string& f) { r.on_site = read_bool(v, f); }},
};

// A client sends the deal itself (POST /deals); the trusted form wraps it in its version.
// kClient: "deal" is not a field the client writes, so the object is the deal.
const Field<DealChange> kDealChangeFields[] = {
    {"version", true,
     [](const Value& v, DealChange& r, const std::string& f) {
       r.version = read_int(v, f, 1, kMaxVersion);
     }},
    {"changed_by", true,
     [](const Value& v, DealChange& r, const std::string& f) { r.changed_by = read_string(v, f); }},
    {"changed_at", true,
     [](const Value& v, DealChange& r, const std::string& f) { r.changed_at = read_time(v, f); }},
    {"deal", true,
     [](const Value& v, DealChange& r, const std::string& f) {
       read_fields<Deal>(v, r.deal, JsonSource::kTrusted, kDealFields, f);
     }},
};

// ---- writing -------------------------------------------------------------------------------

void key(Writer& w, std::string_view name) {
  w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
}

void text(Writer& w, std::string_view name, std::string_view value) {
  key(w, name);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void money(Writer& w, std::string_view name, const Money& value) {
  key(w, name);
  w.StartObject();
  text(w, "amount", format_amount(value.hundredths));
  text(w, "currency", value.currency);
  w.EndObject();
}

void write_deal(Writer& w, const Deal& deal) {
  w.StartObject();
  text(w, "id", deal.id);
  text(w, "kind", deal_kind_name(deal.kind));
  text(w, "buyer_id", deal.buyer_id);
  text(w, "company_id", deal.company_id);
  money(w, "value", deal.value);
  text(w, "signed_on", deal.signed_on);
  text(w, "status", deal_status_name(deal.status));
  key(w, "meeting_ids");
  w.StartArray();
  for (const auto& id : deal.meeting_ids) w.String(id);
  w.EndArray();
  key(w, "on_site");
  w.Bool(deal.on_site);
  w.EndObject();
}

}  // namespace

void read_json(const Value& object, ParticipantRecord& into, JsonSource source) {
  read_fields<ParticipantRecord>(object, into, source, kParticipantFields);
}

void read_json(const Value& object, MeetingRecord& into, JsonSource source) {
  read_fields<MeetingRecord>(object, into, source, kMeetingFields);
}

void read_json(const Value& object, CheckIn& into, JsonSource source) {
  read_fields<CheckIn>(object, into, source, kCheckInFields);
}

void read_json(const Value& object, OutcomeReport& into, JsonSource source) {
  read_fields<OutcomeReport>(object, into, source, kOutcomeFields);
}

void read_json(const Value& object, DealChange& into, JsonSource source) {
  if (source == JsonSource::kClient) {
    read_fields<Deal>(object, into.deal, source, kDealFields);
    return;
  }
  read_fields<DealChange>(object, into, source, kDealChangeFields);
}

std::string to_json(const ParticipantRecord& r) {
  return write_object([&](Writer& w) {
    text(w, "id", r.id);
    text(w, "role", r.is_buyer ? "buyer" : "company");
    text(w, "name", r.name);
    text(w, "country", r.country);
    text(w, "category", r.category);
  });
}

std::string to_json(const MeetingRecord& r) {
  return write_object([&](Writer& w) {
    text(w, "id", r.id);
    key(w, "version");
    w.Int64(r.version);
    text(w, "buyer_id", r.buyer_id);
    text(w, "company_id", r.company_id);
    text(w, "buyer_country", r.buyer_country);
    text(w, "company_name", r.company_name);
    text(w, "category", r.category);
    text(w, "day", r.day);
    text(w, "venue", r.venue);
    text(w, "status", meeting_status_name(r.status));
  });
}

std::string to_json(const CheckIn& r) {
  return write_object([&](Writer& w) {
    text(w, "id", r.id);
    text(w, "meeting_id", r.meeting_id);
    text(w, "arrived", side_name(r.arrived));
    text(w, "recorded_by", side_name(r.recorded_by));
    text(w, "at", format_rfc3339(r.at));
    key(w, "late_minutes");
    w.Int(r.late_minutes);
  });
}

std::string to_json(const OutcomeReport& r) {
  return write_object([&](Writer& w) {
    text(w, "id", r.id);
    text(w, "meeting_id", r.meeting_id);
    text(w, "reporter", side_name(r.reporter));
    text(w, "outcome", r.held ? "held" : "no_show");
    text(w, "absent", absent_name(r.absent));
    key(w, "rating");
    if (r.rating) {
      std::string_view name = rating_name(*r.rating);
      w.String(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    } else {
      w.Null();
    }
    if (r.value) {
      money(w, "value", *r.value);
    } else {
      key(w, "value");
      w.Null();
    }
    text(w, "notes", r.notes);
    key(w, "follow_up");
    w.Bool(r.follow_up);
    text(w, "reported_at", format_rfc3339(r.reported_at));
  });
}

std::string to_json(const DealChange& r) {
  return write_object([&](Writer& w) {
    key(w, "version");
    w.Int64(r.version);
    text(w, "changed_by", r.changed_by);
    text(w, "changed_at", format_rfc3339(r.changed_at));
    key(w, "deal");
    write_deal(w, r.deal);
  });
}

}  // namespace sangdam::ledger
