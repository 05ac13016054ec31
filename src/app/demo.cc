// guichet demo: the example town hall "Ville de Démo", with a year of requests.
//
// How the year is simulated: first every request gets a category and a creation time, drawn
// from one weight per (category, day) — category share × season of that category × day of week
// × public holidays × a slow growth — so the volumes have weekly and seasonal shapes. Each
// request then gets a planned life: triage and assignment, a first reply (or a request for
// documents and the citizen's answer), sometimes an internal note or a wait on a third party,
// resolution after a delay typical of its category, and closing a week or two later. Staff steps
// happen in office hours. All steps of all requests are sorted by time and played against the
// store with a ManualClock set to each step's time, so created_at, updated_at, message times and
// the audit log read like a real year; steps after "now" are not played, which leaves recent
// requests new, open or pending and old ones resolved or closed.
//
// Reproducible: the same --seed and --now give the same requests (passwords and private-link
// secrets are random on every run, as they must be). Idempotent: the demo admin account marks the
// demo as loaded; existing teams and categories of the same names are reused. Each step is its
// own transaction, so an interrupted run leaves a partial demo: start again from an empty
// database.
#include <algorithm>
#include <cmath>
#include <ctime>
#include <iomanip>
#include <map>
#include <set>

#include "app/commands.h"
#include "app/demo_content.h"
#include "app/progress.h"
#include "common/crypto.h"
#include "common/random.h"
#include "common/text.h"
#include "storage/sla_store.h"

