// The JSON form of SLA settings, shared by the API (which adds ids and versions) and the audit
// log (which records exactly these fields). Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include "sla/policy.h"

namespace guichet::sla {

// name, category_id, priority, channel, first_reply_minutes, resolution_minutes,
// business_hours, warning_percent, active (empty criteria and targets are null).
nlohmann::json PolicyFieldsJson(const Policy& p);
// time_zone, opening_hours, alsace_moselle, extra_closed_days ("2027-05-06" dates).
nlohmann::json CalendarJson(const CalendarSettings& s);

}  // namespace guichet::sla
