// Placeholder: routes land with the webhook work (issue 6).
#include "services/gateway/gateway.hpp"

namespace sangdam::gateway {

void add_webhook_routes(Gateway&, http::Router&) {}

}  // namespace sangdam::gateway
