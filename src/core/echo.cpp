#include "core/echo.h"

#include <cstdint>

#include <fmt/format.h>

namespace cutover {

namespace {

// Length of the UTF-8 sequence starting at s[i] and its code point; 0 when the bytes there are
// not well-formed UTF-8 (overlong forms, surrogates and cut sequences included).
std::size_t utf8_char(std::string_view s, std::size_t i, char32_t& cp) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b = byte(i);
  std::size_t n = 0;
  char32_t min = 0;
  if (b < 0x80) {
    cp = b;
    return 1;
  }
  if (b >= 0xC2 && b <= 0xDF) {
    n = 2;
    cp = b & 0x1FU;
    min = 0x80;
  } else if (b >= 0xE0 && b <= 0xEF) {
    n = 3;
    cp = b & 0x0FU;
    min = 0x800;
  } else if (b >= 0xF0 && b <= 0xF4) {
    n = 4;
    cp = b & 0x07U;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) {
    return 0;
  }
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0U) != 0x80) {
      return 0;
    }
    cp = (cp << 6U) | (byte(i + k) & 0x3FU);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

// Characters a terminal acts on or that reorder the text around them (Trojan Source).
bool is_bidi_control(char32_t cp) {
  return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

void append_escaped(std::string& out, std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    std::size_t n = utf8_char(s, i, cp);
    if (n == 0) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(s[i]));
      i += 1;
    } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
      for (std::size_t k = 0; k < n; ++k) {
        out += fmt::format("\\x{:02x}", static_cast<unsigned char>(s[i + k]));
      }
      i += n;
    } else if (is_bidi_control(cp)) {
      out += fmt::format("\\u{{{:04x}}}", static_cast<std::uint32_t>(cp));
      i += n;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
}

// Moves a cut position back to the start of a UTF-8 character so no character is split.
std::size_t char_boundary(std::string_view s, std::size_t at) {
  while (at > 0 && at < s.size() && (static_cast<unsigned char>(s[at]) & 0xC0U) == 0x80) {
    --at;
  }
  return at;
}

}  // namespace

std::string echo(std::string_view text, std::size_t limit) {
  std::string out;
  if (text.size() <= limit) {
    append_escaped(out, text);
    return out;
  }
  // Keep the start (what it is) and the end (often the distinguishing part: a file name, an
  // error code) of long text.
  std::size_t head = char_boundary(text, limit - limit / 4);
  std::size_t tail = char_boundary(text, text.size() - limit / 4);
  append_escaped(out, text.substr(0, head));
  out += fmt::format(" ... ({} bytes left out) ... ", tail - head);
  append_escaped(out, text.substr(tail));
  return out;
}

}  // namespace cutover