namespace guichet::app {
namespace {

using demo::CategoryContent;
using demo::Texts;

constexpr Millis kMinute = 60'000;
constexpr Millis kHour = 60 * kMinute;
constexpr Millis kDay = 24 * kHour;
// The fictional town keeps Central European winter time all year: it is a demo.
constexpr Millis kLocalOffset = kHour;
constexpr int kDays = 365;

struct Civil {
  int year, month, day;  // month 1–12
  int weekday;           // 0 = Monday
  int minute_of_day;
};

Civil LocalCivil(Millis t) {
  const std::time_t seconds = static_cast<std::time_t>((t + kLocalOffset) / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, (tm.tm_wday + 6) % 7,
          tm.tm_hour * 60 + tm.tm_min};
}

Millis FloorDay(Millis local) { return (local >= 0 ? local : local - kDay + 1) / kDay * kDay; }

constexpr std::string_view kFrMonths[] = {"janvier",   "février", "mars",     "avril",
                                          "mai",       "juin",    "juillet",  "août",
                                          "septembre", "octobre", "novembre", "décembre"};
constexpr std::string_view kEnMonths[] = {"January",   "February", "March",    "April",
                                          "May",       "June",     "July",     "August",
                                          "September", "October",  "November", "December"};
constexpr std::string_view kFrDays[] = {"lundi",    "mardi",  "mercredi", "jeudi",
                                        "vendredi", "samedi", "dimanche"};
constexpr std::string_view kEnDays[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                        "Friday", "Saturday", "Sunday"};

// "samedi 14 juin" / "Saturday 14 June", optionally with the year.
std::string FormatDate(Millis t, bool fr, bool weekday, bool year) {
  const Civil c = LocalCivil(t);
  std::string out;
  if (weekday) out += std::string(fr ? kFrDays[c.weekday] : kEnDays[c.weekday]) + " ";
  out += std::to_string(c.day) + " ";
  out += fr ? kFrMonths[c.month - 1] : kEnMonths[c.month - 1];
  if (year) out += " " + std::to_string(c.year);
  return out;
}

// The next moment the town hall's offices are open (Monday–Friday, 8:30–17:30), `t` itself
// when they are; staff steps happen then, a little after opening.
Millis OfficeTime(Millis t, Random& rng) {
  const Civil c = LocalCivil(t);
  if (c.weekday < 5 && c.minute_of_day >= 510 && c.minute_of_day < 1050) return t;
  Millis midnight = FloorDay(t + kLocalOffset) - kLocalOffset;
  int weekday = c.weekday;
  if (c.weekday >= 5 || c.minute_of_day >= 1050) {
    midnight += kDay;
    weekday = (weekday + 1) % 7;
  }
  while (weekday >= 5) {
    midnight += kDay;
    weekday = (weekday + 1) % 7;
  }
  // One draw per statement: the order of evaluation inside an expression is unspecified.
  const Millis minutes = rng.Uniform(0, 100);
  const Millis seconds = rng.Uniform(0, 59);
  return midnight + (510 + minutes) * kMinute + seconds * 1000;
}

using Slots = std::map<std::string, std::string, std::less<>>;

// Replaces each {name} that has a value in `slots`; unknown names stay as written.
std::string Fill(std::string_view text, const Slots& slots) {
  std::string out;
  out.reserve(text.size() + 32);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{') {
      const size_t end = text.find('}', i);
      if (end != std::string_view::npos) {
        auto it = slots.find(text.substr(i + 1, end - i - 1));
        if (it != slots.end()) {
          out += it->second;
          i = end;
          continue;
        }
      }
    }
    out += text[i];
  }
  return out;
}

// "Léa Échantillon" → "lea.echantillon": e-mail local parts in ASCII.
std::string EmailLocal(std::string_view name) {
  static const std::pair<std::string_view, char> kFold[] = {
      {"é", 'e'}, {"è", 'e'}, {"ê", 'e'}, {"ë", 'e'}, {"É", 'e'}, {"à", 'a'},
      {"â", 'a'}, {"î", 'i'}, {"ï", 'i'}, {"ô", 'o'}, {"ö", 'o'}, {"ù", 'u'},
      {"û", 'u'}, {"ü", 'u'}, {"ç", 'c'}, {"ë", 'e'}};
  std::string out;
  for (size_t i = 0; i < name.size();) {
    bool folded = false;
    for (const auto& [from, to] : kFold) {
      if (name.substr(i, from.size()) == from) {
        out += to;
        i += from.size();
        folded = true;
        break;
      }
    }
    if (folded) continue;
    const unsigned char ch = static_cast<unsigned char>(name[i]);
    if (std::isalnum(ch)) {
      out += static_cast<char>(std::tolower(ch));
    } else if (ch == ' ' || ch == '-') {
      out += '.';
    }
    ++i;
  }
  return out;
}

// "rue des Pixels" → "de la rue des Pixels", "boulevard Fictif" → "du boulevard Fictif",
// "avenue …" → "de l'avenue …".
std::string WithDe(std::string_view street) {
  const std::string name(street);
  const char first = name.empty() ? ' ' : name[0];
  if (std::string_view("aeiouh").find(first) != std::string_view::npos) return "de l'" + name;
  for (std::string_view feminine : {"rue ", "place ", "route "}) {
    if (name.rfind(feminine, 0) == 0) return "de la " + name;
  }
  return "du " + name;
}

template <typename T>
const T& PickOf(Random& rng, const std::vector<T>& items) {
  return rng.Pick(items);
}
std::string_view PickText(Random& rng, const Texts& texts, bool fr) {
  return rng.Pick(fr || texts.en.empty() ? texts.fr : texts.en);
}

// Pads to `width` code points (std::setw counts bytes, which breaks accented names).
std::string Pad(const std::string& s, size_t width) {
  const size_t n = Utf8Length(s);
  return n >= width ? s + " " : s + std::string(width - n, ' ');
}

// --- The cast -------------------------------------------------------------------------------

struct StaffSeed {
  std::string_view email_local;  // empty: first.last
  std::string_view name;
  core::Role role;
  int team;  // index into TeamNames(), -1 for none
};

const std::vector<StaffSeed>& Staff() {
  using core::Role;
  static const std::vector<StaffSeed> kStaff = {
      {"admin", "Dominique Admin", Role::kAdmin, -1},
      {"auditeur", "Nicolas Contrôle", Role::kAuditor, -1},
      {"", "Hélène Gabarit", Role::kLead, 0},
      {"", "Nadia Canevas", Role::kAgent, 0},
      {"", "Karim Pochoir", Role::kAgent, 0},
      {"", "Marc Patron", Role::kLead, 1},
      {"", "Julie Ossature", Role::kAgent, 1},
      {"", "Thomas Trame", Role::kAgent, 1},
      {"", "Élise Calque", Role::kLead, 2},
      {"", "Inès Schéma", Role::kAgent, 2},
      {"", "Olivier Épure", Role::kAgent, 2},
      {"", "Yann Épreuve", Role::kLead, 3},
      {"", "Sarah Matrice", Role::kAgent, 3},
      {"", "Mehdi Moule", Role::kAgent, 3},
      {"", "Fatou Croquis", Role::kLead, 4},
      {"", "Laura Aperçu", Role::kAgent, 4},
      {"", "Antoine Copie", Role::kAgent, 4},
      {"citoyen", "Camille Citoyenne", Role::kCitizen, -1},
  };
  return kStaff;
}

std::string StaffEmail(const StaffSeed& s) {
  const std::string local = s.email_local.empty() ? EmailLocal(s.name) : std::string(s.email_local);
  return local + "@" + std::string(demo::kEmailDomain);
}

struct Member {
  core::Id id = 0;
  std::string name;
  core::Role role;
  int team;
};

// --- The plan -------------------------------------------------------------------------------

enum class Step {
  kCreate,
  kTriage,         // assign and open
  kNote,           // internal note
  kReply,          // first public answer
  kAskDocuments,   // public answer asking for documents, then pending_citizen
  kCitizenAnswer,  // the citizen sends them
  kResume,         // back to open
  kThirdParty,     // internal note, then pending_third_party
  kBackFromThirdParty,
  kQuickAnswer,         // a public answer that settles it: assigned and resolved at once
  kResolve,             // resolved, with no message of its own
  kResolveWithMessage,  // a public message, then resolved
  kClose,
  kDuplicate,  // internal note, then closed straight from new
};

struct Event {
  Millis at;
  int request;
  int order;  // position in the request's life, to break ties
  Step step;
};

struct DemoRequest {
  int category = 0;
  bool fr = true;
  bool by_account = false;  // sent by the demo citizen account
  Millis created = 0;
  core::NewRequest input;
  std::string citizen_name;  // empty for anonymous reports
  Slots slots;
  // Filled while playing.
  core::Id id = 0;
  std::int64_t version = 1;
  core::RequestStatus status = core::RequestStatus::kNew;
  const Member* assignee = nullptr;
};

class DemoBuilder {
 public:
  DemoBuilder(std::uint64_t seed, int count, Millis now) : rng_(seed), count_(count), now_(now) {}

