// bench targets link sangdam_common only, not the test support library; compile the test
// fixture's redis-server launcher into this program instead of copying it.
#include "tests/support/redis_server.cpp"
