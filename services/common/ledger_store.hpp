// The ledger's raw records in Redis: check-ins, outcome reports and deal versions, as clients
// and the organizer record them on the event day and after. Every write is ONE Lua step that
// stores the raw record and XADDs its event on the bus topic "outcomes" (checkin.recorded,
// outcome.reported, deal.changed): both or neither. Records are append-only: a check-in or a
// report is never changed once stored (a correction is a new report), and a deal change is a
// new version beside the old ones. Keys: services/common/keys.hpp; format: records_json.hpp.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "matching/ledger/ledger.hpp"
#include "matching/ledger/rates.hpp"
#include "services/common/bus.hpp"
#include "services/common/event_cache.hpp"
#include "services/common/redis.hpp"

namespace sangdam::ledger_store {

inline constexpr std::string_view kTopic = "outcomes";

// A write's answer: the record as stored (the earlier one when this was a replay).
template <typename Record>
struct Stored {
  Record record;
  bool created = false;  // false: the id (or deal version / idempotency key) was already there
};

// Stores the check-in / report unless its id is already stored (then returns the stored one,
// and nothing else happens). Validates first (Error kInvalidArgument naming the field).
boost::asio::awaitable<Stored<ledger::CheckIn>> record_check_in(redis::Client& redis,
                                                                const bus::Topology& topology,
                                                                const std::string& event_id,
                                                                const ledger::CheckIn& check_in);
boost::asio::awaitable<Stored<ledger::OutcomeReport>> record_outcome(
    redis::Client& redis, const bus::Topology& topology, const std::string& event_id,
    const ledger::OutcomeReport& report);

// Appends change as version change.version of its deal. Version 1 creates the deal. When that
// version (or idempotency_key, if not empty) is already stored the stored version is returned.
// Throws Error(kConflict, "deal_version_conflict") when another change came in between (the
// deal has fewer versions than change.version - 1 or the key is new but the version is taken).
boost::asio::awaitable<Stored<ledger::DealChange>> append_deal_change(
    redis::Client& redis, const bus::Topology& topology, const std::string& event_id,
    const ledger::DealChange& change, const std::string& idempotency_key);

// The version an Idempotency-Key made on this deal, if any.
boost::asio::awaitable<std::optional<std::int64_t>> version_of_key(redis::Client& redis,
                                                                   const std::string& event_id,
                                                                   const std::string& deal_id,
                                                                   const std::string& key);

// Every version of a deal, ascending; empty when the deal is unknown.
boost::asio::awaitable<std::vector<ledger::DealChange>> deal_history(redis::Client& redis,
                                                                     const std::string& event_id,
                                                                     const std::string& deal_id);

// The check-ins, outcome reports and deals of an event (participants and meetings are not
// kept here: the caller adds them from their own stores). One consistent snapshot (MULTI).
boost::asio::awaitable<ledger::LedgerState> load_records(redis::Client& redis,
                                                         const std::string& event_id);

// Everything the report is computed from: the registered participants (participant store),
// every meeting with its current version (meeting store, cancelled ones included) and the
// records above. Reads only; the sources may move on while it reads (the report then simply
// reflects a state a moment old, and the stored report's marks say so: see below).
boost::asio::awaitable<ledger::LedgerState> load_state(redis::Client& redis,
                                                       const EventInfo& event);

// When is a stored report current? It carries the marks of its sources: the last entry ids of
// the event's "meetings" and "outcomes" streams, read BEFORE the records were loaded. A report
// whose marks equal the streams' last ids now saw every change (each change of a meeting or a
// record XADDs in the same atomic step). Partitions shared with other events only make a
// report look stale sooner, never current when it is not. Profile edits (display names) are not
// marked: they show once the next meeting or record arrives.
boost::asio::awaitable<std::string> source_marks(redis::Client& redis,
                                                 const bus::Topology& topology,
                                                 const std::string& event_id);

// The report JSON (ledger::to_json, plus "attendance": per participant meetings, checked_in,
// late and no_shows, the no-show count the organizer sees) or CSV (ledger::to_csv) from the stored
// raw records, computed now.
boost::asio::awaitable<std::string> compute_report_json(redis::Client& redis,
                                                        const EventInfo& event,
                                                        const ledger::Rates& rates,
                                                        bool csv = false);

// The ledger service's step: marks, compute, store {ev}:report and its marks (one MULTI).
// Nothing to do when the stored report's marks are the current ones.
boost::asio::awaitable<void> refresh_report(redis::Client& redis, const bus::Topology& topology,
                                            const EventInfo& event, const ledger::Rates& rates);

// The stored report when its marks are current, else nullopt.
boost::asio::awaitable<std::optional<std::string>> current_report(redis::Client& redis,
                                                                  const bus::Topology& topology,
                                                                  const std::string& event_id);

// A record id derived from what makes a write the same write: the same inputs give the same id,
// so a retried POST stores nothing new. "<prefix>_<24 hex>".
std::string record_id(std::string_view prefix, const std::vector<std::string>& parts);

}  // namespace sangdam::ledger_store
