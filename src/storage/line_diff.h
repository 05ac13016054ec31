// Private to src/storage: the readable line diff kept with each article version.
// Pure function, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace guichet::storage::internal {

// A unified diff of `before` and `after` taken as lines ("\n"-separated), as `diff -U2` writes
// it without the file names: hunks headed "@@ -l,n +l,n @@", removed lines "-…", added "+…" and
// up to `context` unchanged lines " …" around each change; "" when they are equal. Lines common to
// both ends are set aside first; when what remains is too large to compare line by line (over a
// million line pairs), it is shown as removed then added, so time and memory stay bounded for any
// input.
std::string LineDiff(std::string_view before, std::string_view after, int context = 2);

}  // namespace guichet::storage::internal
