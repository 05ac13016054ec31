// Automation rules: JSON form, validation, matching, field actions and placeholder rendering.
#include "automation/rules.h"

#include <algorithm>
#include <utility>

#include "common/text.h"

namespace guichet::automation {
namespace {

constexpr size_t kMaxItems = 20;
constexpr size_t kMaxValues = 50;
constexpr size_t kMaxValueLength = 200;
constexpr size_t kMaxText = 5000;
constexpr std::int64_t kMaxHours = 24 * 366 * 5;

struct Named {
  const char* name;
  int value;
};

constexpr Named kFields[] = {
    {"status", static_cast<int>(Field::kStatus)},
    {"priority", static_cast<int>(Field::kPriority)},
    {"channel", static_cast<int>(Field::kChannel)},
    {"category_id", static_cast<int>(Field::kCategoryId)},
    {"team_id", static_cast<int>(Field::kTeamId)},
    {"assignee_id", static_cast<int>(Field::kAssigneeId)},
    {"language", static_cast<int>(Field::kLanguage)},
    {"tags", static_cast<int>(Field::kTags)},
    {"subject", static_cast<int>(Field::kSubject)},
    {"description", static_cast<int>(Field::kDescription)},
    {"text", static_cast<int>(Field::kText)},
    {"hours_in_status", static_cast<int>(Field::kHoursInStatus)},
    {"hours_since_update", static_cast<int>(Field::kHoursSinceUpdate)},
};
constexpr Named kOps[] = {
    {"is", static_cast<int>(Op::kIs)},
    {"is_not", static_cast<int>(Op::kIsNot)},
    {"in", static_cast<int>(Op::kIn)},
    {"contains", static_cast<int>(Op::kContains)},
    {"not_contains", static_cast<int>(Op::kNotContains)},
    {"contains_any", static_cast<int>(Op::kContainsAny)},
    {"at_least", static_cast<int>(Op::kAtLeast)},
    {"below", static_cast<int>(Op::kBelow)},
    {"is_set", static_cast<int>(Op::kIsSet)},
    {"is_not_set", static_cast<int>(Op::kIsNotSet)},
};
constexpr Named kActions[] = {
    {"set_team", static_cast<int>(ActionType::kSetTeam)},
    {"set_priority", static_cast<int>(ActionType::kSetPriority)},
    {"set_status", static_cast<int>(ActionType::kSetStatus)},
    {"assign", static_cast<int>(ActionType::kAssign)},
    {"add_tags", static_cast<int>(ActionType::kAddTags)},
    {"remove_tags", static_cast<int>(ActionType::kRemoveTags)},
    {"add_note", static_cast<int>(ActionType::kAddNote)},
    {"reply", static_cast<int>(ActionType::kReply)},
    {"notify", static_cast<int>(ActionType::kNotify)},
};

template <size_t N>
std::optional<int> Lookup(const Named (&table)[N], const json& j) {
  if (!j.is_string()) return std::nullopt;
  for (const Named& n : table)
    if (j.get<std::string>() == n.name) return n.value;
  return std::nullopt;
}

template <size_t N>
const char* NameOf(const Named (&table)[N], int value) {
  for (const Named& n : table)
    if (n.value == value) return n.name;
  return "";
}

template <size_t N>
std::string Choices(const Named (&table)[N]) {
  std::string out;
  for (const Named& n : table) out += (out.empty() ? "" : ", ") + std::string(n.name);
  return out;
}

bool IsNumeric(Field f) { return f == Field::kHoursInStatus || f == Field::kHoursSinceUpdate; }
bool IsText(Field f) {
  return f == Field::kSubject || f == Field::kDescription || f == Field::kText;
}
bool IsOptionalId(Field f) {
  return f == Field::kCategoryId || f == Field::kTeamId || f == Field::kAssigneeId;
}

bool OpFits(Field f, Op op) {
  if (IsNumeric(f)) return op == Op::kAtLeast || op == Op::kBelow;
  if (IsText(f)) return op == Op::kContains || op == Op::kNotContains || op == Op::kContainsAny;
  if (f == Field::kTags)
    return op == Op::kContains || op == Op::kNotContains || op == Op::kContainsAny;
  if (op == Op::kIsSet || op == Op::kIsNotSet) return IsOptionalId(f);
  return op == Op::kIs || op == Op::kIsNot || op == Op::kIn;
}

// Checks one value of an enum or id field.
std::optional<std::string> CheckValue(Field f, const std::string& v) {
  switch (f) {
    case Field::kStatus:
      if (!core::ParseRequestStatus(v)) return "is not a status";
      break;
    case Field::kPriority:
      if (!core::ParsePriority(v)) return "is not a priority";
      break;
    case Field::kChannel:
      if (!core::ParseChannel(v)) return "is not a channel";
      break;
    case Field::kCategoryId:
    case Field::kTeamId:
    case Field::kAssigneeId:
      if (v.empty() || v.size() > 18 || !std::all_of(v.begin(), v.end(), ::isdigit))
        return "must be an id";
      break;
    default:
      break;
  }
  return std::nullopt;
}

std::vector<std::string> StringValues(const json& j) {
  std::vector<std::string> out;
  if (j.is_string()) out.push_back(j.get<std::string>());
  if (j.is_number_integer()) out.push_back(std::to_string(j.get<std::int64_t>()));
  if (j.is_array()) {
    for (const auto& v : j) {
      if (v.is_string())
        out.push_back(v.get<std::string>());
      else if (v.is_number_integer())
        out.push_back(std::to_string(v.get<std::int64_t>()));
      else
        out.push_back("\x01");  // a non-scalar: refused below
    }
  }
  return out;
}

// Every {{name}} of `text` is a known placeholder.
std::optional<std::string> UnknownPlaceholder(std::string_view text) {
  size_t pos = 0;
  while ((pos = text.find("{{", pos)) != std::string_view::npos) {
    const size_t end = text.find("}}", pos);
    if (end == std::string_view::npos) return "an unclosed {{";
    const std::string name(Trim(text.substr(pos + 2, end - pos - 2)));
    const auto& known = PlaceholderNames();
    if (std::find(known.begin(), known.end(), name) == known.end())
      return "an unknown placeholder {{" + name + "}}";
    pos = end + 2;
  }
  return std::nullopt;
}

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  for (char c : Fold(text)) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || u >= 0x80 || c == '-') {
      word += c;
    } else if (!word.empty()) {
      out.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) out.push_back(std::move(word));
  return out;
}

