// Private to src/app: the text of the demo town hall "Ville de Démo" — teams, categories,
// request templates in French and English, agent replies, notes, and the obviously fictional
// streets, places and names that fill their {slots}. Constant data; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/enums.h"

namespace guichet::app::demo {

inline constexpr std::string_view kTownName = "Ville de Démo (données de démonstration)";
inline constexpr std::string_view kDemoTag = "demo";
inline constexpr std::string_view kEmailDomain = "demo.guichet.local";

// A request as a citizen writes it. Slots: {street} {street2} and {de_street} {de_street2}
// (with the French article: "du boulevard Fictif", "de la rue …", "de l'avenue …"), {number}
// {place} {school} {date} {weekday} {future_date} {birth_date} {recent_date} {month} {days}
// {year_past} {amount} {parcel} {son} {daughter} {purpose}.
struct RequestTemplate {
  std::string_view subject;
  std::string_view body;
  std::vector<std::string_view> tags;
  core::Priority priority = core::Priority::kNormal;
};

// Text in both languages of the demo: French first, English alongside.
struct Texts {
  std::vector<std::string_view> fr;
  std::vector<std::string_view> en;
};

struct CategoryContent {
  std::string_view slug;
  std::string_view name;
  int team = 0;                     // index into TeamNames()
  double weight = 1.0;              // share of the requests
  std::array<double, 12> season{};  // relative volume, January … December
  bool located = false;             // about a place in town: gets an address and coordinates
  double resolve_days_min = 1, resolve_days_max = 10;
  double third_party = 0.05;  // chance of waiting on a contractor or another body
  double quick = 0.05;        // chance the first answer settles it (answered and resolved at once)
  double resolution_message = 0.35;  // chance the resolution comes with its own public message
  std::vector<RequestTemplate> fr, en;
  Texts replies;      // first public answer; slots as above plus {reference}
  Texts resolutions;  // the public message that resolves the request
  Texts documents;    // what the agent asks for when the file is incomplete
};

const std::vector<std::string_view>& TeamNames();
const std::vector<CategoryContent>& Categories();

// The town's SLA policies, created before the requests so that every request gets deadlines.
// Minutes are of opening hours unless `business_hours` is false (round the clock).
struct SlaPolicyContent {
  std::string_view name = {};
  std::string_view category = {};  // slug; empty for any category
  std::optional<core::Priority> priority = std::nullopt;
  std::optional<std::int64_t> first_reply_minutes = std::nullopt;
  std::optional<std::int64_t> resolution_minutes = std::nullopt;
  bool business_hours = true;
  int warning_percent = 80;
};
const std::vector<SlaPolicyContent>& SlaPolicies();

// Teams that keep their own opening hours instead of the desk's.
struct TeamHours {
  int team = 0;  // index into TeamNames()
  std::string_view opening_hours;
};
const std::vector<TeamHours>& TeamOpeningHours();

// Shared texts. Notes are internal and in French (the agents' language).
const std::vector<std::string_view>& InternalNotes();  // slots: {lead} {ticket}
const std::vector<std::string_view>& ThirdPartyNotes();
const std::vector<std::string_view>& DuplicateNotes();
const Texts& CitizenAnswers();  // the citizen sends the documents asked for
const Texts& Openers();
const Texts& Closers();  // slot: {name}

struct Street {
  std::string_view name;
  double lat, lon;  // a point on it, in the fictional town
};
const std::vector<Street>& Streets();
const std::vector<std::string_view>& Places();
const std::vector<std::string_view>& Schools();
const std::vector<std::string_view>& Purposes();
const Texts& FirstNames();
const Texts& LastNames();
const std::vector<std::string_view>& Sons();
const std::vector<std::string_view>& Daughters();

}  // namespace guichet::app::demo
