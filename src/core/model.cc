#include "core/model.h"

#include <cctype>
#include <cstdio>

#include "common/text.h"

namespace guichet::core {
namespace {

void CheckText(std::vector<FieldError>& errors, const std::string& field, const std::string& value,
               size_t max, bool required) {
  if (!IsValidUtf8(value)) {
    errors.push_back({field, "is not valid UTF-8"});
    return;
  }
  if (required && Trim(value).empty()) {
    errors.push_back({field, "is required and must not be blank"});
    return;
  }
  if (Utf8Length(value) > max) {
    errors.push_back({field, "is longer than " + std::to_string(max) + " characters"});
  }
}

void CheckTags(std::vector<FieldError>& errors, const std::vector<std::string>& tags) {
  if (tags.size() > kMaxTags) {
    errors.push_back({"tags", "has more than " + std::to_string(kMaxTags) + " entries"});
    return;
  }
  for (size_t i = 0; i < tags.size(); ++i) {
    CheckText(errors, "tags[" + std::to_string(i) + "]", tags[i], kMaxTagLength, true);
  }
}

void CheckCustomFields(std::vector<FieldError>& errors,
                       const std::map<std::string, std::string>& fields) {
  if (fields.size() > kMaxCustomFields) {
    errors.push_back(
        {"custom_fields", "has more than " + std::to_string(kMaxCustomFields) + " entries"});
    return;
  }
  for (const auto& [key, value] : fields) {
    CheckText(errors, "custom_fields", key, kMaxCustomKey, true);
    CheckText(errors, "custom_fields." + key, value, kMaxCustomValue, false);
  }
}

void CheckLanguage(std::vector<FieldError>& errors, const std::string& field,
                   const std::string& value) {
  if (!IsValidLanguageTag(value)) {
    errors.push_back({field, "must be a language tag such as \"fr\" or \"pt-BR\""});
  }
}

}  // namespace

bool IsValidLanguageTag(std::string_view s) {
  if (s.empty()) return true;
  size_t i = 0;
  while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
  if (i < 2 || i > 3) return false;
  if (i == s.size()) return true;
  if (s[i] != '-' && s[i] != '_') return false;
  const std::string_view region = s.substr(i + 1);
  if (region.size() < 2 || region.size() > 4) return false;
  for (char c : region) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::vector<FieldError> ValidateNewRequest(const NewRequest& r) {
  std::vector<FieldError> errors;
  CheckText(errors, "subject", r.subject, kMaxSubject, true);
  CheckText(errors, "description", r.description, kMaxDescription, true);
  CheckLanguage(errors, "language", r.language);
  CheckTags(errors, r.tags);
  CheckCustomFields(errors, r.custom_fields);
  if (r.location) {
    // Written as "not within" so that NaN is refused too.
    if (r.location->lat && !(*r.location->lat >= -90 && *r.location->lat <= 90))
      errors.push_back({"location.lat", "must be between -90 and 90"});
    if (r.location->lon && !(*r.location->lon >= -180 && *r.location->lon <= 180))
      errors.push_back({"location.lon", "must be between -180 and 180"});
    if (r.location->lat.has_value() != r.location->lon.has_value())
      errors.push_back({"location", "lat and lon must be given together"});
    CheckText(errors, "location.address", r.location->address, kMaxAddress, false);
    if (!r.location->lat && Trim(r.location->address).empty())
      errors.push_back({"location", "needs coordinates or an address"});
  }
  if (r.citizen) {
    CheckText(errors, "citizen.name", r.citizen->name, kMaxName, false);
    CheckText(errors, "citizen.email", r.citizen->email, kMaxEmail, false);
    if (!r.citizen->email.empty() && !LooksLikeEmail(r.citizen->email))
      errors.push_back({"citizen.email", "is not an e-mail address"});
    CheckText(errors, "citizen.phone", r.citizen->phone, kMaxPhone, false);
    for (char c : r.citizen->phone) {
      if (!std::isdigit(static_cast<unsigned char>(c)) && c != '+' && c != ' ' && c != '.' &&
          c != '-' && c != '(' && c != ')') {
        errors.push_back({"citizen.phone", "may contain only digits, spaces and + . - ( )"});
        break;
      }
    }
    CheckLanguage(errors, "citizen.language", r.citizen->language);
  }
  return errors;
}

std::vector<FieldError> ValidatePatch(const RequestPatch& p) {
  std::vector<FieldError> errors;
  if (p.subject) CheckText(errors, "subject", *p.subject, kMaxSubject, true);
  if (p.description) CheckText(errors, "description", *p.description, kMaxDescription, true);
  if (p.language) CheckLanguage(errors, "language", *p.language);
  if (p.tags) CheckTags(errors, *p.tags);
  if (p.custom_fields) CheckCustomFields(errors, *p.custom_fields);
  return errors;
}

std::vector<FieldError> ValidateNewMessage(const NewMessage& m) {
  std::vector<FieldError> errors;
  CheckText(errors, "body", m.body, kMaxMessageBody, true);
  CheckText(errors, "author_name", m.author_name, kMaxName, false);
  return errors;
}

std::vector<FieldError> ValidateNewUser(const NewUser& u) {
  std::vector<FieldError> errors;
  CheckText(errors, "email", u.email, kMaxEmail, true);
  if (!LooksLikeEmail(u.email)) errors.push_back({"email", "is not an e-mail address"});
  CheckText(errors, "display_name", u.display_name, kMaxName, false);
  return errors;
}

std::string FormatReference(int year, std::int64_t sequence) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "GU-%04d-%06lld", year, static_cast<long long>(sequence));
  return buf;
}

bool LooksLikeReference(std::string_view s) {
  if (s.size() < 14 || s.size() > 20 || s.substr(0, 3) != "GU-" || s[7] != '-') return false;
  for (size_t i = 3; i < s.size(); ++i) {
    if (i != 7 && !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

}  // namespace guichet::core
