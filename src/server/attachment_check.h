// Private to src/server: which files may be attached to a request, for the API's upload and the
// portal's form alike. PDF, PNG, JPEG and plain text, the content matching its declared type.
#pragma once

#include <cstddef>
#include <string_view>

namespace guichet::server {

enum class AttachmentProblem {
  kNone,
  kBadName,          // empty, over 255 bytes, not UTF-8, with / or \, or starting with a dot
  kUnsupportedType,  // not one of the accepted types
  kEmpty,
  kTooLarge,
  kContentMismatch,  // the bytes are not what the type says (a renamed executable…)
};

struct AttachmentCheck {
  AttachmentProblem problem = AttachmentProblem::kNone;
  std::string_view type;  // the accepted type (a constant), when there is no problem
};

// `declared_type` is a lower-case media type without parameters.
AttachmentCheck CheckAttachment(std::string_view filename, std::string_view declared_type,
                                std::string_view content, std::size_t max_size);

}  // namespace guichet::server
