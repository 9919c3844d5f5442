# Writes a C++ source defining `const char NAME[]` with the text of IN
# (cmake -DIN=... -DOUT=... -DNAME=... -P embed_text.cmake).
file(READ "${IN}" content)
file(WRITE "${OUT}.tmp" "// Generated from ${IN}; do not edit.\nnamespace ms {\nextern const char ${NAME}[];\nconst char ${NAME}[] = R\"msembed(${content})msembed\";\n}  // namespace ms\n")
file(RENAME "${OUT}.tmp" "${OUT}")
