#include "services/gateway/paging.hpp"

#include <charconv>

#include "matching/error.hpp"

namespace sangdam::gateway {

Page parse_page(const std::map<std::string, std::string>& query, long long max_limit,
                long long default_limit) {
  auto number = [](const std::string& text, const char* name, long long lo, long long hi) {
    long long v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi) {
      throw_invalid("invalid_" + std::string(name),
                    std::string(name) + " must be a whole number in " + std::to_string(lo) + ".." +
                        std::to_string(hi),
                    name);
    }
    return v;
  };
  Page page;
  page.limit = default_limit;
  if (auto it = query.find("limit"); it != query.end()) {
    page.limit = number(it->second, "limit", 1, max_limit);
  }
  if (auto it = query.find("cursor"); it != query.end()) {
    page.offset = number(it->second, "cursor", 0, kMaxCursor);
  }
  return page;
}

}  // namespace sangdam::gateway
