#include "db/sql_scan.h"

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace cutover::db {
namespace {

// The placeholders as the text they cover, e.g. {"?", "?"} or {"$1", "$12"}.
std::vector<std::string> found(std::string_view sql, SqlSyntax syntax) {
  std::vector<std::string> out;
  for (const Placeholder& p : find_placeholders(sql, syntax)) {
    out.emplace_back(sql.substr(p.offset, p.length));
  }
  return out;
}

using V = std::vector<std::string>;

TEST(SqlScanMysql, FindsQuestionMarksOutsideLiterals) {
  EXPECT_EQ(found("SELECT ? , ?", SqlSyntax::mysql), V({"?", "?"}));
  std::vector<Placeholder> p = find_placeholders("a = ? AND b = ?", SqlSyntax::mysql);
  ASSERT_EQ(p.size(), 2U);
  EXPECT_EQ(p[0].offset, 4U);
  EXPECT_EQ(p[1].offset, 14U);
  EXPECT_EQ(p[1].length, 1U);
  EXPECT_EQ(p[1].number, 0U);
  EXPECT_TRUE(find_placeholders("", SqlSyntax::mysql).empty());
}

TEST(SqlScanMysql, SkipsQuotedText) {
  EXPECT_EQ(found("SELECT '?', \"?\", `?`, ?", SqlSyntax::mysql), V({"?"}));
  // A doubled quote closes and reopens the literal.
  EXPECT_EQ(found("SELECT 'it''s ?', ?", SqlSyntax::mysql), V({"?"}));
  EXPECT_EQ(found("SELECT \"a\"\"?\", ?", SqlSyntax::mysql), V({"?"}));
  EXPECT_EQ(found("SELECT `a``?`, ?", SqlSyntax::mysql), V({"?"}));
  // Backslash escapes in '..' and "..", not in `..`.
  EXPECT_EQ(found(R"(SELECT 'a\'?', ?)", SqlSyntax::mysql), V({"?"}));
  EXPECT_EQ(found(R"(SELECT "a\"?", ?)", SqlSyntax::mysql), V({"?"}));
  EXPECT_EQ(found(R"(SELECT `a\`, ?)", SqlSyntax::mysql), V({"?"}));
  // An unterminated literal runs to the end.
  EXPECT_TRUE(found("SELECT 'abc ?", SqlSyntax::mysql).empty());
}

TEST(SqlScanMysql, SkipsComments) {
  EXPECT_EQ(found("SELECT ? -- ?\n, ?", SqlSyntax::mysql), V({"?", "?"}));
  EXPECT_EQ(found("SELECT ? # ?\n, ?", SqlSyntax::mysql), V({"?", "?"}));
  EXPECT_EQ(found("SELECT ? /* ? */ , ?", SqlSyntax::mysql), V({"?", "?"}));
  EXPECT_EQ(found("SELECT ? /* ? ", SqlSyntax::mysql), V({"?"}));
  EXPECT_EQ(found("SELECT ? --", SqlSyntax::mysql), V({"?"}));
  // "--" without a following space is two minus signs in MySQL.
  EXPECT_EQ(found("SELECT 1--?", SqlSyntax::mysql), V({"?"}));
  // Comment markers inside a literal are text.
  EXPECT_EQ(found("SELECT '-- #', ?", SqlSyntax::mysql), V({"?"}));
}

TEST(SqlScanMysql, IgnoresDollarPlaceholders) {
  EXPECT_TRUE(found("SELECT $1, $12", SqlSyntax::mysql).empty());
}

TEST(SqlScanPostgres, FindsNumberedPlaceholders) {
  std::vector<Placeholder> p = find_placeholders("a = $1 AND b = $12", SqlSyntax::postgresql);
  ASSERT_EQ(p.size(), 2U);
  EXPECT_EQ(p[0].offset, 4U);
  EXPECT_EQ(p[0].length, 2U);
  EXPECT_EQ(p[0].number, 1U);
  EXPECT_EQ(p[1].offset, 15U);
  EXPECT_EQ(p[1].length, 3U);
  EXPECT_EQ(p[1].number, 12U);
  // Repeated and out of order, each occurrence counts.
  EXPECT_EQ(found("$2,$1,$2", SqlSyntax::postgresql), V({"$2", "$1", "$2"}));
  // '?' is an operator (jsonb), not a placeholder.
  EXPECT_TRUE(found("SELECT j ? 'k'", SqlSyntax::postgresql).empty());
  // After an identifier character '$' is part of a name.
  EXPECT_TRUE(found("SELECT a$1, _$2", SqlSyntax::postgresql).empty());
  // Too large for a size_t: found, numbered 0.
  p = find_placeholders("$99999999999999999999999", SqlSyntax::postgresql);
  ASSERT_EQ(p.size(), 1U);
  EXPECT_EQ(p[0].number, 0U);
}

TEST(SqlScanPostgres, SkipsQuotedText) {
  EXPECT_EQ(found("SELECT '$1', \"$2\", $3", SqlSyntax::postgresql), V({"$3"}));
  EXPECT_EQ(found("SELECT 'it''s $1', $2", SqlSyntax::postgresql), V({"$2"}));
  EXPECT_EQ(found("SELECT \"a\"\"$1\", $2", SqlSyntax::postgresql), V({"$2"}));
  // Backticks quote nothing in PostgreSQL.
  EXPECT_EQ(found("SELECT `$1`", SqlSyntax::postgresql), V({"$1"}));
  // Backslash is an ordinary character in a standard string: 'a\' ends there.
  EXPECT_EQ(found(R"(SELECT 'a\', $1)", SqlSyntax::postgresql), V({"$1"}));
  // In E'..' it escapes the next character, whatever the case of the E.
  EXPECT_EQ(found(R"(SELECT E'a\'$1', $2)", SqlSyntax::postgresql), V({"$2"}));
  EXPECT_EQ(found(R"(SELECT e'a\\', $1)", SqlSyntax::postgresql), V({"$1"}));
  // An E that ends an identifier is not a prefix.
  EXPECT_EQ(found(R"(SELECT typE'a\', $1)", SqlSyntax::postgresql), V({"$1"}));
}

TEST(SqlScanPostgres, SkipsDollarQuotedBodies) {
  EXPECT_EQ(found("SELECT $$ $1 $$, $2", SqlSyntax::postgresql), V({"$2"}));
  EXPECT_EQ(found("DO $body$ SELECT $1; $body$; SELECT $2", SqlSyntax::postgresql), V({"$2"}));
  EXPECT_TRUE(found("SELECT $f$ $1", SqlSyntax::postgresql).empty());
}

TEST(SqlScanPostgres, SkipsComments) {
  EXPECT_EQ(found("SELECT $1 -- $2\n, $3", SqlSyntax::postgresql), V({"$1", "$3"}));
  EXPECT_EQ(found("SELECT $1 --$2\n, $3", SqlSyntax::postgresql), V({"$1", "$3"}));
  EXPECT_EQ(found("SELECT $1 /* $2 */ , $3", SqlSyntax::postgresql), V({"$1", "$3"}));
  // '#' starts no comment in PostgreSQL.
  EXPECT_EQ(found("SELECT $1 # $2", SqlSyntax::postgresql), V({"$1", "$2"}));
  EXPECT_EQ(found("SELECT '/* --', $1", SqlSyntax::postgresql), V({"$1"}));
}

}  // namespace
}  // namespace cutover::db
