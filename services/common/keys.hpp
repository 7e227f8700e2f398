// Redis key names. Every key of one trade event carries the hash tag {ev:<id>} so that all of
// an event's keys sit in one cluster slot and one Lua script can change them atomically.
//
//   sangdam:events                         set    ids of all events (admin listing)
//   sangdam:{ev:E}:event                   string the event as set up (JSON, with slots)
//   sangdam:{ev:E}:tokens                  hash   sha256(token) -> "organizer" | "participant:<p>"
//   sangdam:{ev:E}:participant:<p>         hash   role, external_id, profile (full JSON),
//                                                 public (public JSON), version, token (hash),
//                                                 created_at, updated_at
//   sangdam:{ev:E}:buyers / :companies     set    participant ids by role
//   sangdam:{ev:E}:generation:profiles     string count of profile changes (the store script
//                                                 INCRs it; profile.changed carries it)
//   sangdam:{ev:E}:generation:matches      string the profile generation the stored match
//                                                 lists reflect (matcher; never goes back)
//   sangdam:{ev:E}:matches:<p>             string p's ranked counterparts, ready-to-serve JSON
//                                                 (services/matcher/README.md)
//   sangdam:{ev:E}:request:<r>             hash   one meeting request (request_store.hpp)
//   sangdam:{ev:E}:requests:of:<p>         set    ids of requests p sent or received
//   sangdam:{ev:E}:requests:pending:<p>    set    ids of p's outgoing pending requests (the cap)
//   sangdam:{ev:E}:requests:accepted       set    ids of accepted requests (schedule input)
//   sangdam:{ev:E}:request_pair:<b>:<c>    string id of the pending request between b and c
//   sangdam:{ev:E}:request_keys            hash   "<sender>:<client key>" -> request id
//   sangdam:{ev:E}:pairs                   hash   "<b>|<c>" -> organizer must-meet JSON
//   sangdam:{ev:E}:pairs:removed           set    "<b>|<c>" pairs excluded from schedule runs
//   sangdam:{ev:E}:schedule:run:<run>      hash   a schedule run record (schedule_runs.hpp)
//   sangdam:{ev:E}:schedule:runs           zset   run ids by creation time (ms)
//   sangdam:{ev:E}:meetings                hash   meeting id -> meeting JSON (cancelled ones too)
//   sangdam:{ev:E}:agenda                  zset   "<p>|<slot, 5 digits>|<meeting id>", score 0,
//                                                 both parties of every meeting (ZRANGEBYLEX)
//   sangdam:{ev:E}:occupancy               hash   what the scheduled meetings hold, rebuilt by a
//                                                 publish: p:<p>:<slot>, v:<buyer>:<slot> (venue),
//                                                 t:<venue>:<slot>:<table> (holding company),
//                                                 n:<venue>:<slot>:<table>, i:<pool>:<slot>,
//                                                 d:<p>:<day>, pair:<buyer>:<company> (meeting)
//   sangdam:{ev:E}:booking_key:<key>       string meeting id of a client's idempotency key (TTL)
//   sangdam:{ev:E}:schedule_meta           hash   version, run_id, published_at of the last publish
//   sangdam:{ev:E}:checkins                hash   check-in id -> check-in JSON (ledger_store.hpp)
//   sangdam:{ev:E}:outcomes                hash   outcome report id -> report JSON
//   sangdam:{ev:E}:deal:<d>                list   the deal's versions (DealChange JSON), ascending
//   sangdam:{ev:E}:deal_keys:<d>           hash   Idempotency-Key of a deal change -> its version
//   sangdam:{ev:E}:deals                   set    deal ids
//   sangdam:{ev:E}:report                  string the report JSON the ledger service keeps current
//   sangdam:{ev:E}:report_meta             hash   what the stored report was computed from
//   sangdam:{ev:E}:live                    stream live notifications (type, audience, source,
//                                                 time, payload); entry id = client cursor
//   sangdam:{ev:E}:live_done:<source>      string a bus message already notified (apply_once)
//   sangdam:{ev:E}:live_ticket:<sha256>    string single-use live ticket -> principal (TTL 60 s)
//   sangdam:{ev:E}:webhooks                hash   webhook id -> webhook JSON, secret included
//                                                 (services/common/webhook_store.hpp)
//   sangdam:{ev:E}:webhook_delivery:<d>    hash   one delivery: webhook, type, body, status,
//                                                 attempts, last status/error, times (TTL)
//   sangdam:{ev:E}:webhook_deliveries:<w>  zset   delivery ids of webhook w by creation (ms),
//                                                 the newest kept (the delivery log)
//   sangdam:webhooks:due                   zset   "<E>|<d>" by due time (ms): deliveries to
//                                                 attempt; a taken one is leased (score moved)
// Later issues add their keys here so that this file stays the one map of the keyspace.
#pragma once

