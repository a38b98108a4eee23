# Writes OUT, a C++ file whose function NAMESPACE::FUNCTION() returns the text of IN.
# Run as: cmake -DIN=... -DOUT=... -DNAMESPACE=... -DFUNCTION=... -P embed_file.cmake
file(READ "${IN}" text)
string(FIND "${text}" ")PONTE_EMBED\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} holds the raw-string delimiter )PONTE_EMBED\"")
endif()
set(body "// Generated from ${IN} by cmake/embed_file.cmake. Do not edit.\n#include <string_view>\n\n")
string(APPEND body "namespace ${NAMESPACE} {\n\nstd::string_view ${FUNCTION}() {\n")
string(APPEND body "  static constexpr std::string_view kText = R\"PONTE_EMBED(${text})PONTE_EMBED\";\n")
string(APPEND body "  return kText;\n}\n\n}  // namespace ${NAMESPACE}\n")
file(WRITE "${OUT}.tmp" "${body}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
