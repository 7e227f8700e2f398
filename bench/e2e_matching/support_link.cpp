// bench targets link sangdam_common only, not the test support library: compile the test
// fixture that starts the services as processes into this program instead of copying it. Its
// folders come from this program's location at run time (<build>/bench/bench_e2e_matching)
// and from main.cpp's (<source>/bench/e2e_matching).
#include <string>

namespace sangdam::bench {
std::string source_dir();
std::string binary_dir();
}  // namespace sangdam::bench

#define SANGDAM_SOURCE_DIR sangdam::bench::source_dir()
#define SANGDAM_BINARY_DIR sangdam::bench::binary_dir()
#include "tests/support/service_process.cpp"