  void Plan() {
    const auto& categories = demo::Categories();
    // One weight per (category, day), then draw creation slots from it.
    const Millis today = FloorDay(now_ + kLocalOffset) - kLocalOffset;
    std::vector<double> cumulative;
    cumulative.reserve(categories.size() * kDays);
    double total = 0;
    for (size_t c = 0; c < categories.size(); ++c) {
      for (int d = 0; d < kDays; ++d) {
        const Millis midnight = today - static_cast<Millis>(kDays - 1 - d) * kDay;
        total += categories[c].weight * DayWeight(categories[c], midnight, d);
        cumulative.push_back(total);
      }
    }
    requests_.resize(static_cast<size_t>(count_));
    for (int i = 0; i < count_; ++i) {
      const double x = rng_.Unit() * total;
      const size_t cell = static_cast<size_t>(
          std::upper_bound(cumulative.begin(), cumulative.end(), x) - cumulative.begin());
      const size_t slot = std::min(cell, cumulative.size() - 1);
      const int c = static_cast<int>(slot / kDays);
      const int d = static_cast<int>(slot % kDays);
      DemoRequest& r = requests_[static_cast<size_t>(i)];
      r.category = c;
      r.created = TimeOfDay(today - static_cast<Millis>(kDays - 1 - d) * kDay);
    }
    std::sort(requests_.begin(), requests_.end(),
              [](const DemoRequest& a, const DemoRequest& b) { return a.created < b.created; });
    // About one request in 70 comes from the demo citizen account, so that its login shows a
    // history.
    for (int i = 0; i < count_; ++i) {
      DemoRequest& r = requests_[static_cast<size_t>(i)];
      r.by_account = count_ >= 10 && i % 70 == 35;
      Write(r);
      PlanLife(i);
    }
    std::sort(events_.begin(), events_.end(), [](const Event& a, const Event& b) {
      if (a.at != b.at) return a.at < b.at;
      if (a.request != b.request) return a.request < b.request;
      return a.order < b.order;
    });
  }

  std::vector<DemoRequest>& requests() { return requests_; }
  const std::vector<Event>& events() const { return events_; }
  Random& rng() { return rng_; }

 private:
  double DayWeight(const CategoryContent& category, Millis midnight, int d) {
    const Civil c = LocalCivil(midnight + 12 * kHour);
    static constexpr double kWeekday[] = {1.15, 1.05, 1.0, 1.0, 0.95, 0.35, 0.2};
    double w = kWeekday[c.weekday] * category.season[static_cast<size_t>(c.month - 1)];
    const int md = c.month * 100 + c.day;
    if (md == 101 || md == 501 || md == 508 || md == 714 || md == 815 || md == 1101 || md == 1111 ||
        md == 1225) {
      w *= 0.25;  // public holidays
    } else if (md >= 1224 || md <= 102) {
      w *= 0.6;  // the festive season
    }
    // The desk slowly gets known: a tenth more requests at the end of the year than at the start.
    return w * (0.95 + 0.1 * d / kDays);
  }

  Millis TimeOfDay(Millis midnight) {
    static const std::vector<double> kHours = {0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8,
                                               2.0, 3.0,  3.0,  2.6,  1.6,  1.8, 2.6, 2.6,
                                               2.3, 1.8,  1.2,  1.0,  0.9,  0.7, 0.4, 0.2};
    const auto hour = static_cast<Millis>(rng_.Weighted(kHours));
    const Millis minutes = rng_.Uniform(0, 59);
    const Millis seconds = rng_.Uniform(0, 59);
    Millis t = midnight + hour * kHour + minutes * kMinute + seconds * 1000;
    if (t >= now_) t = now_ - rng_.Uniform(5, 240) * kMinute;
    return t;
  }

  core::Channel PickChannel(const CategoryContent& category, Millis created, bool by_account) {
    using core::Channel;
    if (by_account) return Channel::kWeb;
    const Civil c = LocalCivil(created);
    const bool office = c.weekday < 5 && c.minute_of_day >= 510 && c.minute_of_day < 1050;
    static const Channel kChannels[] = {Channel::kWeb,     Channel::kEmail, Channel::kPhone,
                                        Channel::kCounter, Channel::kChat,  Channel::kApi,
                                        Channel::kOpen311};
    std::vector<double> w = {45, 22, office ? 10.0 : 0.0,          office ? 8.0 : 0.0,
                             5,  2,  category.located ? 20.0 : 0.0};
    return kChannels[rng_.Weighted(w)];
  }

