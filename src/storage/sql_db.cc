#include "storage/sql_db.h"

#include "common/crypto.h"

namespace guichet::storage::internal {

std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out;
}

json Diff(const json& before, const json& after) {
  json changes = json::object();
  for (auto it = after.begin(); it != after.end(); ++it) {
    const json old_value = before.contains(it.key()) ? before[it.key()] : json(nullptr);
    if (old_value != *it) changes[it.key()] = {{"before", old_value}, {"after", *it}};
  }
  for (auto it = before.begin(); it != before.end(); ++it) {
    if (!after.contains(it.key())) changes[it.key()] = {{"before", *it}, {"after", nullptr}};
  }
  return changes;
}

json Created(const json& after) {
  json changes = json::object();
  for (auto it = after.begin(); it != after.end(); ++it) changes[it.key()] = {{"after", *it}};
  return changes;
}

std::string AuditHash(const std::string& prev_hash, Millis at, const std::string& actor,
                      const std::string& action, const std::string& entity, Id entity_id,
                      const std::optional<Id>& request_id, const std::string& changes) {
  std::string material = prev_hash;
  for (const std::string& part :
       {std::to_string(at), actor, action, entity, std::to_string(entity_id),
        request_id ? std::to_string(*request_id) : std::string("-"), changes}) {
    material += '\x1f';  // unit separator: no field can forge a boundary
    material += part;
  }
  return Sha256Hex(material);
}

Status SqlDb::Audit(SqlConnection& c, const Actor& actor, const std::string& action,
                    const std::string& entity, Id entity_id, std::optional<Id> request_id,
                    const json& changes) {
  auto head = c.Query("SELECT last_hash FROM audit_head WHERE id = 1" + ForUpdate(), {});
  if (!head.ok()) return head.status();
  if (head->empty()) return Internal("the audit chain head is missing");
  const std::string prev = AsText((*head)[0][0]);
  const Millis at = clock_->Now();
  const std::string changes_text = changes.dump();
  const std::string hash =
      AuditHash(prev, at, actor.label, action, entity, entity_id, request_id, changes_text);
  auto inserted = c.Query(
      "INSERT INTO audit_log (at, actor, action, entity, entity_id, request_id, changes, "
      "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {at, actor.label, action, entity, entity_id, OptId(request_id), changes_text, prev, hash});
  if (!inserted.ok()) return inserted.status();
  auto updated = c.Query("UPDATE audit_head SET last_id = ?, last_hash = ? WHERE id = 1",
                         {AsInt((*inserted)[0][0]), hash});
  return updated.status();
}

}  // namespace guichet::storage::internal
