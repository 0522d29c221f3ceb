#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>

#include "core/result.h"

namespace infinity_sync {

// The most the program reads of each kind of file it is given.
inline constexpr std::size_t kMiB = 1024 * 1024;
inline constexpr std::size_t kStatusFileLimit = 16 * kMiB;
inline constexpr std::size_t kConfigFileLimit = 1 * kMiB;
inline constexpr std::size_t kComposeFileLimit = 4 * kMiB;  // compose files and .env
inline constexpr std::size_t kCredentialsFileLimit = 1 * kMiB;
inline constexpr std::size_t kDefaultReadLimit = 16 * kMiB;  // any other file

// The one rule for reading a file the program did not write itself: `path`
// (symlinks followed) must be a regular file, opened non-blocking so that a
// FIFO or a device never blocks the caller, and at most `max_bytes` long
// (also when it grows while being read). The error is "reading PATH: REASON",
// REASON being "it is a FIFO, not a regular file", "it is a directory, not a
// regular file", "it is larger than 16 MiB" or the system's message; with
// `reason`, REASON alone is stored there as well.
Result<std::string> ReadRegularFile(const std::string& path, std::size_t max_bytes,
                                    std::string* reason = nullptr);

// "16 MiB", "64 KiB", "100 bytes".
std::string FormatByteSize(std::size_t bytes);

// What a file that is not a regular one is, for messages: "a directory",
// "a FIFO", "a character device", ...
std::string FileKindText(mode_t mode);

}  // namespace infinity_sync
