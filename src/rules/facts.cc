#include "rules/facts.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "rules/scheme_data.h"

namespace guichet::rules {
namespace {

Status WrongType(const FactInfo& f, const nlohmann::json& value, std::string_view expected) {
  std::string shown = value.dump();
  if (shown.size() > 60) shown = shown.substr(0, 57) + "...";
  return InvalidArgument("fact " + f.id + " (" + std::string(TypeName(f.type)) + "): " + shown +
                         " is not " + std::string(expected));
}

// Euros as written ("1240.5", "1240,50", 1240.5) → cents; nullopt when not an amount with at
// most two decimals.
std::optional<std::int64_t> Cents(const nlohmann::json& value) {
  double euros = 0;
  if (value.is_number_unsigned() && value.get<std::uint64_t>() > 90'000'000'000'000u) {
    return std::nullopt;
  }
  if (value.is_number_integer()) {
    const auto i = value.get<std::int64_t>();
    if (std::llabs(i) > 90'000'000'000'000) return std::nullopt;
    return i * 100;
  }
  if (value.is_number()) {
    euros = value.get<double>();
  } else if (value.is_string()) {
    std::string text = value.get<std::string>();
    for (char& c : text) {
      if (c == ',') c = '.';
    }
    char* end = nullptr;
    euros = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0') return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (!std::isfinite(euros) || std::fabs(euros) > 9e13) return std::nullopt;
  const double cents = std::round(euros * 100);
  if (std::fabs(cents - euros * 100) > 1e-6) return std::nullopt;
  return static_cast<std::int64_t>(cents);
}

}  // namespace

Facts EmptyFacts(const Scheme& scheme) {
  Facts facts;
  facts.values.resize(scheme.facts().size());
  for (std::size_t i = 0; i < facts.values.size(); ++i) {
    facts.values[i].type = scheme.facts()[i].type;
  }
  return facts;
}

Status SetFact(const Scheme& scheme, Facts& facts, std::string_view id,
               const nlohmann::json& value) {
  const int index = scheme.FactIndex(id);
  if (index < 0) {
    return InvalidArgument("unknown fact \"" + std::string(id) + "\" (scheme " + scheme.id() +
                           " does not use it)");
  }
  if (facts.values.size() != scheme.facts().size()) facts = EmptyFacts(scheme);
  const FactInfo& f = scheme.facts()[index];
  Value v;
  v.type = f.type;
  if (value.is_null()) {
    facts.values[index] = v;
    return Status::Ok();
  }
  v.known = true;
  switch (f.type) {
    case Type::kBool:
      if (!value.is_boolean()) return WrongType(f, value, "true or false");
      v.i = value.get<bool>();
      break;
    case Type::kInteger:
      if (value.is_number_unsigned() &&
          value.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
        return WrongType(f, value, "a whole number in range");
      }
      if (value.is_number_integer()) {
        v.i = value.get<std::int64_t>();
      } else if (value.is_number_float() &&
                 std::trunc(value.get<double>()) == value.get<double>() &&
                 std::fabs(value.get<double>()) < 9e15) {
        v.i = static_cast<std::int64_t>(value.get<double>());
      } else {
        return WrongType(f, value, "a whole number");
      }
      break;
    case Type::kDecimal:
      if (!value.is_number()) return WrongType(f, value, "a number");
      v.d = value.get<double>();
      if (!std::isfinite(v.d)) return WrongType(f, value, "a finite number");
      break;
    case Type::kMoney: {
      const auto cents = Cents(value);
      if (!cents) return WrongType(f, value, "an amount of euros with at most two decimals");
      v.i = *cents;
      break;
    }
    case Type::kDate: {
      if (!value.is_string()) return WrongType(f, value, "a date \"YYYY-MM-DD\"");
      const auto date = ParseDate(value.get<std::string>());
      if (!date) return WrongType(f, value, "a real date \"YYYY-MM-DD\"");
      v.i = date->days;
      break;
    }
    case Type::kEnum: {
      const std::string* name = value.get_ptr<const std::string*>();
      const auto& values = f.values;
      std::int64_t found = -1;
      for (std::size_t i = 0; name != nullptr && i < values.size(); ++i) {
        if (values[i] == *name) found = static_cast<std::int64_t>(i);
      }
      if (found < 0) {
        std::string allowed;
        for (const std::string& a : values) allowed += (allowed.empty() ? "" : ", ") + a;
        return WrongType(f, value, "one of: " + allowed);
      }
      v.i = found;
      v.text = *name;
      break;
    }
    case Type::kText:
      if (!value.is_string()) return WrongType(f, value, "a text");
      v.text = value.get<std::string>();
      break;
  }
  facts.values[index] = std::move(v);
  return Status::Ok();
}

Result<Facts> FactsFromJson(const Scheme& scheme, const nlohmann::json& object) {
  if (!object.is_object()) return InvalidArgument("the facts must be a JSON object");
  Facts facts = EmptyFacts(scheme);
  for (const auto& [key, value] : object.items()) {
    GUICHET_RETURN_IF_ERROR(SetFact(scheme, facts, key, value));
  }
  return facts;
}

Result<Facts> FactsFromJsonText(const Scheme& scheme, std::string_view text) {
  nlohmann::json object = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) return InvalidArgument("the facts are not valid JSON");
  return FactsFromJson(scheme, object);
}

}  // namespace guichet::rules
