// The signatures' prefilter (inventory/regex_prefilter.h): the literals read
// from patterns, and that it never turns away a text its pattern matches.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "inventory/knowledge.h"
#include "dissectors/text.h"
#include "inventory/regex_prefilter.h"

namespace {

using namespace ms::inv;

std::set<std::string> lits(const char* p) {
  auto l = required_literals(p);
  return l ? std::set<std::string>(l->begin(), l->end()) : std::set<std::string>{"<none>"};
}

TEST(RegexPrefilter, ReadsLiterals) {
  EXPECT_EQ(lits("^ATELLICA"), std::set<std::string>{"atellica"});
  EXPECT_EQ(lits(R"(\bMUSE\b)"), std::set<std::string>{"muse"});
  // The longest mandatory part: "revolution " before the group's "ct"/"evo".
  EXPECT_EQ(lits(R"(\b(Revolution (CT|EVO|HD))\b)"), std::set<std::string>{"revolution "});
  EXPECT_EQ(lits(R"(\b(IntelliSpace PACS|iSite PACS|Vue PACS)\b)"),
            (std::set<std::string>{"intellispace pacs", "isite pacs", "vue pacs"}));
  // An optional character ends a run; escaped punctuation is literal.
  EXPECT_EQ(lits(R"(Pro ?16)"), std::set<std::string>{"pro"});
  EXPECT_EQ(lits(R"(syngo\.via)"), std::set<std::string>{"syngo.via"});
  // "a+" is there once, the next character need not follow it directly.
  EXPECT_EQ(lits(R"(xya+bcde)"), std::set<std::string>{"bcde"});
  EXPECT_EQ(lits(R"(wxya+bc)"), std::set<std::string>{"wxya"});
  EXPECT_EQ(lits(R"(abcd{2}e)"), std::set<std::string>{"abcd"});
}

TEST(RegexPrefilter, NoLiteralsWhenNoneIsMandatory) {
  EXPECT_EQ(lits(R"((foo|\d+))"), std::set<std::string>{"<none>"});   // one alternative has none
  EXPECT_EQ(lits(R"((foo)?bar?)"), std::set<std::string>{"ba"});
  EXPECT_EQ(lits(R"((foo)*)"), std::set<std::string>{"<none>"});
  EXPECT_EQ(lits(R"([a-z]+\d)"), std::set<std::string>{"<none>"});
  EXPECT_EQ(lits(R"(a|)"), std::set<std::string>{"<none>"});
  EXPECT_EQ(lits(R"(((a))"), std::set<std::string>{"<none>"});  // unbalanced: not understood
  EXPECT_EQ(lits(R"(x{,2})"), std::set<std::string>{"<none>"});
}

// Every signature against every signature's example (and a few texts that
// mix them): whenever the pattern matches, the prefilter lets the text
// through. A prefilter that turned away a match would silently lose a
// device's identity.
TEST(RegexPrefilter, NeverTurnsAwayAMatch) {
  const auto& sigs = signatures();
  std::vector<std::string> texts;
  for (const Signature& s : sigs) {
    texts.push_back(s.example);
    texts.push_back("Device: " + s.example + " (rev 2)");
    texts.push_back(ms::text::lower(s.example));
  }
  size_t filtered = 0, matched = 0;
  for (const Signature& s : sigs) {
    SCOPED_TRACE("data/device_signatures.csv rule " + std::to_string(s.line) + ": " + s.pattern);
    for (const std::string& t : texts) {
      bool re = std::regex_search(t, s.re());
      bool pass = !s.literals || contains_any(ms::text::lower(t), *s.literals);
      if (re) {
        ++matched;
        EXPECT_TRUE(pass) << t;
      }
      if (!pass) ++filtered;
    }
  }
  EXPECT_GT(matched, sigs.size());
  // The point of it: most pairs are decided without the regex.
  EXPECT_GT(filtered, texts.size() * sigs.size() / 2);
}

// Most signatures have literals (else the prefilter would save little).
TEST(RegexPrefilter, MostSignaturesHaveLiterals) {
  size_t with = 0;
  for (const Signature& s : signatures()) with += s.literals.has_value();
  EXPECT_GT(with, signatures().size() * 9 / 10);
}

}  // namespace