// Whether the folded `haystack` contains the folded phrase `needle` on word boundaries.
bool ContainsPhrase(const std::vector<std::string>& haystack, std::string_view needle) {
  const auto phrase = Words(needle);
  if (phrase.empty() || phrase.size() > haystack.size()) return false;
  for (size_t i = 0; i + phrase.size() <= haystack.size(); ++i) {
    if (std::equal(phrase.begin(), phrase.end(), haystack.begin() + i)) return true;
  }
  return false;
}

std::string IdText(const std::optional<core::Id>& id) {
  return id ? std::to_string(*id) : std::string();
}

}  // namespace

const std::vector<std::string>& PlaceholderNames() {
  static const std::vector<std::string> kNames = {
      "reference", "subject",    "status",       "priority",           "citizen_name",
      "team_name", "agent_name", "created_date", "resolution_due_date"};
  return kNames;
}

std::vector<Condition> ParseConditions(const json& j, std::vector<core::FieldError>& errors,
                                       const std::string& path) {
  std::vector<Condition> out;
  if (!j.is_array()) {
    errors.push_back({path, "must be a list of conditions"});
    return out;
  }
  if (j.size() > kMaxItems) errors.push_back({path, "has more than 20 conditions"});
  for (size_t i = 0; i < j.size() && i < kMaxItems; ++i) {
    const std::string at = path + "[" + std::to_string(i) + "]";
    const json& c = j[i];
    if (!c.is_object()) {
      errors.push_back({at, "must be an object with field, op and value"});
      continue;
    }
    for (auto it = c.begin(); it != c.end(); ++it) {
      if (it.key() != "field" && it.key() != "op" && it.key() != "value")
        errors.push_back({at + "." + it.key(), "is not a known field"});
    }
    const auto field = Lookup(kFields, c.value("field", json()));
    const auto op = Lookup(kOps, c.value("op", json()));
    if (!field) errors.push_back({at + ".field", "must be one of: " + Choices(kFields)});
    if (!op) errors.push_back({at + ".op", "must be one of: " + Choices(kOps)});
    if (!field || !op) continue;
    Condition cond{static_cast<Field>(*field), static_cast<Op>(*op), {}, 0};
    if (!OpFits(cond.field, cond.op)) {
      errors.push_back({at + ".op", std::string("cannot be used with ") + NameOf(kFields, *field)});
      continue;
    }
    const json value = c.value("value", json());
    if (cond.op == Op::kIsSet || cond.op == Op::kIsNotSet) {
      if (!value.is_null()) errors.push_back({at + ".value", "must be absent for this op"});
    } else if (IsNumeric(cond.field)) {
      if (!value.is_number_integer() || value.get<std::int64_t>() < 0 ||
          value.get<std::int64_t>() > kMaxHours) {
        errors.push_back({at + ".value", "must be a whole number of hours, 0 to 43920"});
      } else {
        cond.number = value.get<std::int64_t>();
      }
    } else {
      const bool many = cond.op == Op::kIn || cond.op == Op::kContainsAny;
      cond.values = StringValues(value);
      if (cond.values.empty() || (!many && (value.is_array() || cond.values.size() != 1)) ||
          cond.values.size() > kMaxValues) {
        errors.push_back({at + ".value", many ? "must be a list of 1 to 50 values"
                                              : "must be one value (text or number)"});
        continue;
      }
      for (const auto& v : cond.values) {
        if (v == "\x01" || v.empty() || v.size() > kMaxValueLength || !IsValidUtf8(v)) {
          errors.push_back({at + ".value", "values must be non-empty texts of at most 200 bytes"});
          break;
        }
        if (auto why = CheckValue(cond.field, v)) {
          errors.push_back({at + ".value", "\"" + v + "\" " + *why});
          break;
        }
      }
    }
    out.push_back(std::move(cond));
  }
  return out;
}

