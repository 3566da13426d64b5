# Compiles SOURCE and passes only if compilation fails with EXPECT in the
# diagnostics: a check that something is refused at compile time, and why.
execute_process(COMMAND ${CXX} -std=c++17 -fsyntax-only -I${INCLUDES} ${SOURCE}
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but must be refused")
endif()
string(FIND "${err}" "${EXPECT}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "refused, but the diagnostics do not mention '${EXPECT}':\n${err}")
endif()
message(STATUS "refused as expected, naming ${EXPECT}")
