// The guichet binary: everything lives in the guichet_app library (see app/cli.h).
#include <iostream>

#include "app/cli.h"

int main(int argc, char** argv) {
  return guichet::app::RunCli(argc, argv, std::cin, std::cout, std::cerr);
}
