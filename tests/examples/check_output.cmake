# Runs an example and checks its output line by line against a file of
# regular expressions: line N of the output must match line N of EXPECTED
# whole, the counts must agree, and the program must exit with 0.
#   cmake -DEXE=... -DEXPECTED=... [-DARGS=...] -P check_output.cmake
execute_process(COMMAND ${EXE} ${ARGS}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc
                TIMEOUT 120)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${EXE} exited with ${rc}\n${err}")
endif()
file(STRINGS "${EXPECTED}" patterns)
string(REGEX REPLACE "\n$" "" out "${out}")
string(REPLACE ";" "\\;" out "${out}")
string(REPLACE "\n" ";" lines "${out}")
list(LENGTH lines n_out)
list(LENGTH patterns n_exp)
# file(STRINGS) drops empty lines: compare against non-empty output lines.
set(nonempty)
foreach(l IN LISTS lines)
  if(NOT l STREQUAL "")
    list(APPEND nonempty "${l}")
  endif()
endforeach()
list(LENGTH nonempty n_out)
if(NOT n_out EQUAL n_exp)
  message(FATAL_ERROR "expected ${n_exp} non-empty lines, got ${n_out}")
endif()
math(EXPR last "${n_exp} - 1")
foreach(i RANGE ${last})
  list(GET nonempty ${i} line)
  list(GET patterns ${i} pat)
  if(NOT line MATCHES "^${pat}$")
    message(FATAL_ERROR "line ${i}: '${line}' does not match '${pat}'")
  endif()
endforeach()
message(STATUS "output matches ${EXPECTED}")
