// Catch2 v2 supplies main() for the kernel tests.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
