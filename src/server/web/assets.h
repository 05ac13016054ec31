// Private to src/server: the files of the project's web/ folder (templates, styles, scripts,
// message catalogues) and the npm files the pages use (vendor/htmx.min.js), compiled into the
// binary by cmake/embed_web_assets.cmake, so that a server needs no folder of its own. Constant
// data: thread-safe.
#pragma once

#include <span>
#include <string_view>

namespace guichet::server::web {

struct WebAsset {
  std::string_view path;  // under web/: "templates/layout.mustache", "static/guichet.css"
  std::string_view content;
};

std::span<const WebAsset> AllAssets();

// The asset at `path`, or nullptr.
inline const WebAsset* FindAsset(std::string_view path) {
  for (const WebAsset& a : AllAssets())
    if (a.path == path) return &a;
  return nullptr;
}

}  // namespace guichet::server::web
