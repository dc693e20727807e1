#include "db/url.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace cutover::db {
namespace {

ErrorKind kind_of(std::string_view url, UrlOrigin origin = UrlOrigin::argv) {
  try {
    parse_url(url, origin);
  } catch (const Error& e) {
    return e.kind();
  }
  return ErrorKind::internal;  // "did not throw"
}

TEST(Url, ParsesSqlitePathForms) {
  EXPECT_EQ(parse_url("sqlite:demo.db", UrlOrigin::argv).path, "demo.db");
  EXPECT_EQ(parse_url("sqlite:///tmp/x.db", UrlOrigin::argv).path, "/tmp/x.db");
  EXPECT_EQ(parse_url("sqlite:dir/a b.db", UrlOrigin::argv).scheme, "sqlite");
}

TEST(Url, ParsesPostgresWithUnixSocketHost) {
  ConnectionSpec s =
      parse_url("postgresql://postgres@%2Ftmp%2Fco.x%2Fs:5433/wso2", UrlOrigin::argv);
  EXPECT_EQ(s.scheme, "postgresql");
  EXPECT_EQ(s.user, "postgres");
  EXPECT_EQ(s.host, "/tmp/co.x/s");
  EXPECT_EQ(s.port, 5433);
  EXPECT_EQ(s.database, "wso2");
}

TEST(Url, MapsAliasesToBackends) {
  EXPECT_EQ(parse_url("postgres://u@h/d", UrlOrigin::argv).scheme, "postgresql");
  EXPECT_EQ(parse_url("mariadb://u@h:3307/d", UrlOrigin::argv).scheme, "mysql");
  EXPECT_EQ(parse_url("mysql://u@h/d?socket=/run/my.sock", UrlOrigin::argv).params.at("socket"),
            "/run/my.sock");
  EXPECT_EQ(parse_url("odbc:DSN=wso2", UrlOrigin::argv).odbc, "DSN=wso2");
}

TEST(Url, RefusesPasswordsOnTheCommandLine) {
  EXPECT_EQ(kind_of("postgresql://u:secret@h/d"), ErrorKind::usage);
  EXPECT_EQ(kind_of("mysql://u@h/d?password=secret"), ErrorKind::usage);
  EXPECT_EQ(kind_of("odbc:Driver={X};UID=u;PWD=secret"), ErrorKind::usage);
  try {
    parse_url("postgresql://u:s3cr3t-value@h/d", UrlOrigin::argv);
    FAIL() << "expected a refusal";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find("s3cr3t-value"), std::string::npos);
    EXPECT_NE(e.hint().find("CUTOVER_DB_PASSWORD"), std::string::npos);
    EXPECT_NE(e.hint().find("--password-file"), std::string::npos);
  }
}

TEST(Url, AcceptsPasswordsFromConfigFilesButNeverPrintsThem) {
  ConnectionSpec s = parse_url("postgresql://u:s3cr3t@h:5432/d", UrlOrigin::config_file);
  EXPECT_EQ(s.password.reveal(), "s3cr3t");
  EXPECT_EQ(s.redacted(), "postgresql://u:***@h:5432/d");
  ConnectionSpec o = parse_url("odbc:DSN=x;PWD=s3cr3t;UID=u", UrlOrigin::config_file);
  EXPECT_EQ(o.redacted().find("s3cr3t"), std::string::npos);
}

TEST(Url, UnknownSchemeListsKnownOnesWithSuggestion) {
  try {
    parse_url("postgress://u@h/d", UrlOrigin::argv);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_NE(e.hint().find("did you mean 'postgres"), std::string::npos) << e.hint();
    EXPECT_NE(e.hint().find("sqlite:PATH"), std::string::npos);
  }
}

TEST(Url, RejectsMalformedUrls) {
  EXPECT_EQ(kind_of("demo.db"), ErrorKind::usage);
  EXPECT_EQ(kind_of("postgresql:host/db"), ErrorKind::usage);
  EXPECT_EQ(kind_of("postgresql://u@h:99999/d"), ErrorKind::usage);
  EXPECT_EQ(kind_of("postgresql://u@h:5432"), ErrorKind::usage);
  EXPECT_EQ(kind_of("sqlite:"), ErrorKind::usage);
}

}  // namespace
}  // namespace cutover::db

namespace cutover::db {
namespace {

TEST(Url, PasswordKeysAreFoundWhateverTheirSpelling) {
  for (const char* url :
       {"odbc:Driver={MariaDB};User=u;Password =secret", "odbc:Driver={X}; PASSWORD = secret",
        "odbc:DSN=x;pwd=secret", "postgresql://u@h/d?sslpassword=secret"}) {
    EXPECT_EQ(kind_of(url), ErrorKind::usage) << url;
  }
  ConnectionSpec o = parse_url("odbc:Driver={X};User=u; Password = secret", UrlOrigin::config_file);
  EXPECT_EQ(o.redacted().find("secret"), std::string::npos) << o.redacted();
  ConnectionSpec b = parse_url("odbc:Driver={A;B};Server=h", UrlOrigin::argv);
  EXPECT_EQ(b.redacted(), "odbc:Driver={A;B};Server=h");
}

TEST(Url, Ipv6HostsAndSocketsRoundTrip) {
  ConnectionSpec s = parse_url("postgresql://u@[::1]:5433/d", UrlOrigin::argv);
  EXPECT_EQ(s.host, "::1");
  EXPECT_EQ(s.port, 5433);
  EXPECT_EQ(s.redacted(), "postgresql://u@[::1]:5433/d");
  ConnectionSpec sock = parse_url("postgresql://u@%2Ftmp%2Fs:5432/d", UrlOrigin::argv);
  EXPECT_EQ(parse_url(sock.redacted(), UrlOrigin::argv).host, "/tmp/s");
}

}  // namespace
}  // namespace cutover::db
