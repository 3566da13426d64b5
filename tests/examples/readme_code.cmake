# Checks that the README shows an example's code as it is: the first ```cpp
# block after the README line TITLE must equal SOURCE below its header
# comment (everything after the first empty line).
#   cmake -DREADME=... -DTITLE=... -DSOURCE=... -P readme_code.cmake
file(READ "${README}" readme)
string(FIND "${readme}" "${TITLE}\n" at)
if(at EQUAL -1)
  message(FATAL_ERROR "README has no line '${TITLE}'")
endif()
string(SUBSTRING "${readme}" ${at} -1 readme)
string(FIND "${readme}" "```cpp\n" open)
if(open EQUAL -1)
  message(FATAL_ERROR "no ```cpp block after '${TITLE}'")
endif()
math(EXPR open "${open} + 7")
string(SUBSTRING "${readme}" ${open} -1 readme)
string(FIND "${readme}" "```\n" close)
string(SUBSTRING "${readme}" 0 ${close} shown)

file(READ "${SOURCE}" source)
string(FIND "${source}" "\n\n" body)
math(EXPR body "${body} + 2")
string(SUBSTRING "${source}" ${body} -1 code)

if(NOT shown STREQUAL code)
  message(FATAL_ERROR "README '${TITLE}' differs from ${SOURCE}:\n--- README\n${shown}--- source\n${code}")
endif()
message(STATUS "README '${TITLE}' is ${SOURCE}")