  // The request as the citizen wrote it: template, slots, wrapping by channel, citizen.
  void Write(DemoRequest& r) {
    const CategoryContent& cat = demo::Categories()[static_cast<size_t>(r.category)];
    r.fr = r.by_account || rng_.Chance(0.85);
    const auto& templates = r.fr ? cat.fr : cat.en;
    const demo::RequestTemplate& tpl = PickOf(rng_, templates);
    const auto& streets = demo::Streets();
    const size_t street =
        static_cast<size_t>(rng_.Uniform(0, static_cast<std::int64_t>(streets.size()) - 1));
    size_t street2 =
        static_cast<size_t>(rng_.Uniform(0, static_cast<std::int64_t>(streets.size()) - 2));
    if (street2 >= street) ++street2;
    const Civil created = LocalCivil(r.created);
    Slots& s = r.slots;
    s["street"] = std::string(streets[street].name);
    s["street2"] = std::string(streets[street2].name);
    s["number"] = std::to_string(rng_.Uniform(1, 120));
    s["place"] = std::string(PickOf(rng_, demo::Places()));
    s["school"] = std::string(PickOf(rng_, demo::Schools()));
    s["purpose"] = std::string(PickOf(rng_, demo::Purposes()));
    s["de_street"] = WithDe(streets[street].name);
    s["de_street2"] = WithDe(streets[street2].name);
    s["son"] = std::string(PickOf(rng_, demo::Sons()));
    s["daughter"] = std::string(PickOf(rng_, demo::Daughters()));
    s["date"] = FormatDate(r.created - rng_.Uniform(2, 40) * kDay, r.fr, false, false);
    s["recent_date"] = FormatDate(r.created - rng_.Uniform(1, 10) * kDay, r.fr, false, false);
    // A recent weekday ("lundi": one to four days ago) and a month a few months ahead.
    const auto weekday = static_cast<size_t>((created.weekday + 6 - rng_.Uniform(0, 3)) % 7);
    const auto month = static_cast<size_t>((created.month - 1 + rng_.Uniform(2, 5)) % 12);
    s["weekday"] = std::string(r.fr ? kFrDays[weekday] : kEnDays[weekday]);
    s["future_date"] = FormatDate(r.created + rng_.Uniform(15, 120) * kDay, r.fr, true, false);
    s["birth_date"] =
        FormatDate(r.created - rng_.Uniform(18 * 365, 70 * 365) * kDay, r.fr, false, true);
    s["month"] = std::string(r.fr ? kFrMonths[month] : kEnMonths[month]);
    s["days"] = std::to_string(rng_.Uniform(10, 90));
    s["year_past"] = std::to_string(created.year - rng_.Uniform(1, 4));
    s["amount"] = std::to_string(rng_.Uniform(12, 90) * 10);
    static constexpr char kSections[] = "ABCDEHKL";
    {
      char parcel[16];
      const char first = kSections[rng_.Uniform(0, 7)];
      const char second = kSections[rng_.Uniform(0, 7)];
      const int number = static_cast<int>(rng_.Uniform(1, 2500));
      std::snprintf(parcel, sizeof parcel, "%c%c %04d", first, second, number);
      s["parcel"] = parcel;  // a cadastral reference, "AB 0123"
    }

    core::NewRequest& in = r.input;
    in.channel = PickChannel(cat, r.created, r.by_account);
    in.language = r.fr ? "fr" : "en";
    in.priority = tpl.priority;
    if (tpl.priority == core::Priority::kNormal && rng_.Chance(0.08)) {
      in.priority = rng_.Chance(0.6) ? core::Priority::kLow : core::Priority::kHigh;
    }

    // Who writes: a fictional citizen, the demo account, or nobody (anonymous street reports).
    if (r.by_account) {
      r.citizen_name = "Camille Citoyenne";
    } else if (!(cat.located && in.channel != core::Channel::kPhone && rng_.Chance(0.12))) {
      const std::string first(PickText(rng_, demo::FirstNames(), r.fr));
      const std::string last(PickText(rng_, demo::LastNames(), r.fr));
      r.citizen_name = first + " " + last;
      core::NewCitizen citizen;
      citizen.name = r.citizen_name;
      citizen.language = in.language;
      const bool spoken =
          in.channel == core::Channel::kPhone || in.channel == core::Channel::kCounter;
      if (!spoken || rng_.Chance(0.4)) {
        static constexpr std::string_view kDomains[] = {"example.org", "example.net",
                                                        "example.com"};
        const auto suffix = rng_.Uniform(1, 99);
        const auto domain = kDomains[rng_.Uniform(0, 2)];
        citizen.email =
            EmailLocal(r.citizen_name) + std::to_string(suffix) + "@" + std::string(domain);
      }
      if (spoken || rng_.Chance(0.3)) {
        char phone[32];
        const int a = static_cast<int>(rng_.Uniform(0, 99));
        const int b = static_cast<int>(rng_.Uniform(0, 99));
        std::snprintf(phone, sizeof phone, "01 99 00 %02d %02d", a, b);
        citizen.phone = phone;
      }
      in.citizen = citizen;
    }
    s["name"] = r.citizen_name;

    in.subject = Fill(tpl.subject, s);
    std::string body = Fill(tpl.body, s);
    if (in.channel == core::Channel::kPhone) {
      body = std::string(r.fr ? "[Appel téléphonique] " : "[Phone call] ") + body;
    } else if (in.channel == core::Channel::kCounter) {
      body = std::string(r.fr ? "[Accueil en mairie] " : "[At the front desk] ") + body;
    } else {
      if (rng_.Chance(0.55))
        body = std::string(PickText(rng_, demo::Openers(), r.fr)) + "\n\n" + body;
      if (rng_.Chance(0.6)) {
        std::string closer(PickText(rng_, demo::Closers(), r.fr));
        if (closer.find("{name}") == std::string::npos || !r.citizen_name.empty()) {
          body += "\n\n" + Fill(closer, s);
        }
      }
    }
    in.description = std::move(body);

    std::set<std::string> tags = {std::string(demo::kDemoTag)};
    for (auto t : tpl.tags) tags.insert(std::string(t));
    in.tags.assign(tags.begin(), tags.end());

    if (cat.located || (cat.team == 1 && rng_.Chance(0.5))) {
      const demo::Street& st = streets[street];
      core::Location loc;
      loc.lat = std::round((st.lat + (rng_.Unit() - 0.5) * 0.003) * 1e6) / 1e6;
      loc.lon = std::round((st.lon + (rng_.Unit() - 0.5) * 0.003) * 1e6) / 1e6;
      loc.address = s["number"] + " " + s["street"] + ", 99999 Ville de Démo";
      in.location = loc;
    }
    if (cat.slug == "acte-naissance") {
      static const std::vector<std::string_view> kKinds = {
          "copie intégrale", "extrait avec filiation", "extrait sans filiation"};
      in.custom_fields["type_acte"] = std::string(PickOf(rng_, kKinds));
      in.custom_fields["nombre_exemplaires"] = std::to_string(rng_.Uniform(1, 3));
    } else if (cat.team == 1) {
      in.custom_fields["parcelle"] = s["parcel"];
    }
  }