std::vector<Action> ParseActions(const json& j, std::vector<core::FieldError>& errors,
                                 const std::string& path) {
  std::vector<Action> out;
  if (!j.is_array() || j.empty()) {
    errors.push_back({path, "must be a list of 1 to 20 actions"});
    return out;
  }
  if (j.size() > kMaxItems) errors.push_back({path, "has more than 20 actions"});
  for (size_t i = 0; i < j.size() && i < kMaxItems; ++i) {
    const std::string at = path + "[" + std::to_string(i) + "]";
    const json& a = j[i];
    if (!a.is_object()) {
      errors.push_back({at, "must be an object with a type"});
      continue;
    }
    const auto type = Lookup(kActions, a.value("type", json()));
    if (!type) {
      errors.push_back({at + ".type", "must be one of: " + Choices(kActions)});
      continue;
    }
    Action action;
    action.type = static_cast<ActionType>(*type);
    std::vector<std::string> allowed = {"type"};
    auto need_id = [&] {
      allowed.push_back("id");
      const json id = a.value("id", json());
      if (!id.is_number_integer() || id.get<std::int64_t>() < 1) {
        errors.push_back({at + ".id", "must be a positive id"});
      } else {
        action.id = id.get<core::Id>();
      }
    };
    auto need_value = [&](bool (*valid)(const std::string&), const char* what) {
      allowed.push_back("value");
      const json v = a.value("value", json());
      if (!v.is_string() || !valid(v.get<std::string>())) {
        errors.push_back({at + ".value", std::string("must be ") + what});
      } else {
        action.value = v.get<std::string>();
      }
    };
    auto need_texts = [&] {
      allowed.push_back("texts");
      const json t = a.value("texts", json());
      if (!t.is_object() || t.empty() || t.size() > 20) {
        errors.push_back({at + ".texts", "must map 1 to 20 languages to texts, e.g. {\"fr\": …}"});
        return;
      }
      for (auto it = t.begin(); it != t.end(); ++it) {
        const std::string where = at + ".texts." + it.key();
        if (!core::IsValidLanguageTag(it.key()) || it.key().empty()) {
          errors.push_back({where, "is not a language tag"});
        } else if (!it->is_string() || it->get<std::string>().empty() ||
                   it->get<std::string>().size() > kMaxText ||
                   !IsValidUtf8(it->get<std::string>())) {
          errors.push_back({where, "must be a text of 1 to 5000 bytes"});
        } else if (auto why = UnknownPlaceholder(it->get<std::string>())) {
          errors.push_back({where, "has " + *why});
        } else {
          action.texts[it.key()] = it->get<std::string>();
        }
      }
    };
    switch (action.type) {
      case ActionType::kSetTeam:
      case ActionType::kAssign:
        need_id();
        break;
      case ActionType::kSetPriority:
        need_value([](const std::string& v) { return core::ParsePriority(v).has_value(); },
                   "a priority (low, normal, high, urgent)");
        break;
      case ActionType::kSetStatus:
        need_value([](const std::string& v) { return core::ParseRequestStatus(v).has_value(); },
                   "a status");
        break;
      case ActionType::kAddTags:
      case ActionType::kRemoveTags: {
        allowed.push_back("tags");
        const json t = a.value("tags", json());
        bool ok = t.is_array() && !t.empty() && t.size() <= core::kMaxTags;
        for (const auto& tag : ok ? t : json::array()) {
          ok = ok && tag.is_string() && !tag.get<std::string>().empty() &&
               Utf8Length(tag.get<std::string>()) <= core::kMaxTagLength &&
               IsValidUtf8(tag.get<std::string>());
          if (ok) action.tags.push_back(tag.get<std::string>());
        }
        if (!ok)
          errors.push_back({at + ".tags", "must be a list of 1 to 20 tags of 1 to 50 characters"});
        break;
      }
      case ActionType::kAddNote:
      case ActionType::kReply:
        need_texts();
        break;
      case ActionType::kNotify:
        need_value(
            [](const std::string& v) { return v == "citizen" || v == "team" || v == "assignee"; },
            "citizen, team or assignee");
        need_texts();
        break;
    }
    for (auto it = a.begin(); it != a.end(); ++it) {
      if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end())
        errors.push_back({at + "." + it.key(), "is not a field of this action"});
    }
    out.push_back(std::move(action));
  }
  return out;
}

