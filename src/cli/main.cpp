#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/app.h"

int main(int argc, char** argv) {
  infinity_sync::CommandOutcome outcome = infinity_sync::RunApp(argc, argv);
  if (outcome.abandoned) {
    // A check thread is still running on what static destructors would free.
    std::cout.flush();
    std::fflush(nullptr);
    _exit(outcome.code);
  }
  return outcome.code;
}
