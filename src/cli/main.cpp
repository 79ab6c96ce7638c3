#include <CLI/CLI.hpp>
#include <cstdio>

int main(int argc, char** argv) {
  CLI::App app{"kiln: from sensor data to a tiny C++ library for microcontrollers"};
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