  void PlanLife(int index) {
    const DemoRequest& r = requests_[static_cast<size_t>(index)];
    const CategoryContent& cat = demo::Categories()[static_cast<size_t>(r.category)];
    int order = 0;
    Millis last = r.created;
    // Adds a step at `at` (never before the previous one); false once past "now".
    auto add = [&](Step step, Millis at) {
      at = std::max(at, last + kMinute);
      if (at >= now_) return false;
      events_.push_back({at, index, order++, step});
      last = at;
      return true;
    };
    add(Step::kCreate, r.created);
    // Every step below is one or two transactions; the mix keeps the demo realistic while the
    // load stays fast even where each commit waits for the disk.
    if (rng_.Chance(0.02)) {
      add(Step::kDuplicate, OfficeTime(r.created + rng_.Uniform(10, 600) * kMinute, rng_));
      return;
    }
    // Triage: soon in office hours, next morning otherwise; a few wait longer.
    const double u = rng_.Unit();
    Millis t = OfficeTime(r.created + 5 * kMinute + static_cast<Millis>(u * u * 30 * kHour), rng_);
    if (rng_.Chance(cat.quick)) {
      if (!add(Step::kQuickAnswer, t)) return;
    } else {
      if (!add(Step::kTriage, t)) return;
      if (rng_.Chance(0.15)) {
        // Notes are messages only: they may fall anywhere in the life without changing its state.
        const Millis note = OfficeTime(t + rng_.Uniform(2, 240) * kMinute, rng_);
        if (note < now_) events_.push_back({note, index, 1000, Step::kNote});
      }
      t = OfficeTime(t + rng_.Uniform(5, 20 * 60) * kMinute, rng_);
      if (rng_.Chance(0.12)) {
        if (!add(Step::kAskDocuments, t)) return;
        t += rng_.Uniform(6, 9 * 24) * kHour;  // citizens answer at any hour
        if (!add(Step::kCitizenAnswer, t)) return;
        t = OfficeTime(t + rng_.Uniform(30, 30 * 60) * kMinute, rng_);
        if (!add(Step::kResume, t)) return;
      } else {
        if (!add(Step::kReply, t)) return;
      }
      if (rng_.Chance(cat.third_party)) {
        t = OfficeTime(t + rng_.Uniform(1, 48) * kHour, rng_);
        if (!add(Step::kThirdParty, t)) return;
        t = OfficeTime(t + rng_.Uniform(2, 25) * kDay, rng_);
        if (!add(Step::kBackFromThirdParty, t)) return;
      }
      if (rng_.Chance(0.03)) return;  // the backlog: some cases stay open
      const double days =
          cat.resolve_days_min + rng_.Unit() * (cat.resolve_days_max - cat.resolve_days_min);
      const Millis target = r.created + static_cast<Millis>(days * static_cast<double>(kDay));
      t = OfficeTime(std::max(target, t + rng_.Uniform(30, 24 * 60) * kMinute), rng_);
      const Step resolve =
          rng_.Chance(cat.resolution_message) ? Step::kResolveWithMessage : Step::kResolve;
      if (!add(resolve, t)) return;
    }
    // Most resolved cases are closed a week or two later; some are left resolved.
    if (rng_.Chance(0.75)) add(Step::kClose, OfficeTime(t + rng_.Uniform(7, 15) * kDay, rng_));
  }

  Random rng_;
  int count_;
  Millis now_;
  std::vector<DemoRequest> requests_;
  std::vector<Event> events_;
};

// --- Playing the plan -----------------------------------------------------------------------

class DemoPlayer {
 public:
  DemoPlayer(storage::Store& store, ManualClock& clock, Random& rng,
             const std::vector<Member>& members, core::Id account_user, core::Id account_citizen)
      : store_(store),
        clock_(clock),
        rng_(rng),
        members_(members),
        account_user_(account_user),
        account_citizen_(account_citizen) {}

