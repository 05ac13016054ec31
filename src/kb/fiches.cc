#include "kb/fiches.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "common/clock.h"
#include "common/text.h"

namespace guichet::kb {
namespace {

using nlohmann::json;

// Longest raw field read from a fiche; longer is an error, not silently cut.
constexpr std::size_t kMaxFicheText = 1 << 20;

// A readable error for one field of one record.
struct FieldError {
  std::string message;
};

std::string FieldMessage(std::string_view field, std::string_view what) {
  return "field \"" + std::string(field) + "\": " + std::string(what);
}

// The string at `key`, "" when absent or null; an error when present with another type, too
// long or not UTF-8.
std::string TextField(const json& object, std::string_view key, std::size_t max_bytes,
                      std::optional<FieldError>& error) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return "";
  if (!it->is_string()) {
    error = FieldError{FieldMessage(key, "must be a string")};
    return "";
  }
  const std::string& value = it->get_ref<const std::string&>();
  if (value.size() > max_bytes) {
    error = FieldError{FieldMessage(key, "longer than " + std::to_string(max_bytes) + " bytes")};
    return "";
  }
  return value;
}

// The array at `key` ([] when absent); an error when present with another type.
const json& ArrayField(const json& object, std::string_view key, std::optional<FieldError>& error) {
  static const json kEmpty = json::array();
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return kEmpty;
  if (!it->is_array()) {
    error = FieldError{FieldMessage(key, "must be an array")};
    return kEmpty;
  }
  return *it;
}

std::string StringMember(const json& item, std::string_view key) {
  const auto it = item.find(key);
  return it != item.end() && it->is_string() ? it->get<std::string>() : "";
}

// "modified 2020-02-28" (the Dublin-Core date of a fiche) → that day, 0 when unreadable.
Millis FicheDate(std::string_view date) {
  const std::size_t at = date.find_first_of("0123456789");
  if (at == std::string_view::npos || date.size() < at + 10) return 0;
  return ParseIso8601(date.substr(at, 10)).value_or(0);
}

bool LooksLikeFicheId(std::string_view id) {
  return !id.empty() && id.size() <= 32 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

// A one-line label: the first line only (a theme's title may be followed by its audience on
// the next line in the flattened file), white space trimmed.
std::string Label(const std::string& text) {
  return std::string(Trim(std::string_view(text).substr(0, text.find('\n'))));
}

// A local-office code ("caf", "mairie"); a few fiches carry an office's full name there
// instead, which is not a code and is dropped.
std::string LocalCode(const std::string& text) {
  const bool code_like = text.size() <= core::kMaxArticleExternalId &&
                         text.find_first_of(" \t\n") == std::string::npos;
  return code_like ? text : "";
}

void AddUnique(std::vector<std::string>& list, std::string value) {
  if (!value.empty() && std::find(list.begin(), list.end(), value) == list.end())
    list.push_back(std::move(value));
}

// `text` cut to at most `max` code points, at a word, with "…" when it was longer.
std::string CutAtWord(const std::string& text, std::size_t max) {
  if (Utf8Length(text) <= max) return text;
  std::size_t end = 0;
  for (std::size_t points = 0; end < text.size() && points + 1 < max; ++points) {
    char32_t cp;
    end += DecodeUtf8(text, end, cp);
  }
  const std::size_t space = text.rfind(' ', end);
  if (space != std::string::npos && space > end / 2) end = space;
  return text.substr(0, end) + "…";
}

// The checks every imported article passes, whatever its source shape; the summary is cut to
// its limit first.
std::optional<std::string> Invalid(core::KbArticle& a) {
  if (!LooksLikeFicheId(a.external_id))
    return FieldMessage("id", "missing or not a fiche id (letters, digits, - and _)");
  if (Trim(a.title).empty()) return FieldMessage("title", "missing or empty");
  for (const std::string* text : {&a.title, &a.summary, &a.body})
    if (!IsValidUtf8(*text)) return std::string("text is not valid UTF-8");
  a.summary = CutAtWord(a.summary, core::kMaxArticleSummary);
  a.language = "fr";
  a.status = core::ArticleStatus::kPublished;
  const std::vector<core::FieldError> errors = core::ValidateArticle(a);
  if (!errors.empty()) return FieldMessage(errors[0].field, errors[0].reason);
  return std::nullopt;
}

Result<core::KbArticle> ArticleFromFlatFiche(const json& fiche) {
  if (!fiche.is_object()) return InvalidArgument("a fiche must be a JSON object");
  std::optional<FieldError> error;
  core::KbArticle a;
  a.external_id = TextField(fiche, "id", 64, error);
  a.audience = AsciiLower(TextField(fiche, "audience_dir", 64, error));
  a.doc_type = TextField(fiche, "dc_type", 200, error);
  a.title = TextField(fiche, "title", kMaxFicheText, error);
  a.summary = TextField(fiche, "description", kMaxFicheText, error);
  const std::string intro = TextField(fiche, "intro", kMaxFicheText, error);
  const std::string text = TextField(fiche, "text", kMaxFicheText, error);
  a.body = intro.empty() ? text : text.empty() ? intro : intro + "\n" + text;
  a.format = core::ArticleFormat::kText;
  a.source_url = TextField(fiche, "url", 2000, error);
  a.updated_at = FicheDate(TextField(fiche, "date", 100, error));
  for (const json& theme : ArrayField(fiche, "themes", error))
    AddUnique(a.themes, Label(StringMember(theme, "title")));
  AddUnique(a.themes, Label(TextField(fiche, "subject", 200, error)));
  for (const json& office : ArrayField(fiche, "ou_sadresser", error))
    a.offices.push_back({StringMember(office, "id"), Label(StringMember(office, "title")),
                         LocalCode(StringMember(office, "pivot_local"))});
  for (const json& service : ArrayField(fiche, "services_en_ligne", error))
    a.online_services.push_back({StringMember(service, "id"), Label(StringMember(service, "title")),
                                 StringMember(service, "url"), StringMember(service, "type")});
  for (const char* key : {"question_reponse_ids", "see_also_ids"})
    for (const json& id : ArrayField(fiche, key, error))
      if (id.is_string()) AddUnique(a.related_ids, id.get<std::string>());
  if (error) return InvalidArgument(error->message);
  if (auto invalid = Invalid(a)) return InvalidArgument(*invalid);
  return a;
}

// --- The package's JSON trees -----------------------------------------------------------------

const json* Child(const json& node, std::string_view name) {
  const auto it = node.find("children");
  if (it == node.end() || !it->is_array()) return nullptr;
  for (const json& c : *it)
    if (c.is_object() && StringMember(c, "name") == name) return &c;
  return nullptr;
}

std::vector<const json*> Children(const json& node, std::string_view name) {
  std::vector<const json*> out;
  const auto it = node.find("children");
  if (it == node.end() || !it->is_array()) return out;
  for (const json& c : *it)
    if (c.is_object() && StringMember(c, "name") == name) out.push_back(&c);
  return out;
}

std::string Attribute(const json& node, std::string_view key) {
  const auto it = node.find("attributes");
  return it != node.end() && it->is_object() ? StringMember(*it, key) : "";
}

// Elements after which the flattened text starts a new line.
bool IsBlock(std::string_view name) {
  static const std::set<std::string_view> kBlocks = {
      "Paragraphe", "Titre",   "Item",      "Chapitre",    "SousChapitre", "Cas",
      "Liste",      "Tableau", "Rangée",    "Cellule",     "Situation",    "BlocCas",
      "ANoter",     "ASavoir", "Attention", "Description", "Introduction", "Texte"};
  return kBlocks.count(name) > 0;
}

// The text of a subtree, one block per line, white space collapsed. Depth-limited: a tree
// deeper than any real fiche is an error rather than a stack overflow.
bool AppendText(const json& node, std::string& out, int depth) {
  if (depth > 200) return false;
  if (StringMember(node, "type") == "text") {
    const std::string text = StringMember(node, "text");
    // Inline elements (links, emphasis) split text nodes; two words never run together.
    const auto is_alnum = [](char c) {
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
             (c & 0x80) != 0;
    };
    if (!out.empty() && !text.empty() && is_alnum(out.back()) && is_alnum(text.front())) out += ' ';
    for (char c : text) {
      const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
      if (!space) {
        out += c;
      } else if (!out.empty() && out.back() != ' ' && out.back() != '\n') {
        out += ' ';
      }
    }
    return true;
  }
  const auto it = node.find("children");
  if (it != node.end() && it->is_array())
    for (const json& c : *it)
      if (c.is_object() && !AppendText(c, out, depth + 1)) return false;
  if (IsBlock(StringMember(node, "name"))) {
    while (!out.empty() && out.back() == ' ') out.pop_back();
    if (!out.empty() && out.back() != '\n') out += '\n';
  }
  return true;
}

std::string TextOf(const json* node) {
  std::string out;
  if (node != nullptr && !AppendText(*node, out, 0)) return "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace

ParsedFiches ParseFichesJsonl(std::string_view text) {
  ParsedFiches parsed;
  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const std::size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (Trim(line).empty()) continue;
    const json fiche = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (fiche.is_discarded()) {
      parsed.errors.push_back({line_number, "not a JSON object (malformed JSON)"});
      continue;
    }
    Result<core::KbArticle> article = ArticleFromFlatFiche(fiche);
    if (!article.ok()) {
      parsed.errors.push_back({line_number, article.status().message()});
      continue;
    }
    parsed.articles.push_back(std::move(*article));
  }
  return parsed;
}

Result<core::KbArticle> ParseFicheTree(std::string_view json_text, std::string_view audience_dir) {
  const json root = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) return InvalidArgument("malformed JSON");
  // Fiches, dossiers and themes are a "Publication"; forms, online services and other resources
  // a "ServiceComplementaire". Both have the same metadata and links.
  const json* publication = Child(root, "Publication");
  if (publication == nullptr) publication = Child(root, "ServiceComplementaire");
  if (publication == nullptr)
    return InvalidArgument("no \"Publication\" or \"ServiceComplementaire\" element");
  const json& p = *publication;
  core::KbArticle a;
  a.external_id = Attribute(p, "ID");
  if (a.external_id.empty()) a.external_id = StringMember(root, "id");
  a.audience = AsciiLower(audience_dir);
  a.source_url = Attribute(p, "spUrl");
  a.title = TextOf(Child(p, "dc:title"));
  a.summary = TextOf(Child(p, "dc:description"));
  a.doc_type = TextOf(Child(p, "dc:type"));
  a.updated_at = FicheDate(TextOf(Child(p, "dc:date")));
  const std::string intro = TextOf(Child(p, "Introduction"));
  std::string text = TextOf(Child(p, "Texte"));
  const std::string situations = TextOf(Child(p, "ListeSituations"));
  if (!situations.empty()) text += (text.empty() ? "" : "\n") + situations;
  a.body = intro.empty() ? text : text.empty() ? intro : intro + "\n" + text;
  for (const json* theme : Children(p, "Theme"))
    AddUnique(a.themes, Label(TextOf(Child(*theme, "Titre"))));
  AddUnique(a.themes, Label(TextOf(Child(p, "dc:subject"))));
  for (const json* office : Children(p, "OuSAdresser"))
    a.offices.push_back({Attribute(*office, "ID"), Label(TextOf(Child(*office, "Titre"))),
                         LocalCode(TextOf(Child(*office, "PivotLocal")))});
  for (const json* service : Children(p, "ServiceEnLigne"))
    a.online_services.push_back({Attribute(*service, "ID"), Label(TextOf(Child(*service, "Titre"))),
                                 Attribute(*service, "URL"), Attribute(*service, "type")});
  for (const json* ref : Children(p, "Reference"))
    a.legal_refs.push_back({Attribute(*ref, "ID"), Label(TextOf(Child(*ref, "Titre"))),
                            Attribute(*ref, "URL"), Attribute(*ref, "type")});
  for (const json* question : Children(p, "QuestionReponse"))
    AddUnique(a.related_ids, Attribute(*question, "ID"));
  for (const json* see_also : Children(p, "VoirAussi"))
    for (const char* kind : {"Fiche", "Dossier", "SousDossier"})
      for (const json* item : Children(*see_also, kind))
        AddUnique(a.related_ids, Attribute(*item, "ID"));
  if (auto invalid = Invalid(a)) return InvalidArgument(*invalid);
  return a;
}

}  // namespace guichet::kb
