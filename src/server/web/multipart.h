// Private to src/server: an HTML form posted with files (multipart/form-data, RFC 7578): its
// text fields and its files, with limits. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "server/web/form.h"

namespace guichet::server::web {

struct UploadedFile {
  std::string field;         // the input's name
  std::string filename;      // as the browser sent it, without any folder
  std::string content_type;  // as the browser declared it, lower case, without parameters
  std::string content;
};

struct MultipartForm {
  FormFields fields;
  std::vector<UploadedFile> files;  // the chosen files; an input left empty adds none
};

struct MultipartLimits {
  std::size_t max_fields = 50;       // text fields
  std::size_t max_files = 5;         // files of any input
  std::size_t max_text = 256 << 10;  // bytes of all text fields together
};

// Decodes `body` sent with `content_type` ("multipart/form-data; boundary=…"). InvalidArgument,
// with a readable message, for a malformed body, a field that is not UTF-8, or more than the
// limits allow.
Result<MultipartForm> ParseMultipartForm(std::string_view content_type, std::string_view body,
                                         const MultipartLimits& limits = {});

}  // namespace guichet::server::web
