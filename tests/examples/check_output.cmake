# Runs an example and checks its output line by line against a file of
# regular expressions: line N of the output must match line N of EXPECTED
# whole, the counts must agree, and the program must exit with 0. Its stderr
# must be empty, unless a file next to EXPECTED named <name>.expected_stderr
# exists: then stderr is checked against that file in the same way.
#   cmake -DEXE=... -DEXPECTED=... [-DARGS=...] -P check_output.cmake
execute_process(COMMAND ${EXE} ${ARGS}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc
                TIMEOUT 120)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${EXE} exited with ${rc}\n${err}")
endif()

# CMake lists split on ';' except inside [...]: an unbalanced '[' would merge
# two lines into one element. Brackets and ';' are swapped for control
# characters while the text is a list, and put back line by line.
string(ASCII 1 lb)
string(ASCII 2 rb)
string(ASCII 3 sc)

# The non-empty lines of `text`, encoded, in `var`.
function(encoded_lines text var)
  string(REPLACE "[" "${lb}" text "${text}")
  string(REPLACE "]" "${rb}" text "${text}")
  string(REPLACE ";" "${sc}" text "${text}")
  string(REPLACE "\n" ";" all "${text}")
  set(lines)
  foreach(l IN LISTS all)
    if(NOT l STREQUAL "")
      list(APPEND lines "${l}")
    endif()
  endforeach()
  set(${var} "${lines}" PARENT_SCOPE)
endfunction()

function(decoded text var)
  string(REPLACE "${lb}" "[" text "${text}")
  string(REPLACE "${rb}" "]" text "${text}")
  string(REPLACE "${sc}" ";" text "${text}")
  set(${var} "${text}" PARENT_SCOPE)
endfunction()

# Checks the non-empty lines of `text` against the patterns in `file`.
function(check_lines what text file)
  file(READ "${file}" expected)
  encoded_lines("${expected}" patterns)
  encoded_lines("${text}" lines)
  list(LENGTH lines n_out)
  list(LENGTH patterns n_exp)
  if(NOT n_out EQUAL n_exp)
    message(FATAL_ERROR "${what}: expected ${n_exp} non-empty lines, got ${n_out}\n${text}")
  endif()
  if(n_exp EQUAL 0)
    return()
  endif()
  math(EXPR last "${n_exp} - 1")
  foreach(i RANGE ${last})
    list(GET lines ${i} line)
    list(GET patterns ${i} pat)
    decoded("${line}" line)
    decoded("${pat}" pat)
    if(NOT line MATCHES "^${pat}$")
      message(FATAL_ERROR "${what} line ${i}: '${line}' does not match '${pat}'")
    endif()
  endforeach()
endfunction()

check_lines(stdout "${out}" "${EXPECTED}")
string(REGEX REPLACE "\\.expected$" ".expected_stderr" expected_stderr "${EXPECTED}")
if(EXISTS "${expected_stderr}")
  check_lines(stderr "${err}" "${expected_stderr}")
elseif(NOT err STREQUAL "")
  message(FATAL_ERROR "stderr is not empty (no ${expected_stderr}):\n${err}")
endif()
message(STATUS "output matches ${EXPECTED}")
