#pragma once

#include <string>

#include "core/result.h"

namespace infinity_sync {

// Creates the missing folders above `path` (a file the program is about to
// write). Each folder this call creates gets a `.gitignore` holding `*`, as
// pytest and Python's venv do, so the program's own state never makes the
// repository it checks dirty. A folder that already exists is left as it is.
// The error is "creating folder DIR: REASON".
Status CreateFoldersFor(const std::string& path);

}  // namespace infinity_sync
