#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/app.h"

int main(int argc, char** argv) {
  int code = infinity_sync::RunApp(argc, argv);
  if (infinity_sync::AppAbandonedThreads()) {
    std::cout.flush();
    std::fflush(nullptr);
    _exit(code);
  }
  return code;
}
