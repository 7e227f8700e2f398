// Everything a service needs to serve HTTP and WebSockets: include this one header.
#pragma once

#include "services/common/http_error.hpp"
#include "services/common/http_message.hpp"
#include "services/common/http_router.hpp"
#include "services/common/http_server.hpp"
#include "services/common/metrics.hpp"
#include "services/common/websocket.hpp"
#include "services/common/worker_pool.hpp"