  Status Play(DemoRequest& r, const Event& e) {
    clock_.Set(e.at);
    const CategoryContent& cat = demo::Categories()[static_cast<size_t>(r.category)];
    switch (e.step) {
      case Step::kCreate: {
        storage::Actor actor = storage::Actor::System("demo");
        core::NewRequest in = r.input;
        if (r.by_account) {
          actor = storage::Actor::User(account_user_);
          in.citizen_id = account_citizen_;
        }
        in.category_id = category_ids_.at(r.category);
        GUICHET_ASSIGN_OR_RETURN(auto created,
                                 store_.CreateRequest(in, Sha256Hex(RandomToken()), actor));
        r.id = created.id;
        r.version = created.version;
        r.status = created.status;
        r.slots["reference"] = created.reference;
        return Status::Ok();
      }
      case Step::kTriage: {
        r.assignee = PickAssignee(cat.team);
        core::RequestPatch patch;
        patch.status = core::RequestStatus::kOpen;
        patch.assignee_id = r.assignee->id;
        if (rng_.Chance(0.06)) {
          patch.priority = r.input.priority == core::Priority::kHigh ? core::Priority::kUrgent
                                                                     : core::Priority::kHigh;
        }
        return Update(r, patch, Lead(cat.team));
      }
      case Step::kNote: {
        Slots slots = r.slots;
        slots["lead"] = Lead(cat.team).name;
        slots["ticket"] = std::to_string(rng_.Uniform(10000, 99999));
        return Note(r, Fill(rng_.Pick(demo::InternalNotes()), slots),
                    r.assignee ? *r.assignee : Lead(cat.team));
      }
      case Step::kReply:
        return Say(r, std::string(PickText(rng_, cat.replies, r.fr)));
      case Step::kAskDocuments: {
        const std::string document(PickText(rng_, cat.documents, r.fr));
        GUICHET_RETURN_IF_ERROR(Say(
            r,
            r.fr ? "Pour poursuivre le traitement de votre demande {reference}, merci de "
                   "nous transmettre " +
                       document + "."
                 : "To continue with your request {reference}, please send us " + document + "."));
        return SetStatus(r, core::RequestStatus::kPendingCitizen);
      }
      case Step::kCitizenAnswer: {
        core::NewMessage m;
        m.visibility = core::Visibility::kPublic;
        m.channel =
            r.input.channel == core::Channel::kEmail ? core::Channel::kEmail : core::Channel::kWeb;
        m.author_name = r.citizen_name.empty() ? (r.fr ? "Usager" : "Resident") : r.citizen_name;
        m.body = std::string(PickText(rng_, demo::CitizenAnswers(), r.fr));
        const storage::Actor actor = r.by_account ? storage::Actor::User(account_user_)
                                                  : storage::Actor::System("citizen-link");
        return store_.AddMessage(r.id, m, false, actor).status();
      }
      case Step::kResume:
      case Step::kBackFromThirdParty:
        return SetStatus(r, core::RequestStatus::kOpen);
      case Step::kThirdParty: {
        Slots slots = r.slots;
        slots["ticket"] = std::to_string(rng_.Uniform(10000, 99999));
        GUICHET_RETURN_IF_ERROR(
            Note(r, Fill(rng_.Pick(demo::ThirdPartyNotes()), slots), *r.assignee));
        return SetStatus(r, core::RequestStatus::kPendingThirdParty);
      }
      case Step::kQuickAnswer: {
        r.assignee = PickAssignee(cat.team);
        // Questions are settled by the answer itself; reports by the work being done.
        GUICHET_RETURN_IF_ERROR(
            Say(r, std::string(PickText(rng_, cat.located ? cat.resolutions : cat.replies, r.fr))));
        core::RequestPatch patch;
        patch.status = core::RequestStatus::kResolved;
        patch.assignee_id = r.assignee->id;
        return Update(r, patch, *r.assignee);
      }
      case Step::kResolveWithMessage:
        GUICHET_RETURN_IF_ERROR(Say(r, std::string(PickText(rng_, cat.resolutions, r.fr))));
        return SetStatus(r, core::RequestStatus::kResolved);
      case Step::kResolve:
        return SetStatus(r, core::RequestStatus::kResolved);
      case Step::kClose:
        return SetStatus(r, core::RequestStatus::kClosed);
      case Step::kDuplicate: {
        const Member& lead = Lead(cat.team);
        GUICHET_RETURN_IF_ERROR(Note(r, std::string(rng_.Pick(demo::DuplicateNotes())), lead));
        core::RequestPatch patch;
        patch.status = core::RequestStatus::kClosed;
        return Update(r, patch, lead);
      }
    }
    return Status::Ok();
  }

  void SetCategoryIds(std::vector<core::Id> ids) { category_ids_ = std::move(ids); }

 private:
  const Member& Lead(int team) const {
    for (const Member& m : members_) {
      if (m.team == team && m.role == core::Role::kLead) return m;
    }
    return members_.front();
  }

  const Member* PickAssignee(int team) {
    std::vector<const Member*> agents;
    const Member* lead = nullptr;
    for (const Member& m : members_) {
      if (m.team != team) continue;
      if (m.role == core::Role::kAgent) agents.push_back(&m);
      if (m.role == core::Role::kLead) lead = &m;
    }
    if (lead && (agents.empty() || rng_.Chance(0.15))) return lead;
    return agents.empty() ? &members_.front() : rng_.Pick(agents);
  }

