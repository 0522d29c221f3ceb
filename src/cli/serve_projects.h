#pragma once

#include "core/config.h"

namespace infinity_sync {

// `serve` with `projects:` in `top` (whose listen address is checked): one
// ServeState per project file (its own repository, status file, lock, live
// loop and history), one listener. GET /api/projects lists them,
// /api/projects/{name}/sync/... answers for one, /api/sync/... for the first.
// The server: section of `top` applies to every project. Returns the exit
// code: 78 when a project file is bad or two projects share a name.
int ServeProjects(const Config& top);

}  // namespace infinity_sync
