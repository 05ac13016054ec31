// The closed vocabularies of the desk: channels, priorities, statuses and roles, with their
// stable wire names ("pending_citizen") and the validated status transition table.
// Pure values and functions; thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace guichet::core {

enum class Channel { kWeb, kEmail, kApi, kOpen311, kPhone, kCounter, kChat };
enum class Priority { kLow, kNormal, kHigh, kUrgent };
enum class RequestStatus { kNew, kOpen, kPendingCitizen, kPendingThirdParty, kResolved, kClosed };
enum class Role { kCitizen, kAgent, kLead, kAdmin, kAuditor };
enum class Visibility { kPublic, kInternal };

std::string_view ToString(Channel v);
std::string_view ToString(Priority v);
std::string_view ToString(RequestStatus v);
std::string_view ToString(Role v);
std::string_view ToString(Visibility v);

// Each parser accepts exactly the wire name and returns nullopt otherwise.
std::optional<Channel> ParseChannel(std::string_view s);
std::optional<Priority> ParsePriority(std::string_view s);
std::optional<RequestStatus> ParseRequestStatus(std::string_view s);
std::optional<Role> ParseRole(std::string_view s);
std::optional<Visibility> ParseVisibility(std::string_view s);

// All wire names of an enum, in declaration order (for error messages and the API document).
std::span<const std::string_view> ChannelNames();
std::span<const std::string_view> PriorityNames();
std::span<const std::string_view> RequestStatusNames();
std::span<const std::string_view> RoleNames();

// The status life cycle. new → open/pending/resolved/closed; open ↔ pending_*; any non-closed →
// resolved; resolved → open (reopened) or closed; closed is final. Same status is not a move.
bool CanTransition(RequestStatus from, RequestStatus to);

// Staff roles work cases; citizens only see their own.
inline bool IsStaff(Role r) { return r != Role::kCitizen; }

}  // namespace guichet::core
