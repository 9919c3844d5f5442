// A command's options, read one at a time (the commands in app/main.cc).
// Every option of the form "NAME VALUE" or a flag is one call here, so each
// command's loop is one line per option and the messages are the same
// everywhere: "NAME needs WHAT", "NAME: 'V' is not ..." on stderr, exit 2
// (docs/decisions.md: bad options get one clear line and a non-zero exit).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace ms {

// Prints "medsentry: error: MSG (see 'medsentry --help')"; returns 2.
int usage_error(const std::string& msg);

// Decimal digits only, lo <= value <= hi.
bool parse_count(const std::string& s, long long lo, long long hi, long long& out);

// A size: digits with an optional k, M or G (powers of 1024).
bool parse_size(const std::string& s, uint64_t& out);

// Walks a command's arguments (after the command name). The typed takers
// below return false when the current argument is not theirs; when it is,
// they take it (and its value) or print the usage error and mark the walk
// failed, which ends it: `while (o.next())` stops and failed() says so.
// NAMES may list aliases: "-o|--outdir".
class Options {
 public:
  explicit Options(const std::vector<std::string>& args) : args_(args) {}
  bool next() { return !failed_ && ++i_ < args_.size(); }
  const std::string& arg() const { return args_[i_]; }
  bool failed() const { return failed_; }
  // Whether the current argument is one of NAMES.
  bool is(const char* names) const;
  // The next argument as the current option's value.
  bool value(std::string& out);
  // Everything after "--" is an operand.
  std::vector<std::string> rest();

  bool text(const char* names, const char* what, std::string& out);
  bool texts(const char* names, const char* what, std::vector<std::string>& out);
  bool choice(const char* names, std::initializer_list<const char*> allowed, std::string& out);
  bool flag(const char* names, bool& out, bool set_to = true);
  template <typename T>
  bool count(const char* names, long long lo, long long hi, T& out) {
    long long n = 0;
    if (!count_value(names, lo, hi, n)) return false;
    if (!failed_) out = static_cast<T>(n);
    return true;
  }
  bool size(const char* names, uint64_t& out);

  // Marks the walk failed after MSG; true, so a taker can end with it.
  bool fail(const std::string& msg);
  // "COMMAND: unknown option 'ARG'"; returns 2.
  int unknown(const std::string& command) const;

 private:
  bool count_value(const char* names, long long lo, long long hi, long long& n);

  const std::vector<std::string>& args_;
  size_t i_ = 0;
  bool failed_ = false;
};

}  // namespace ms
