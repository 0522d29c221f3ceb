#pragma once

#include "cli/interrupt.h"

namespace infinity_sync {

// The whole program: parses the command line, builds the real ports, runs the
// subcommand, and returns its outcome (SPEC section 6). Only main calls it.
CommandOutcome RunApp(int argc, char** argv);

}  // namespace infinity_sync
