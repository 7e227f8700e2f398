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

}  // namespace sangdam::keys