json ToJson(const std::vector<Condition>& conditions) {
  json out = json::array();
  for (const Condition& c : conditions) {
    json item = {{"field", NameOf(kFields, static_cast<int>(c.field))},
                 {"op", NameOf(kOps, static_cast<int>(c.op))}};
    if (IsNumeric(c.field)) {
      item["value"] = c.number;
    } else if (c.op == Op::kIn || c.op == Op::kContainsAny) {
      item["value"] = c.values;
    } else if (!c.values.empty()) {
      item["value"] = c.values[0];
    }
    out.push_back(std::move(item));
  }
  return out;
}

json ToJson(const std::vector<Action>& actions) {
  json out = json::array();
  for (const Action& a : actions) {
    json item = {{"type", NameOf(kActions, static_cast<int>(a.type))}};
    if (a.id) item["id"] = *a.id;
    if (!a.value.empty()) item["value"] = a.value;
    if (!a.tags.empty()) item["tags"] = a.tags;
    if (!a.texts.empty()) item["texts"] = a.texts;
    out.push_back(std::move(item));
  }
  return out;
}

bool Matches(const std::vector<Condition>& conditions, const core::Request& r, Millis now) {
  constexpr Millis kHour = 3600 * 1000;
  for (const Condition& c : conditions) {
    std::string scalar;
    switch (c.field) {
      case Field::kStatus:
        scalar = core::ToString(r.status);
        break;
      case Field::kPriority:
        scalar = core::ToString(r.priority);
        break;
      case Field::kChannel:
        scalar = core::ToString(r.channel);
        break;
      case Field::kCategoryId:
        scalar = IdText(r.category_id);
        break;
      case Field::kTeamId:
        scalar = IdText(r.team_id);
        break;
      case Field::kAssigneeId:
        scalar = IdText(r.assignee_id);
        break;
      case Field::kLanguage:
        scalar = r.language;
        break;
      default:
        break;
    }
    bool holds = false;
    switch (c.op) {
      case Op::kIs:
        holds = scalar == c.values[0];
        break;
      case Op::kIsNot:
        holds = scalar != c.values[0];
        break;
      case Op::kIn:
        holds = std::find(c.values.begin(), c.values.end(), scalar) != c.values.end();
        break;
      case Op::kIsSet:
        holds = !scalar.empty();
        break;
      case Op::kIsNotSet:
        holds = scalar.empty();
        break;
      case Op::kAtLeast:
      case Op::kBelow: {
        const Millis since = c.field == Field::kHoursInStatus ? r.status_changed_at : r.updated_at;
        const bool reached = now - since >= c.number * kHour;
        holds = c.op == Op::kAtLeast ? reached : !reached;
        break;
      }
      case Op::kContains:
      case Op::kNotContains:
      case Op::kContainsAny: {
        bool any = false;
        if (c.field == Field::kTags) {
          for (const auto& v : c.values) {
            any = any || std::any_of(r.tags.begin(), r.tags.end(),
                                     [&](const std::string& t) { return Fold(t) == Fold(v); });
          }
        } else {
          const std::string text = c.field == Field::kSubject ? r.subject
                                   : c.field == Field::kDescription
                                       ? r.description
                                       : r.subject + "\n" + r.description;
          const auto words = Words(text);
          for (const auto& v : c.values) any = any || ContainsPhrase(words, v);
        }
        holds = c.op == Op::kNotContains ? !any : any;
        break;
      }
    }
    if (!holds) return false;
  }
  return true;
}