  Status Update(DemoRequest& r, const core::RequestPatch& patch, const Member& by) {
    GUICHET_ASSIGN_OR_RETURN(
        auto updated, store_.UpdateRequest(r.id, r.version, patch, storage::Actor::User(by.id)));
    r.version = updated.version;
    r.status = updated.status;
    return Status::Ok();
  }

  Status SetStatus(DemoRequest& r, core::RequestStatus status) {
    core::RequestPatch patch;
    patch.status = status;
    return Update(r, patch, *r.assignee);
  }

  // A public message from the assignee, with greeting and signature.
  Status Say(DemoRequest& r, const std::string& text) {
    const Member& agent = *r.assignee;
    const std::string team(demo::TeamNames()[static_cast<size_t>(agent.team)]);
    std::string body;
    if (r.fr) {
      body = (r.citizen_name.empty() ? "Bonjour,\n\n" : "Bonjour " + r.citizen_name + ",\n\n") +
             Fill(text, r.slots) + "\n\nCordialement,\n" + agent.name + "\n" + team +
             " — Mairie de Ville de Démo";
    } else {
      body = (r.citizen_name.empty() ? "Hello,\n\n" : "Hello " + r.citizen_name + ",\n\n") +
             Fill(text, r.slots) + "\n\nKind regards,\n" + agent.name +
             "\nTown hall of Ville de Démo";
    }
    core::NewMessage m;
    m.visibility = core::Visibility::kPublic;
    m.channel =
        r.input.channel == core::Channel::kEmail ? core::Channel::kEmail : core::Channel::kWeb;
    m.author_name = agent.name;
    m.body = std::move(body);
    return store_.AddMessage(r.id, m, true, storage::Actor::User(agent.id)).status();
  }

  Status Note(DemoRequest& r, const std::string& text, const Member& by) {
    core::NewMessage m;
    m.visibility = core::Visibility::kInternal;
    m.channel = core::Channel::kWeb;
    m.author_name = by.name;
    m.body = text;
    return store_.AddMessage(r.id, m, true, storage::Actor::User(by.id)).status();
  }

  storage::Store& store_;
  ManualClock& clock_;
  Random& rng_;
  const std::vector<Member>& members_;
  core::Id account_user_;
  core::Id account_citizen_;
  std::vector<core::Id> category_ids_;
};

std::string StepName(Step step) {
  switch (step) {
    case Step::kCreate:
      return "creating a request";
    case Step::kTriage:
      return "assigning a request";
    case Step::kNote:
      return "adding a note";
    case Step::kReply:
      return "replying";
    case Step::kAskDocuments:
      return "asking for documents";
    case Step::kCitizenAnswer:
      return "adding a citizen's answer";
    case Step::kResume:
      return "reopening after an answer";
    case Step::kThirdParty:
      return "waiting on a third party";
    case Step::kBackFromThirdParty:
      return "reopening after a third party";
    case Step::kQuickAnswer:
      return "answering a request";
    case Step::kResolve:
    case Step::kResolveWithMessage:
      return "resolving a request";
    case Step::kClose:
      return "closing a request";
    case Step::kDuplicate:
      return "closing a duplicate";
  }
  return "a step";
}

}  // namespace

