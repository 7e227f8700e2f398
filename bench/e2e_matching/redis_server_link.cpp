// The test fixture's private redis-server launcher, compiled into this program (see
// support_link.cpp for why).
#include "tests/support/redis_server.cpp"
