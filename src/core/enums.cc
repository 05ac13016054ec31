#include "core/enums.h"

#include <array>

namespace guichet::core {
namespace {

constexpr std::array<std::string_view, 7> kChannels = {"web",   "email",   "api", "open311",
                                                       "phone", "counter", "chat"};
constexpr std::array<std::string_view, 4> kPriorities = {"low", "normal", "high", "urgent"};
constexpr std::array<std::string_view, 6> kStatuses = {
    "new", "open", "pending_citizen", "pending_third_party", "resolved", "closed"};
constexpr std::array<std::string_view, 5> kRoles = {"citizen", "agent", "lead", "admin", "auditor"};
constexpr std::array<std::string_view, 2> kVisibilities = {"public", "internal"};

template <typename E, size_t N>
std::optional<E> ParseName(const std::array<std::string_view, N>& names, std::string_view s) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view ToString(Channel v) { return kChannels[static_cast<size_t>(v)]; }
std::string_view ToString(Priority v) { return kPriorities[static_cast<size_t>(v)]; }
std::string_view ToString(RequestStatus v) { return kStatuses[static_cast<size_t>(v)]; }
std::string_view ToString(Role v) { return kRoles[static_cast<size_t>(v)]; }
std::string_view ToString(Visibility v) { return kVisibilities[static_cast<size_t>(v)]; }

std::optional<Channel> ParseChannel(std::string_view s) { return ParseName<Channel>(kChannels, s); }
std::optional<Priority> ParsePriority(std::string_view s) {
  return ParseName<Priority>(kPriorities, s);
}
std::optional<RequestStatus> ParseRequestStatus(std::string_view s) {
  return ParseName<RequestStatus>(kStatuses, s);
}
std::optional<Role> ParseRole(std::string_view s) { return ParseName<Role>(kRoles, s); }
std::optional<Visibility> ParseVisibility(std::string_view s) {
  return ParseName<Visibility>(kVisibilities, s);
}

std::span<const std::string_view> ChannelNames() { return kChannels; }
std::span<const std::string_view> PriorityNames() { return kPriorities; }
std::span<const std::string_view> RequestStatusNames() { return kStatuses; }
std::span<const std::string_view> RoleNames() { return kRoles; }

bool CanTransition(RequestStatus from, RequestStatus to) {
  using S = RequestStatus;
  if (from == to || from == S::kClosed) return false;
  switch (to) {
    case S::kNew:
      return false;  // a request is new only once
    case S::kOpen:
      return from != S::kClosed;  // take up, back from pending, or reopen a resolved one
    case S::kPendingCitizen:
    case S::kPendingThirdParty:
      return from != S::kResolved;
    case S::kResolved:
      return true;
    case S::kClosed:
      return true;  // close directly (spam, duplicate) or after resolution
  }
  return false;
}

}  // namespace guichet::core
