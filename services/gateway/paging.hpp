// Pagination of list endpoints: ?limit=1..max&cursor=<offset>. The cursor is the offset of the
// next page, opaque to clients (they send back next_cursor).
#pragma once

#include <map>
#include <string>

namespace sangdam::gateway {

struct Page {
  long long offset = 0;
  long long limit = 50;
};

// Anything but whole numbers in range is a 400 naming the parameter (invalid_limit,
// invalid_cursor). Cursors go up to kMaxCursor.
inline constexpr long long kMaxCursor = 1'000'000'000;
Page parse_page(const std::map<std::string, std::string>& query, long long max_limit,
                long long default_limit = 50);

}  // namespace sangdam::gateway
