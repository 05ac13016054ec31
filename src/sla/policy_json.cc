#include "sla/policy_json.h"

namespace guichet::sla {

using json = nlohmann::json;

json PolicyFieldsJson(const Policy& p) {
  auto opt = [](const auto& v) { return v ? json(*v) : json(nullptr); };
  return {{"name", p.name},
          {"category_id", opt(p.category_id)},
          {"priority", p.priority ? json(core::ToString(*p.priority)) : json(nullptr)},
          {"channel", p.channel ? json(core::ToString(*p.channel)) : json(nullptr)},
          {"first_reply_minutes", opt(p.first_reply_minutes)},
          {"resolution_minutes", opt(p.resolution_minutes)},
          {"business_hours", p.business_hours},
          {"warning_percent", p.warning_percent},
          {"active", p.active}};
}

json CalendarJson(const CalendarSettings& s) {
  json days = json::array();
  for (const auto& d : s.extra_closed_days) days.push_back(FormatDate(d));
  return {{"time_zone", s.time_zone},
          {"opening_hours", s.opening_hours},
          {"alsace_moselle", s.alsace_moselle},
          {"extra_closed_days", days}};
}

}  // namespace guichet::sla
