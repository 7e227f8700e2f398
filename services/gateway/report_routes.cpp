// The event report for the organizer: consultations, values, MOUs, contracts, no-shows and the
// spread of meetings, in total and by buyer country, company, category, day and venue, plus
// each participant's attendance (no-shows). Served from {ev}:report when the ledger service's
// copy is current (its source marks equal the streams' heads: ledger_store.hpp), else computed
// from the raw records on the spot; X-Report-Source says which. ?format=csv gives text/csv.
#include <boost/beast/http/verb.hpp>

#include "matching/error.hpp"
#include "matching/ledger/rates.hpp"
#include "services/common/config.hpp"
#include "services/common/ledger_store.hpp"
#include "services/gateway/gateway.hpp"

namespace sangdam::gateway {

namespace asio = boost::asio;
using boost::beast::http::verb;

void add_report_routes(Gateway& gateway, http::Router& router) {
  // The rates file is configuration: read once at start (a bad file stops the gateway there).
  auto rates_text =
      std::make_shared<const std::string>(read_file(gateway.runtime().config().files.at("rates")));

  router.add(
      verb::get, "/v1/events/{e}/report",
      [&gateway, rates_text](http::Request& req) -> asio::awaitable<http::Response> {
        require_organizer(req);
        auto format = req.query.count("format") ? req.query.at("format") : "json";
        if (format != "json" && format != "csv") {
          throw_invalid("invalid_format", "format must be json or csv", "format");
        }
        auto info = co_await gateway.event(req, req.param("e"));
        auto& redis = gateway.redis(req);
        auto topology = gateway.runtime().topology();
        if (format == "json") {
          if (auto stored = co_await ledger_store::current_report(redis, topology, info->id)) {
            auto response = http::Response::json(200, std::move(*stored));
            response.headers.emplace_back("X-Report-Source", "stored");
            co_return response;
          }
        }
        auto rates = ledger::rates_for_event(*rates_text, info->id);
        auto body =
            co_await ledger_store::compute_report_json(redis, *info, rates, format == "csv");
        auto response = format == "csv" ? http::Response::text(200, "text/csv; charset=utf-8", body)
                                        : http::Response::json(200, body);
        response.headers.emplace_back("X-Report-Source", "computed");
        co_return response;
      });
}

}  // namespace sangdam::gateway
