"""Issue 14's limits, kept: no source file in src/ over 800 lines and no
function over 120 lines (STYLE.md 8: small files with a purpose). Functions
are found by their opening line (a signature ending in `{`, at any depth, not
a control statement or a lambda) and measured to the matching brace; braces
in strings, characters and comments are skipped."""
import os
import re

import mstest

MAX_FILE, MAX_FUNCTION = 800, 120
SIGNATURE = re.compile(r"^\s*(?:template\s*<[^>]*>\s*)?[\w:<>,~*&\[\] ]*[\w>~]\s*\([^;{}]*\)\s*"
                       r"(?:const\s*)?(?:noexcept\s*)?(?:override\s*)?(?:final\s*)?(?:->\s*[\w:<>*& ]+)?"
                       r"(?::\s*[^{;]*)?\{\s*$")
CONTROL = re.compile(r"^\s*(?:\}\s*)?(?:if|for|while|switch|catch|else|do|return|case)\b")
STRIP = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|//.*$')


def code_lines(path):
    out, block = [], False
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if block:
                end = line.find("*/")
                if end < 0:
                    out.append("")
                    continue
                line, block = line[end + 2:], False
            line = re.sub(r"/\*.*?\*/", "", line)
            if "/*" in line:
                line, block = line[:line.index("/*")], True
            out.append(STRIP.sub('""', line.rstrip("\n")))
    return out


def logical(lines, i):
    """Line i joined with the next ones while its parentheses are open (a
    signature over several lines), at most 8."""
    text, j = lines[i], i
    while text.count("(") > text.count(")") and j + 1 < len(lines) and j - i < 8:
        j += 1
        text += " " + lines[j].strip()
    return text, j


def long_functions(path):
    lines = code_lines(path)
    found = []
    for i in range(len(lines)):
        line, last = logical(lines, i)
        if i > 0 and lines[i - 1].count("(") > lines[i - 1].count(")"):
            continue  # a continuation line: its signature started above
        if not SIGNATURE.match(line) or CONTROL.match(line) or "[" in line.split("(")[0] or "R\"" in line:
            continue
        depth, j = 0, last
        depth += sum(lines[k].count("{") - lines[k].count("}") for k in range(i, last))
        while j < len(lines):
            depth += lines[j].count("{") - lines[j].count("}")
            if depth <= 0:
                break
            j += 1
        if j - i + 1 > MAX_FUNCTION:
            found.append("%s:%d: %d lines: %s" % (path, i + 1, j - i + 1, line.strip()[:80]))
    return found


def sources():
    for root, _, files in os.walk(mstest.repo("src")):
        for name in files:
            if name.endswith((".cc", ".h")):
                yield os.path.join(root, name)


def test_no_file_over_800_lines():
    big = []
    for p in sources():
        with open(p, encoding="utf-8", errors="replace") as f:
            n = sum(1 for _ in f)
        if n > MAX_FILE:
            big.append("%s: %d lines" % (p, n))
    assert not big, "\n".join(big)


def test_no_function_over_120_lines():
    found = [x for p in sources() for x in long_functions(p)]
    assert not found, "\n".join(found)


def test_the_checker_finds_a_long_function():
    # The check itself: a 130-line function is found, a 100-line one is not.
    d = mstest.workdir("checker")
    for n, name in ((130, "long.cc"), (100, "short.cc")):
        with open(os.path.join(d, name), "w") as f:
            f.write("int Foo::bar(int x) const {\n" + "  x += 1;  // {\n" * (n - 2) + "}\n")
    assert long_functions(os.path.join(d, "long.cc")) and not long_functions(os.path.join(d, "short.cc"))


if __name__ == "__main__":
    mstest.main(globals())
