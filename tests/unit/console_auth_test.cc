// The console's accounts, sessions and login throttling (src/console/auth.h)
// with the clock given: idle and absolute expiry, the session cap, the
// throttle's windows, the accounts file's lines and scrypt round trip.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "console/auth.h"

namespace ms::console {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

User viewer() {
  User u;
  u.name = "vic";
  u.role = Role::kViewer;
  return u;
}

TEST(ConsoleSessions, ExpireWhenIdleAndAfterTwelveHours) {
  Sessions s;
  auto t0 = Clock::now();
  std::string a = s.create(viewer(), t0);
  EXPECT_EQ(a.size(), 64u);
  ASSERT_TRUE(s.find(a, t0 + minutes(29)));
  EXPECT_FALSE(s.find(a, t0 + minutes(29) + minutes(31)));  // idle past 30 minutes
  EXPECT_FALSE(s.find(a, t0 + hours(1)));                   // and gone for good
  std::string b = s.create(viewer(), t0);
  auto t = t0;
  for (int i = 0; i < 35; ++i) {  // used every 20 minutes: alive until 12 h
    t += minutes(20);
    ASSERT_EQ(static_cast<bool>(s.find(b, t)), t - t0 <= hours(12)) << i;
  }
  EXPECT_FALSE(s.find("", t0));
  EXPECT_FALSE(s.find(std::string(64, '0'), t0));
}

TEST(ConsoleSessions, TokensAndCsrfAreDistinctAndLogoutEnds) {
  Sessions s;
  auto t0 = Clock::now();
  std::string a = s.create(viewer(), t0), b = s.create(viewer(), t0);
  EXPECT_NE(a, b);
  EXPECT_NE(s.find(a, t0)->csrf, s.find(b, t0)->csrf);
  EXPECT_NE(s.find(a, t0)->csrf, a);
  s.erase(a);
  EXPECT_FALSE(s.find(a, t0));
  EXPECT_TRUE(s.find(b, t0));
}

TEST(ConsoleSessions, CappedDroppingTheLeastRecentlyUsed) {
  Sessions s;
  auto t0 = Clock::now();
  std::string first = s.create(viewer(), t0);
  std::string second = s.create(viewer(), t0 + std::chrono::seconds(1));
  ASSERT_TRUE(s.find(first, t0 + std::chrono::seconds(2)));  // first is now the more recent
  for (size_t i = 2; i < Sessions::kMax; ++i) s.create(viewer(), t0 + std::chrono::seconds(3));
  std::string last = s.create(viewer(), t0 + std::chrono::seconds(4));  // one over the cap
  auto t = t0 + std::chrono::seconds(5);
  EXPECT_TRUE(s.find(first, t));
  EXPECT_FALSE(s.find(second, t));
  EXPECT_TRUE(s.find(last, t));
}

TEST(ConsoleThrottle, LocksAUserThenASourceUntilTheWindowPasses) {
  Throttle th;
  auto t0 = Clock::now();
  for (int i = 0; i < Throttle::kPerUser; ++i) {
    EXPECT_EQ(th.blocked("1.2.3.4", "ana", t0), 0) << i;
    th.failure("1.2.3.4", "ana", t0);
  }
  int wait = th.blocked("1.2.3.4", "ana", t0);
  EXPECT_GT(wait, 0);
  EXPECT_LE(wait, 15 * 60 + 1);
  EXPECT_GT(th.blocked("5.6.7.8", "ana", t0 + minutes(14)), 0);  // the name, from anywhere
  EXPECT_EQ(th.blocked("1.2.3.4", "vic", t0), 0);                 // not the other names
  EXPECT_EQ(th.blocked("1.2.3.4", "ana", t0 + minutes(16)), 0);   // the window passed
  for (int i = 0; i < Throttle::kPerSource; ++i) th.failure("9.9.9.9", "guess" + std::to_string(i), t0);
  EXPECT_GT(th.blocked("9.9.9.9", "vic", t0 + minutes(1)), 0);
  EXPECT_EQ(th.blocked("9.9.9.8", "vic", t0 + minutes(1)), 0);
}

TEST(ConsoleThrottle, SuccessForgetsTheUsersFailures) {
  Throttle th;
  auto t0 = Clock::now();
  for (int i = 0; i < Throttle::kPerUser - 1; ++i) th.failure("1.1.1.1", "ana", t0);
  th.success("ana");
  th.failure("1.1.1.1", "ana", t0);
  EXPECT_EQ(th.blocked("2.2.2.2", "ana", t0), 0);
}

TEST(ConsoleUsers, LinesRoundTripAndBadLinesAreRefused) {
  User u;
  std::string line = user_line("ana", Role::kAnalyst, "a long enough password");
  ASSERT_TRUE(parse_user_line(line, u));
  EXPECT_EQ(u.name, "ana");
  EXPECT_EQ(u.role, Role::kAnalyst);
  EXPECT_EQ(line.find("a long enough password"), std::string::npos);
  EXPECT_NE(user_line("ana", Role::kAnalyst, "a long enough password"), line);  // a new salt each time
  for (const char* bad : {"", "ana", "ana:root:scrypt:32768:8:1:00:00", "ana:admin:pbkdf2:32768:8:1:0011:0011",
                          "ana:admin:scrypt:32767:8:1:00112233:" /* N not a power of 2 */,
                          "a:b:c:d:e:f:g:h:i:j", "../x:admin:scrypt:16:8:1:00:00"}) {
    EXPECT_FALSE(parse_user_line(bad, u)) << bad;
  }
  std::string huge_n = line;
  huge_n.replace(huge_n.find(":32768:"), 7, ":1073741824:");
  EXPECT_FALSE(parse_user_line(huge_n, u));  // a cost that would take gigabytes
}

TEST(ConsoleUsers, VerifyAndTokens) {
  std::string path = ::testing::TempDir() + "/console_users_test";
  std::string token;
  {
    std::ofstream f(path, std::ios::trunc);
    f << "# accounts\n" << user_line("ana", Role::kAnalyst, "correct horse") << "\n" << token_line("siem", Role::kViewer, token) << "\n";
  }
  chmod(path.c_str(), 0600);
  Users users;
  users.load(path);
  EXPECT_EQ(users.size(), 2u);
  auto ok = users.verify("ana", "correct horse");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->role, Role::kAnalyst);
  EXPECT_FALSE(users.verify("ana", "correct horsf"));
  EXPECT_FALSE(users.verify("bob", "correct horse"));
  auto t = users.token(token);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->name, "token:siem");
  EXPECT_EQ(t->role, Role::kViewer);
  EXPECT_FALSE(users.token(token.substr(0, token.size() - 1) + (token.back() == '0' ? "1" : "0")));
  EXPECT_FALSE(users.verify("siem", token));
  chmod(path.c_str(), 0644);
  Users loose;
  EXPECT_THROW(loose.load(path), std::runtime_error);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace ms::console
