// Placeholder: routes land with the live work (issue 6).
#include "services/gateway/gateway.hpp"

namespace sangdam::gateway {

void add_live_routes(Gateway&, http::Router&) {}

}  // namespace sangdam::gateway
