#include "server/attachment_check.h"

#include <string>

#include "common/text.h"

namespace guichet::server {
namespace {

// Declared types we accept, with the leading bytes the content must start with (empty: text).
struct AllowedType {
  std::string_view type;
  std::string_view magic;
};
constexpr AllowedType kAllowedTypes[] = {
    {"application/pdf", "%PDF-"},
    {"image/png", "\x89PNG\r\n\x1a\n"},
    {"image/jpeg", "\xFF\xD8\xFF"},
    {"text/plain", ""},
};

}  // namespace

AttachmentCheck CheckAttachment(std::string_view filename, std::string_view declared_type,
                                std::string_view content, std::size_t max_size) {
  if (filename.empty() || filename.size() > 255 || !IsValidUtf8(filename) ||
      filename.find_first_of("/\\") != std::string_view::npos || filename[0] == '.')
    return {AttachmentProblem::kBadName, {}};
  const AllowedType* allowed = nullptr;
  for (const auto& a : kAllowedTypes) {
    if (a.type == declared_type) allowed = &a;
  }
  if (!allowed) return {AttachmentProblem::kUnsupportedType, {}};
  if (content.empty()) return {AttachmentProblem::kEmpty, {}};
  if (content.size() > max_size) return {AttachmentProblem::kTooLarge, {}};
  const bool matches =
      allowed->magic.empty() ? IsValidUtf8(content) : content.starts_with(allowed->magic);
  if (!matches) return {AttachmentProblem::kContentMismatch, {}};
  return {AttachmentProblem::kNone, allowed->type};
}

}  // namespace guichet::server
