// Private to src/server: what a citizen's private follow-up link (reference + secret, no account)
// opens, shared by the API (routes/track.cc) and the portal pages (routes/portal.cc).
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "core/model.h"
#include "storage/store.h"

namespace guichet::server {

// The request of `reference` when `secret` is its follow-up secret (compared by hash). NotFound
// whatever part is wrong, malformed or missing.
Result<core::Request> FindByFollowUpLink(storage::Store& store, const std::string& reference,
                                         const std::string& secret);

// A public message of the thread as the citizen sees it: the desk's (written by staff) or theirs.
struct CitizenMessage {
  bool from_desk = false;
  std::string author_name;
  std::string body;
  Millis created_at = 0;
};
Result<std::vector<CitizenMessage>> CitizenThread(storage::Store& store, core::Id request_id);

// Adds the citizen's message to the thread of `request` (refused once it is closed), checked
// like any message; the field errors come back as InvalidArgument. `author` is the signed-in
// citizen, or none for a message through the private link.
Result<core::Message> AddCitizenReply(storage::Store& store, const core::Request& request,
                                      const std::string& body, const core::User* author = nullptr);

}  // namespace guichet::server
