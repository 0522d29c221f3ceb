#pragma once

#include <functional>

#include "core/config.h"
#include "core/result.h"

namespace infinity_sync {

// `serve` with `projects:` in `top` (whose listen address is checked): one
// ServeState per project file (its own repository, status file, lock, live
// loop and history), one listener. GET /api/projects lists them,
// /api/projects/{name}/sync/... answers for one, /api/sync/... for the first.
// The server: section of `top` applies to every project. Returns the exit
// code: 78 when a project file is bad or two projects share a name.
//
// SIGHUP reads `top` again through `reload_top` and then every project file:
// all of them are replaced, or, when one is bad, none. A changed projects:
// list needs a restart (the reload fails and says so).
int ServeProjects(const Config& top, std::function<Result<Config>()> reload_top);

}  // namespace infinity_sync
