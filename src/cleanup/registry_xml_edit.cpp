#include "cleanup/registry_xml_edit.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>
#include <pugixml.hpp>

#include "core/error.h"

namespace cutover::cleanup {

namespace {

struct Edit {
  std::size_t offset;
  std::size_t length;
  std::string text;
};

constexpr const char* kFlags[] = {"versioningProperties", "versioningComments", "versioningTags",
                                  "versioningRatings"};

}  // namespace

std::string with_versioning_off(const std::string& text, const std::string& file) {
  // pugixml reports where each node starts in the buffer it parsed; edits are made on the
  // original text at those places, never by re-serialising the document.
  pugi::xml_document doc;
  pugi::xml_parse_result ok =
      doc.load_buffer(text.data(), text.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!ok) {
    throw Error(ErrorKind::config, fmt::format("cannot parse {}: {}", file, ok.description()),
                "fix the XML, or pass the registry.xml the server reads");
  }
  pugi::xml_node sc = doc.child("wso2registry").child("staticConfiguration");
  if (!sc) {
    throw Error(ErrorKind::config, fmt::format("{} has no wso2registry/staticConfiguration", file),
                "pass the registry.xml of repository/conf");
  }
  std::vector<Edit> edits;
  for (const char* flag : kFlags) {
    pugi::xml_node el = sc.child(flag);
    if (!el) {
      continue;
    }
    pugi::xml_node value = el.first_child();
    if (value && value.type() == pugi::node_pcdata) {
      auto from = static_cast<std::size_t>(value.offset_debug());
      std::size_t to = text.find('<', from);
      edits.push_back({from, to - from, "false"});
    } else if (value && value.type() == pugi::node_cdata) {
      auto from = static_cast<std::size_t>(value.offset_debug());
      std::size_t to = text.find("]]>", from);
      edits.push_back({from, to - from, "false"});
    } else if (!value) {
      // <flag/> or <flag></flag>: the value goes right after the start tag.
      std::size_t gt = text.find('>', static_cast<std::size_t>(el.offset_debug()));
      if (gt != std::string::npos && text[gt - 1] == '/') {
        edits.push_back({gt - 1, 2, fmt::format(">false</{}>", flag)});
      } else if (gt != std::string::npos) {
        edits.push_back({gt + 1, 0, "false"});
      }
    } else {
      throw Error(ErrorKind::config,
                  fmt::format("{}: {} holds markup, not true or false", file, flag),
                  "set it to false by hand");
    }
  }
  std::sort(edits.begin(), edits.end(),
            [](const Edit& a, const Edit& b) { return a.offset > b.offset; });
  std::string out = text;
  for (const Edit& e : edits) {
    out.replace(e.offset, e.length, e.text);
  }
  // The result must read back as four false flags, or the offsets were not what we thought.
  pugi::xml_document check;
  pugi::xml_node csc;
  bool good = check.load_buffer(out.data(), out.size()) &&
              (csc = check.child("wso2registry").child("staticConfiguration"));
  for (const char* flag : kFlags) {
    good = good && (!csc.child(flag) || std::string(csc.child(flag).text().as_string()) == "false");
  }
  if (!good) {
    throw Error(ErrorKind::internal, fmt::format("could not set the versioning flags of {}", file),
                "set the four flags to false by hand");
  }
  return out;
}

}  // namespace cutover::cleanup
