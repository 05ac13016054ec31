#include "server/web/multipart.h"

#include <restinio/helpers/file_upload.hpp>
#include <restinio/helpers/multipart_body.hpp>

#include "common/text.h"

namespace guichet::server::web {
namespace {

namespace hfp = restinio::http_field_parsers;
namespace mp = restinio::multipart_body;

// "--" + the boundary of `content_type`, or an empty string when it is not a multipart form.
std::string BoundaryMark(std::string_view content_type) {
  const auto parsed = hfp::content_type_value_t::try_parse(content_type);
  if (!parsed || AsciiLower(parsed->media_type.type) != "multipart" ||
      AsciiLower(parsed->media_type.subtype) != "form-data")
    return "";
  const auto boundary = hfp::find_first(parsed->media_type.parameters, "boundary");
  if (!boundary || mp::check_boundary_value(*boundary)) return "";
  return "--" + std::string(boundary->data(), boundary->size());
}

// The last part of a path: old browsers sent the whole path of the file.
std::string BaseName(std::string_view name) {
  const std::size_t slash = name.find_last_of("/\\");
  return std::string(slash == std::string_view::npos ? name : name.substr(slash + 1));
}

}  // namespace

Result<MultipartForm> ParseMultipartForm(std::string_view content_type, std::string_view body,
                                         const MultipartLimits& limits) {
  const std::string mark = BoundaryMark(content_type);
  if (mark.empty())
    return InvalidArgument("the form's Content-Type is not multipart/form-data with a boundary");
  // The closing delimiter may end the body without its CRLF.
  std::string closed;
  if (body.ends_with(mark + "--")) {
    closed = std::string(body) + "\r\n";
    body = closed;
  }
  const auto parts = mp::split_multipart_body(body, mark);
  if (parts.empty()) return InvalidArgument("the form's body is not a valid multipart body");

  std::vector<std::pair<std::string, std::string>> fields;
  std::vector<UploadedFile> files;
  std::size_t text_bytes = 0;
  for (const auto part : parts) {
    auto parsed = mp::try_parse_part(part);
    if (!parsed) return InvalidArgument("a part of the form has malformed headers");
    const auto disposition = parsed->fields.opt_value_of(restinio::http_field::content_disposition);
    if (!disposition) return InvalidArgument("a part of the form has no Content-Disposition");
    const auto value = hfp::content_disposition_value_t::try_parse(*disposition);
    if (!value || AsciiLower(value->value) != "form-data")
      return InvalidArgument("a part of the form has a malformed Content-Disposition");
    const auto name = hfp::find_first(value->parameters, "name");
    if (!name) return InvalidArgument("a part of the form has no name");
    std::string field(name->data(), name->size());
    if (!IsValidUtf8(field)) return InvalidArgument("the form's text is not valid UTF-8");
    const auto filename = hfp::find_first(value->parameters, "filename");
    if (filename) {
      // An input left empty sends a part with an empty name and no content.
      if (filename->empty() && parsed->body.empty()) continue;
      if (!IsValidUtf8(*filename)) return InvalidArgument("a file name is not valid UTF-8");
      if (files.size() == limits.max_files)
        return InvalidArgument("the form has more than " + std::to_string(limits.max_files) +
                               " files");
      const auto declared = parsed->fields.opt_value_of(restinio::http_field::content_type);
      std::string type(declared ? *declared : restinio::string_view_t());
      type = AsciiLower(Trim(type.substr(0, type.find(';'))));
      files.push_back(
          {std::move(field), BaseName(*filename), std::move(type), std::string(parsed->body)});
      continue;
    }
    if (fields.size() == limits.max_fields)
      return InvalidArgument("the form has more than " + std::to_string(limits.max_fields) +
                             " fields");
    text_bytes += parsed->body.size();
    if (text_bytes > limits.max_text)
      return InvalidArgument("the form's text is longer than " + std::to_string(limits.max_text) +
                             " bytes");
    std::string text(parsed->body);
    if (!IsValidUtf8(text)) return InvalidArgument("the form's text is not valid UTF-8");
    fields.emplace_back(std::move(field), std::move(text));
  }
  return MultipartForm{FormFields(std::move(fields)), std::move(files)};
}

}  // namespace guichet::server::web
