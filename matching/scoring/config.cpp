#include "matching/scoring/config.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <functional>
#include <numeric>

#include "matching/error.hpp"

namespace sangdam::scoring {

namespace {

constexpr std::array<std::string_view, kComponentCount> kComponentNames = {
    "category",     "text",     "market_target", "marks",
    "cluster_tier", "language", "buyer_type",    "deal_size"};

using Handler = std::function<void(const rapidjson::Value&, const std::string& field)>;

// Visits every member of an object with the handler registered for its key; an unknown key is
// an error (a typo in a weight name would otherwise silently keep the default).
void visit_object(const rapidjson::Value& value, const std::string& field,
                  const std::map<std::string_view, Handler>& handlers) {
  if (!value.IsObject()) throw_invalid("not_an_object", field + " must be an object", field);
  for (const auto& member : value.GetObject()) {
    const std::string key(member.name.GetString(), member.name.GetStringLength());
    const std::string path = field.empty() ? key : field + "." + key;
    const auto handler = handlers.find(key);
    if (handler == handlers.end()) {
      throw_invalid("unknown_key", "unknown key " + path + " in matching config", path);
    }
    handler->second(member.value, path);
  }
}

double number_in(const rapidjson::Value& value, const std::string& field, double low, double high) {
  if (!value.IsNumber()) throw_invalid("not_a_number", field + " must be a number", field);
  const double number = value.GetDouble();
  if (!(number >= low && number <= high)) {
    throw_invalid(
        "out_of_range",
        field + " must be within [" + std::to_string(low) + ", " + std::to_string(high) + "]",
        field);
  }
  return number;
}

Handler fraction(float& target) {
  return [&target](const rapidjson::Value& v, const std::string& field) {
    target = static_cast<float>(number_in(v, field, 0, 1));
  };
}

Handler flag(bool& target) {
  return [&target](const rapidjson::Value& v, const std::string& field) {
    if (!v.IsBool()) throw_invalid("not_a_boolean", field + " must be true or false", field);
    target = v.GetBool();
  };
}

Handler weights(Weights& target) {
  return [&target](const rapidjson::Value& v, const std::string& field) {
    std::map<std::string_view, Handler> handlers;
    for (std::size_t i = 0; i < kComponentCount; ++i) {
      handlers[kComponentNames[i]] = [&target, i](const rapidjson::Value& w,
                                                  const std::string& path) {
        target[i] = static_cast<float>(number_in(w, path, 0, 1000));
      };
    }
    visit_object(v, field, handlers);
    if (std::accumulate(target.begin(), target.end(), 0.0f) <= 0) {
      throw_invalid("zero_weights", field + " must give some component a positive weight", field);
    }
  };
}

}  // namespace

std::string_view component_name(Component component) {
  return kComponentNames[static_cast<std::size_t>(component)];
}

MatchConfig parse_match_config(std::string_view json_text) {
  rapidjson::Document document;
  document.Parse(json_text.data(), json_text.size());
  if (document.HasParseError()) {
    throw_invalid("malformed_json", std::string("matching config is not valid JSON: ") +
                                        rapidjson::GetParseError_En(document.GetParseError()) +
                                        " at offset " + std::to_string(document.GetErrorOffset()));
  }
  MatchConfig config;
  const std::map<std::string_view, Handler> handlers = {
      {"version",
       [](const rapidjson::Value& v, const std::string& field) {
         if (!v.IsInt() || v.GetInt() != 1) {
           throw_invalid("unsupported_version", "matching config version must be 1", field);
         }
       }},
      {"top_k",
       [&](const rapidjson::Value& v, const std::string& field) {
         config.top_k = static_cast<std::size_t>(number_in(v, field, 1, 1000));
       }},
      {"reasons_kept",
       [&](const rapidjson::Value& v, const std::string& field) {
         config.reasons_kept =
             static_cast<std::size_t>(number_in(v, field, 0, kComponentCount + 1));
       }},
      {"buyer_weights", weights(config.buyer_weights)},
      {"company_weights", weights(config.company_weights)},
      {"hard_filters",
       [&](const rapidjson::Value& v, const std::string& field) {
         visit_object(v, field,
                      {{"require_common_language", flag(config.require_common_language)},
                       {"remove_no_thanks", flag(config.remove_no_thanks)},
                       {"remove_met_before", flag(config.remove_met_before)}});
       }},
      {"partial_fit",
       [&](const rapidjson::Value& v, const std::string& field) {
         visit_object(v, field,
                      {{"interpreter", fraction(config.interpreter_fit)},
                       {"broad_category", fraction(config.broad_category_fit)},
                       {"branch_category", fraction(config.branch_category_fit)},
                       {"keyword_category", fraction(config.keyword_category_fit)},
                       {"unknown", fraction(config.unknown_fit)}});
       }},
      {"must_meet",
       [&](const rapidjson::Value& v, const std::string& field) {
         visit_object(v, field,
                      {{"buyer_score",
                        [&](const rapidjson::Value& s, const std::string& path) {
                          config.must_meet_score = static_cast<float>(number_in(s, path, 0, 100));
                        }},
                       {"company_bonus", [&](const rapidjson::Value& s, const std::string& path) {
                          config.must_meet_company_bonus =
                              static_cast<float>(number_in(s, path, 0, 100));
                        }}});
       }},
      {"mutual",
       [&](const rapidjson::Value& v, const std::string& field) {
         visit_object(v, field, {{"buyer_weight", fraction(config.mutual_buyer_weight)}});
       }},
      {"usd_per_unit",
       [&](const rapidjson::Value& v, const std::string& field) {
         if (!v.IsObject()) throw_invalid("not_an_object", field + " must be an object", field);
         config.usd_per_unit.clear();
         for (const auto& member : v.GetObject()) {
           const std::string currency = member.name.GetString();
           config.usd_per_unit[currency] =
               number_in(member.value, field + "." + currency, 1e-9, 1e9);
         }
       }},
  };
  visit_object(document, "", handlers);
  return config;
}

}  // namespace sangdam::scoring
