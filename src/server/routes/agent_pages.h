// Private to the staff pages (routes/agent*.cc): what the sign-in, queue and request pages share —
// the staff-only gate, post/redirect/get, and the checks a change of team or assignee needs
// before the store is asked. Thread-safe: free functions over the caller's context.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/http.h"

namespace guichet::server::agent {

// Staff signed in through the page (a session) pass (nullopt); anyone else gets their answer: the
// sign-in page for the anonymous, a 403 page for citizens.
std::optional<HttpResponse> RequireStaffPage(const HttpContext& ctx);

// Who may be given requests: active agents, leads and admins (as the API's assign accepts).
bool Assignable(const core::User& u);

// Why a change of team or assignee names something that cannot be used, as a catalogue key, or
// "" when the team exists and the assignee is assignable (the API's CheckReferences, for pages).
// Store failures other than not-found give "error_text".
std::string CheckPatchReferences(HttpContext& ctx, const core::RequestPatch& patch);

// The queue and bulk-action routes (agent_queue.cc); AddAgentRoutes adds them.
void AddAgentQueueRoutes(std::vector<Route>& routes);

}  // namespace guichet::server::agent