#include <string>
#include <string_view>

namespace sangdam::keys {

inline std::string tag(std::string_view event_id) {
  return "sangdam:{ev:" + std::string(event_id) + "}";
}
inline const std::string kEvents = "sangdam:events";
inline std::string event(std::string_view e) {
  return tag(e) + ":event";
}
inline std::string tokens(std::string_view e) {
  return tag(e) + ":tokens";
}
inline std::string participant(std::string_view e, std::string_view p) {
  return tag(e) + ":participant:" + std::string(p);
}
inline std::string role_index(std::string_view e, bool buyer) {
  return tag(e) + (buyer ? ":buyers" : ":companies");
}

// Meeting requests and organizer pairs (services/common/request_store.hpp).
inline std::string request(std::string_view e, std::string_view r) {
  return tag(e) + ":request:" + std::string(r);
}
inline std::string requests_of(std::string_view e, std::string_view p) {
  return tag(e) + ":requests:of:" + std::string(p);
}
inline std::string requests_pending(std::string_view e, std::string_view p) {
  return tag(e) + ":requests:pending:" + std::string(p);
}
inline std::string requests_accepted(std::string_view e) {
  return tag(e) + ":requests:accepted";
}
inline std::string request_pair(std::string_view e, std::string_view b, std::string_view c) {
  return tag(e) + ":request_pair:" + std::string(b) + ":" + std::string(c);
}
inline std::string request_keys(std::string_view e) {
  return tag(e) + ":request_keys";
}
inline std::string pairs(std::string_view e) {
  return tag(e) + ":pairs";
}
inline std::string pairs_removed(std::string_view e) {
  return tag(e) + ":pairs:removed";
}

// Schedule runs (services/common/schedule_runs.hpp).
inline std::string schedule_run(std::string_view e, std::string_view run) {
  return tag(e) + ":schedule:run:" + std::string(run);
}
inline std::string schedule_runs(std::string_view e) {
  return tag(e) + ":schedule:runs";
}

inline std::string profiles_generation(std::string_view e) {
  return tag(e) + ":generation:profiles";
}
inline std::string matches_generation(std::string_view e) {
  return tag(e) + ":generation:matches";
}
inline std::string matches(std::string_view e, std::string_view p) {
  return tag(e) + ":matches:" + std::string(p);
}

inline std::string meetings(std::string_view e) {
  return tag(e) + ":meetings";
}
inline std::string agenda(std::string_view e) {
  return tag(e) + ":agenda";
}
inline std::string occupancy(std::string_view e) {
  return tag(e) + ":occupancy";
}
inline std::string booking_key(std::string_view e, std::string_view key) {
  return tag(e) + ":booking_key:" + std::string(key);
}
inline std::string schedule_meta(std::string_view e) {
  return tag(e) + ":schedule_meta";
}

// The ledger's raw records and the report (services/common/ledger_store.hpp).
inline std::string check_ins(std::string_view e) {
  return tag(e) + ":checkins";
}
inline std::string outcomes(std::string_view e) {
  return tag(e) + ":outcomes";
}
inline std::string deal(std::string_view e, std::string_view d) {
  return tag(e) + ":deal:" + std::string(d);
}
inline std::string deal_keys(std::string_view e, std::string_view d) {
  return tag(e) + ":deal_keys:" + std::string(d);
}
inline std::string deals(std::string_view e) {
  return tag(e) + ":deals";
}
inline std::string report(std::string_view e) {
  return tag(e) + ":report";
}
inline std::string report_meta(std::string_view e) {
  return tag(e) + ":report_meta";
}

// Live notifications (services/ledger/live_notifier.hpp, services/gateway/live_routes.cpp).
inline std::string live(std::string_view e) {
  return tag(e) + ":live";
}
inline std::string live_done(std::string_view e, std::string_view source) {
  return tag(e) + ":live_done:" + std::string(source);
}
// A single-use live ticket (browsers cannot send headers on a WebSocket): SHA-256 of the
// ticket -> the principal text ("organizer", "participant:<id>", "admin"), with a short TTL.
inline std::string live_ticket(std::string_view e, std::string_view ticket_hash) {
  return tag(e) + ":live_ticket:" + std::string(ticket_hash);
}

// Webhooks (services/common/webhook_store.hpp, services/webhooks/README.md).
inline std::string webhooks(std::string_view e) {
  return tag(e) + ":webhooks";
}
inline std::string webhook_delivery(std::string_view e, std::string_view d) {
  return tag(e) + ":webhook_delivery:" + std::string(d);
}
inline std::string webhook_deliveries(std::string_view e, std::string_view w) {
  return tag(e) + ":webhook_deliveries:" + std::string(w);
}
inline const std::string kWebhooksDue = "sangdam:webhooks:due";

}  // namespace sangdam::keys
