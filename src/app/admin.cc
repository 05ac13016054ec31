// guichet admin …: migrate, create-user, create-token, audit verify; and the store opening
// shared by every command.
#include <filesystem>
#include <string>

#include "app/commands.h"
#include "common/crypto.h"
#include "common/text.h"
#include "core/enums.h"

namespace guichet::app {

Result<std::unique_ptr<storage::Store>> OpenCliStore(const std::string& url,
                                                     const storage::StoreOptions& options,
                                                     int* migrated) {
  if (url.rfind("sqlite:", 0) == 0) {
    const std::string path = url.substr(7);
    if (path != ":memory:") {
      const std::filesystem::path parent = std::filesystem::path(path).parent_path();
      std::error_code ec;
      if (!parent.empty() && !std::filesystem::exists(parent, ec)) {
        std::filesystem::create_directories(parent, ec);
        if (ec) {
          return Unavailable("cannot create the database folder " + parent.string() + ": " +
                             ec.message());
        }
      }
    }
  }
  auto store = storage::OpenStore(url, options);
  if (!store.ok()) {
    return Status(store.status().code(), "cannot open the database: " + store.status().message());
  }
  auto ran = (*store)->Migrate();
  if (!ran.ok()) {
    return Status(ran.status().code(),
                  "cannot bring the database schema up to date: " + ran.status().message());
  }
  if (migrated) *migrated = *ran;
  return std::move(store).value();
}

int RunMigrate(const Config& config, const Io& io) {
  int migrated = 0;
  auto store = OpenCliStore(config.database_url, {}, &migrated);
  if (!store.ok()) return Fail(io, store.status().message());
  io.out << "applied " << migrated << (migrated == 1 ? " migration" : " migrations")
         << (migrated == 0 ? " (the schema is up to date)" : "") << '\n';
  return kExitOk;
}

int RunCreateUser(const Config& config, const CreateUserFlags& flags, const Io& io) {
  const auto role = core::ParseRole(flags.role);
  if (!role) return Fail(io, "unknown role \"" + flags.role + "\"");
  core::NewUser user;
  user.email = AsciiLower(Trim(flags.email));
  user.display_name = flags.name;
  user.role = *role;
  if (!LooksLikeEmail(user.email)) {
    return Fail(io, "\"" + flags.email + "\" is not an e-mail address");
  }

  std::string password;
  if (flags.password_stdin) {
    if (!std::getline(io.in, password) && password.empty()) {
      return Fail(io, "--password-stdin: no password on standard input");
    }
    if (!password.empty() && password.back() == '\r') password.pop_back();
    if (!IsValidUtf8(password)) return Fail(io, "the password is not valid UTF-8");
    if (Utf8Length(password) < 10) {
      return Fail(io, "the password must be at least 10 characters long");
    }
    if (password.size() > 1024) return Fail(io, "the password is longer than 1024 bytes");
  }

  auto store = OpenCliStore(config.database_url);
  if (!store.ok()) return Fail(io, store.status().message());
  storage::Store& s = **store;

  for (const std::string& name : flags.teams) {
    auto team = s.FindTeamByName(name);
    if (!team.ok()) {
      if (team.status().code() != StatusCode::kNotFound) return Fail(io, team.status().message());
      std::string known;
      if (auto teams = s.ListTeams(); teams.ok()) {
        for (const auto& t : *teams) known += (known.empty() ? "" : ", ") + t.name;
      }
      return Fail(
          io, "team \"" + name + "\" does not exist" +
                  (known.empty() ? " (there are no teams yet)" : " (known teams: " + known + ")"));
    }
    user.team_ids.push_back(team->id);
  }
  if (s.FindUserByEmail(user.email).ok()) {
    return Fail(io, "a user with e-mail " + user.email + " already exists");
  }
  if (flags.password_stdin) {
    auto hash = HashPassword(password);
    if (!hash.ok()) return Fail(io, hash.status().message());
    user.password_hash = std::move(hash).value();
  }
  auto created = s.CreateUser(user, storage::Actor::System("cli"));
  if (!created.ok()) {
    if (created.status().code() == StatusCode::kAlreadyExists) {
      return Fail(io, "a user with e-mail " + user.email + " already exists");
    }
    return Fail(io, "cannot create the user: " + created.status().message());
  }
  io.out << "created user " << created->id << ": " << created->email << " ("
         << core::ToString(created->role);
  if (!flags.teams.empty()) {
    io.out << "; teams:";
    for (size_t i = 0; i < flags.teams.size(); ++i) io.out << (i ? ", " : " ") << flags.teams[i];
  }
  io.out << (flags.password_stdin ? "" : "; no password: API tokens only") << ")\n";
  return kExitOk;
}

int RunCreateToken(const Config& config, const CreateTokenFlags& flags, const Io& io) {
  auto store = OpenCliStore(config.database_url);
  if (!store.ok()) return Fail(io, store.status().message());
  storage::Store& s = **store;
  auto user = s.FindUserByEmail(flags.email);
  if (!user.ok()) {
    if (user.status().code() == StatusCode::kNotFound) {
      return Fail(io, "no user with e-mail " + flags.email);
    }
    return Fail(io, user.status().message());
  }
  if (!user->user.active) return Fail(io, "user " + flags.email + " is deactivated");
  const std::string raw = "gu_" + RandomToken(32);
  auto token =
      s.CreateApiToken(user->user.id, flags.name, Sha256Hex(raw), storage::Actor::System("cli"));
  if (!token.ok()) return Fail(io, "cannot create the token: " + token.status().message());
  io.out << raw << '\n' << std::flush;
  io.err << "guichet: API token \"" << flags.name << "\" (id " << token->id << ") created for "
         << user->user.email << "; it is shown only this once.\n";
  return kExitOk;
}

int RunAuditVerify(const Config& config, const Io& io) {
  auto store = OpenCliStore(config.database_url);
  if (!store.ok()) return Fail(io, store.status().message());
  auto verification = (*store)->VerifyAudit();
  if (!verification.ok()) {
    return Fail(io, "cannot read the audit log: " + verification.status().message());
  }
  if (verification->ok) {
    io.out << "audit chain OK (" << verification->checked
           << (verification->checked == 1 ? " entry)" : " entries)") << '\n';
    return kExitOk;
  }
  io.out << "audit chain broken at entry " << verification->first_broken_id.value_or(0) << ": "
         << verification->reason << '\n';
  return kExitFailed;
}

}  // namespace guichet::app
