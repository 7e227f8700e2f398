// Writing one JSON object with RapidJSON, shared by the ledger's record and notification
// writers.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>

namespace sangdam::ledger {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// The text of one object whose members fill(writer) writes.
template <typename Fill>
std::string write_object(Fill&& fill) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  fill(w);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace sangdam::ledger
