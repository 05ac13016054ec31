// guichet export requests: JSON Lines, newest first, streamed page by page.
#include "app/export.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "app/commands.h"
#include "common/crypto.h"
#include "server/request_json.h"

namespace guichet::app {

Result<std::int64_t> ExportRequestsJsonl(storage::Store& store, std::ostream& out,
                                         const std::function<void(std::int64_t)>& on_progress) {
  GUICHET_ASSIGN_OR_RETURN(auto categories, store.ListCategories());
  std::map<core::Id, std::string> slugs;
  for (const auto& c : categories) slugs[c.id] = c.slug;

  const Millis now = SystemClock().Now();  // SLA states in the dump are as of the export
  std::int64_t written = 0;
  storage::PageSpec page;
  page.limit = 500;
  for (;;) {
    GUICHET_ASSIGN_OR_RETURN(auto batch, store.ListRequests({}, page));
    for (const core::Request& r : batch.items) {
      const std::string* slug = nullptr;
      if (r.category_id) {
        auto it = slugs.find(*r.category_id);
        if (it != slugs.end()) slug = &it->second;
      }
      std::optional<core::Citizen> citizen;
      if (r.citizen_id) {
        auto c = store.GetCitizen(*r.citizen_id);
        if (c.ok()) {
          citizen = std::move(c).value();
        } else if (c.status().code() != StatusCode::kNotFound) {
          return c.status();
        }
      }
      // Invalid UTF-8 cannot be in the store (inputs are checked), but a dump must not throw.
      out << server::RequestJson(r, slug, citizen, now)
                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
          << '\n';
      if (!out) return Unavailable("cannot write the output");
      ++written;
      if (on_progress) on_progress(written);
    }
    if (!batch.next_after_id) break;
    page.after_id = batch.next_after_id;
  }
  out.flush();
  if (!out) return Unavailable("cannot write the output");
  return written;
}

int RunExport(const Config& config, const ExportFlags& flags, const Io& io) {
  if (flags.format != "jsonl") return Fail(io, "unknown export format \"" + flags.format + "\"");
  auto store = OpenCliStore(config.database_url);
  if (!store.ok()) return Fail(io, store.status().message());

  if (flags.out.empty() || flags.out == "-") {
    auto written = ExportRequestsJsonl(**store, io.out);
    if (!written.ok()) return Fail(io, "export failed: " + written.status().message());
    return kExitOk;
  }

  // Written beside the target and renamed at the end, so a failed export never leaves a
  // truncated file where a good one was.
  const std::string temp = flags.out + ".tmp-" + RandomToken(6);
  int code = kExitOk;
  {
    std::ofstream file(temp, std::ios::binary | std::ios::trunc);
    if (!file) return Fail(io, "cannot write " + flags.out);
    auto written = ExportRequestsJsonl(**store, file);
    file.close();
    if (!written.ok() || !file) {
      code = Fail(io, "export failed: " + (written.ok() ? "cannot write " + flags.out
                                                        : written.status().message()));
    } else {
      std::error_code ec;
      std::filesystem::rename(temp, flags.out, ec);
      if (ec) {
        code = Fail(io, "cannot write " + flags.out + ": " + ec.message());
      } else {
        io.out << "exported " << *written << (*written == 1 ? " request" : " requests") << " to "
               << flags.out << '\n';
      }
    }
  }
  if (code != kExitOk) {
    std::error_code ignored;
    std::filesystem::remove(temp, ignored);
  }
  return code;
}

}  // namespace guichet::app