bool ApplyFieldActions(const std::vector<Action>& actions, core::Request& r,
                       std::vector<std::string>& skipped) {
  const core::Request before = r;
  for (const Action& a : actions) {
    switch (a.type) {
      case ActionType::kSetTeam:
        r.team_id = a.id;
        break;
      case ActionType::kAssign:
        r.assignee_id = a.id;
        break;
      case ActionType::kSetPriority:
        r.priority = core::ParsePriority(a.value).value_or(r.priority);
        break;
      case ActionType::kSetStatus: {
        const auto to = core::ParseRequestStatus(a.value);
        if (to && *to != r.status) {
          if (core::CanTransition(r.status, *to)) {
            r.status = *to;
          } else {
            skipped.push_back("set_status " + a.value + " (not allowed from " +
                              std::string(core::ToString(r.status)) + ")");
          }
        }
        break;
      }
      case ActionType::kAddTags:
        for (const auto& t : a.tags) {
          if (std::find(r.tags.begin(), r.tags.end(), t) == r.tags.end() &&
              r.tags.size() < core::kMaxTags)
            r.tags.push_back(t);
        }
        break;
      case ActionType::kRemoveTags:
        for (const auto& t : a.tags)
          r.tags.erase(std::remove(r.tags.begin(), r.tags.end(), t), r.tags.end());
        break;
      default:
        break;
    }
  }
  return r.team_id != before.team_id || r.assignee_id != before.assignee_id ||
         r.priority != before.priority || r.status != before.status || r.tags != before.tags;
}

std::string PickText(const std::map<std::string, std::string>& texts, std::string_view language) {
  if (texts.empty()) return "";
  const std::string primary = AsciiLower(language.substr(0, language.find('-')));
  for (const auto& key : {primary, std::string("fr")}) {
    for (const auto& [lang, text] : texts) {
      if (AsciiLower(std::string_view(lang).substr(0, lang.find('-'))) == key) return text;
    }
  }
  return texts.begin()->second;
}

std::string Render(std::string_view text, const std::map<std::string, std::string>& values) {
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t open = text.find("{{", pos);
    const size_t close = open == std::string_view::npos ? open : text.find("}}", open);
    if (close == std::string_view::npos) {
      out += text.substr(pos);
      return out;
    }
    out += text.substr(pos, open - pos);
    const std::string name(Trim(text.substr(open + 2, close - open - 2)));
    if (auto it = values.find(name); it != values.end()) out += it->second;
    pos = close + 2;
  }
}

}  // namespace guichet::automation