int RunDemo(const Config& config, const DemoFlags& flags, const Io& io) {
  const Millis now = flags.now.value_or(SystemClock().Now());
  const Millis start = now - (kDays + 1) * kDay;  // the desk opened a little over a year ago
  ManualClock clock(now);
  storage::StoreOptions options;
  options.clock = &clock;
  auto opened = OpenCliStore(config.database_url, options);
  if (!opened.ok()) return Fail(io, opened.status().message());
  storage::Store& store = **opened;

  const std::string admin_email = "admin@" + std::string(demo::kEmailDomain);
  if (auto admin = store.FindUserByEmail(admin_email); admin.ok()) {
    io.out << "demo data already present\n";
    return kExitOk;
  } else if (admin.status().code() != StatusCode::kNotFound) {
    return Fail(io, admin.status().message());
  }

  DemoBuilder builder(flags.seed, flags.count, now);
  builder.Plan();
  const auto& staff = Staff();
  const auto& events = builder.events();
  Progress progress(io.err, io.progress, "demo",
                    static_cast<std::int64_t>(staff.size() + events.size()));
  const storage::Actor setup = storage::Actor::System("demo");

  // Directory: teams and categories (reused when they already exist), then the people.
  clock.Set(start);
  std::vector<core::Id> team_ids;
  for (auto name : demo::TeamNames()) {
    auto team = store.FindTeamByName(std::string(name));
    if (!team.ok()) team = store.CreateTeam(std::string(name), setup);
    if (!team.ok())
      return Fail(io, "cannot create team " + std::string(name) + ": " + team.status().message());
    team_ids.push_back(team->id);
  }
  std::vector<core::Id> category_ids;
  for (const CategoryContent& c : demo::Categories()) {
    auto category = store.FindCategoryBySlug(std::string(c.slug));
    if (!category.ok()) {
      core::Category input;
      input.slug = std::string(c.slug);
      input.name = std::string(c.name);
      input.default_team_id = team_ids[static_cast<size_t>(c.team)];
      category = store.CreateCategory(input, setup);
    }
    if (!category.ok()) {
      return Fail(
          io, "cannot create category " + std::string(c.slug) + ": " + category.status().message());
    }
    category_ids.push_back(category->id);
  }

  // Service levels before the first request, so that every request gets its deadlines from its
  // (back-dated) creation time. Policies of the same name are kept as they are.
  for (const demo::SlaPolicyContent& c : demo::SlaPolicies()) {
    sla::Policy policy;
    policy.name = std::string(c.name);
    if (!c.category.empty()) {
      const auto& categories = demo::Categories();
      const auto it = std::find_if(categories.begin(), categories.end(),
                                   [&](const CategoryContent& k) { return k.slug == c.category; });
      policy.category_id = category_ids[static_cast<size_t>(it - categories.begin())];
    }
    policy.priority = c.priority;
    policy.first_reply_minutes = c.first_reply_minutes;
    policy.resolution_minutes = c.resolution_minutes;
    policy.business_hours = c.business_hours;
    policy.warning_percent = c.warning_percent;
    auto created = store.sla().CreatePolicy(policy, setup);
    if (!created.ok() && created.status().code() != StatusCode::kAlreadyExists) {
      return Fail(io,
                  "cannot create SLA policy " + policy.name + ": " + created.status().message());
    }
  }
  for (const demo::TeamHours& h : demo::TeamOpeningHours()) {
    Status set = store.sla().SetTeamOpeningHours(team_ids[static_cast<size_t>(h.team)],
                                                 std::string(h.opening_hours), setup);
    if (!set.ok()) return Fail(io, "cannot set team opening hours: " + set.message());
  }

  struct Login {
    std::string role, team, email, password;
  };
  std::vector<Login> logins;
  std::vector<Member> members;
  core::Id account_user = 0, account_citizen = 0;
  std::int64_t done = 0;
  for (const StaffSeed& seed : staff) {
    clock.Advance(kMinute);
    core::NewUser user;
    user.email = StaffEmail(seed);
    user.display_name = std::string(seed.name);
    user.role = seed.role;
    if (seed.team >= 0) user.team_ids = {team_ids[static_cast<size_t>(seed.team)]};
    // Random on every run and shown once: people try the desk with these.
    const std::string password = RandomToken(12);
    auto hash = HashPassword(password, PasswordCost::kInteractive);
    if (!hash.ok()) return Fail(io, hash.status().message());
    user.password_hash = std::move(hash).value();
    auto created = store.CreateUser(user, setup);
    if (!created.ok()) {
      return Fail(io, "cannot create user " + user.email + ": " + created.status().message());
    }
    if (seed.role == core::Role::kCitizen) {
      account_user = created->id;
      account_citizen = created->citizen_id.value_or(0);
    } else {
      members.push_back({created->id, user.display_name, seed.role, seed.team});
    }
    logins.push_back(
        {std::string(core::ToString(seed.role)),
         seed.team >= 0 ? std::string(demo::TeamNames()[static_cast<size_t>(seed.team)]) : "-",
         created->email, password});
    progress.Set(++done);
  }

  DemoPlayer player(store, clock, builder.rng(), members, account_user, account_citizen);
  player.SetCategoryIds(category_ids);
  auto& requests = builder.requests();
  std::int64_t messages = 0;
  for (const Event& e : events) {
    DemoRequest& r = requests[static_cast<size_t>(e.request)];
    Status played = player.Play(r, e);
    if (!played.ok()) {
      progress.Done();
      return Fail(io, "demo stopped while " + StepName(e.step) + ": " + played.message());
    }
    if (e.step != Step::kCreate && e.step != Step::kTriage && e.step != Step::kResume &&
        e.step != Step::kBackFromThirdParty && e.step != Step::kResolve && e.step != Step::kClose) {
      ++messages;
    }
    progress.Set(++done);
  }
  progress.Done();

  std::map<core::RequestStatus, int> by_status;
  for (const DemoRequest& r : requests) ++by_status[r.status];
  io.out << demo::kTownName << " is ready: " << team_ids.size() << " teams, " << category_ids.size()
         << " categories, " << logins.size() << " users, " << requests.size()
         << " requests tagged '" << demo::kDemoTag << "', " << messages << " messages.\n";
  io.out << "Requests by status:";
  for (const auto& [status, n] : by_status) io.out << ' ' << core::ToString(status) << ' ' << n;
  if (auto sla = store.sla().CountRunningTargets(now); sla.ok()) {
    io.out << "\nSLA (" << demo::SlaPolicies().size()
           << " policies), running targets: first reply at risk " << sla->first_reply_at_risk
           << ", breached " << sla->first_reply_breached << "; resolution at risk "
           << sla->resolution_at_risk << ", breached " << sla->resolution_breached << "; "
           << sla->paused << " requests waiting for the citizen, clocks stopped.";
  }
  io.out << "\n\nLogins (the passwords are shown only this once):\n\n";
  io.out << "  " << Pad("role", 9) << Pad("team", 20) << Pad("e-mail", 38) << "password\n";
  for (const Login& l : logins) {
    io.out << "  " << Pad(l.role, 9) << Pad(l.team, 20) << Pad(l.email, 38) << l.password << '\n';
  }
  return kExitOk;
}

}  // namespace guichet::app
