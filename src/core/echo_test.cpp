#include "core/echo.h"

#include <string>

#include <gtest/gtest.h>

namespace cutover {
namespace {

TEST(Echo, KeepsPlainTextAndUtf8) {
  EXPECT_EQ(echo("postgresql://u@h/db"), "postgresql://u@h/db");
  EXPECT_EQ(echo("Größe 東京"), "Größe 東京");
}

TEST(Echo, EscapesTerminalControls) {
  EXPECT_EQ(echo("a\x1b[2Jb"), "a\\x1b[2Jb");
  EXPECT_EQ(echo("line\nnext\r\t"), "line\\x0anext\\x0d\\x09");
  EXPECT_EQ(echo(std::string("nul\0x", 5)), "nul\\x00x");
  EXPECT_EQ(echo("del\x7f"), "del\\x7f");
  // C1 CSI as UTF-8 (U+009B) and as a bare byte: both act as ESC [ on some terminals.
  EXPECT_EQ(echo("\xc2\x9b"
                 "31m"),
            "\\xc2\\x9b31m");
  EXPECT_EQ(echo("\x9b"
                 "31m"),
            "\\x9b31m");
}

TEST(Echo, EscapesBidiOverridesAndInvalidUtf8) {
  EXPECT_EQ(echo("abc\xe2\x80\xae"
                 "fed"),
            "abc\\u{202e}fed");
  EXPECT_EQ(echo("\xc0\xaf"), "\\xc0\\xaf");           // overlong '/'
  EXPECT_EQ(echo("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // surrogate
  EXPECT_EQ(echo("cut\xe6\x9d"), "cut\\xe6\\x9d");     // sequence cut short
}

TEST(Echo, BoundsLongTextKeepingStartAndEnd) {
  std::string url = "postgresql://u@h/" + std::string(100000, 'd') + "END";
  std::string shown = echo(url);
  EXPECT_LT(shown.size(), 200U);
  EXPECT_EQ(shown.rfind("postgresql://u@h/", 0), 0U);
  EXPECT_EQ(shown.substr(shown.size() - 3), "END");
  EXPECT_NE(shown.find("bytes left out"), std::string::npos);
  EXPECT_EQ(echo(std::string(50, 'x'), 50), std::string(50, 'x'));
}

TEST(Echo, NeverSplitsACharacterWhenCutting) {
  std::string s;
  for (int i = 0; i < 100; ++i) {
    s += "é";
  }
  std::string shown = echo(s, 21);
  EXPECT_EQ(shown.find("\\x"), std::string::npos) << shown;
}

TEST(Echo, EscapesWhatLongTextKeeps) {
  std::string s = "\x1b]0;owned\x07" + std::string(1000, 'a') + "\x1b[0m";
  std::string shown = echo(s, 100);
  EXPECT_EQ(shown.find('\x1b'), std::string::npos);
  EXPECT_EQ(shown.find('\x07'), std::string::npos);
}

}  // namespace
}  // namespace cutover
