#pragma once

namespace infinity_sync {

// The whole program: parses the command line, builds the real ports, runs the
// subcommand, and returns the exit code (SPEC section 6). Only main calls it.
int RunApp(int argc, char** argv);

// Set by RunApp when a check thread was abandoned: the caller must leave with
// _exit so that static destructors do not race that thread.
bool AppAbandonedThreads();

}  // namespace infinity_sync
