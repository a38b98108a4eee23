# Helpers that keep every subsystem's CMakeLists short and its link edges explicit.

# ponte_library(NAME [UNITY] [OWN_PCH] SOURCES ... DEPS ... [PRIVATE_DEPS ...])
# One static library per folder under src/; DEPS lists the only allowed edges. UNITY compiles
# its files in batches of 8: files that share heavy inline code (CLI11, the JSON library, fmt,
# the engine's templates) spend most of their time generating it again each. (ponte_net is not
# one: in a batch, GCC 12 sees a false maybe-uninitialized in date.h's parser.) A library reuses ponte_pch's precompiled header (the JSON library and fmt)
# instead of compiling its own copy, unless it has headers of its own to add (OWN_PCH: it lists
# those two and its own).
function(ponte_library name)
  cmake_parse_arguments(ARG "UNITY;OWN_PCH" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  if(NOT ARG_OWN_PCH)
    target_precompile_headers(${name} REUSE_FROM ponte_pch)
  endif()
  if(ARG_UNITY)
    set_target_properties(${name} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
  endif()
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# ponte_test(NAME SOURCES ... DEPS ...)
# A GoogleTest binary; each TEST becomes its own ctest entry.
function(ponte_test name)
  cmake_parse_arguments(ARG "POSTGRES;SERIAL" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_precompile_headers(${name} REUSE_FROM ponte_pch)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} rapidcheck rapidcheck_gtest GTest::gtest GTest::gmock GTest::gtest_main)
  # Property tests run a few thousand cases each (rapidcheck's default is 100).
  set(props ENVIRONMENT "RC_PARAMS=max_success=3000")
  # Where the sources and the fixture's PostgreSQL live; compiled in because
  # gtest_discover_tests keeps only one ENVIRONMENT entry.
  target_compile_definitions(${name} PRIVATE PONTE_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    PONTE_TEST_PG_DIR="${CMAKE_BINARY_DIR}/test-postgres")
  if(ARG_POSTGRES)
    # Needs the PostgreSQL server that the ctest fixture in tests/ starts.
    list(APPEND props FIXTURES_REQUIRED postgres)
  endif()
  if(ARG_SERIAL)
    # Several ponte processes at once, measuring throughput against a shared quota or racing
    # leases: alone on the machine, so other tests' load cannot change what they measure.
    list(APPEND props RUN_SERIAL TRUE)
  endif()
  if(ARG_LABELS)
    list(APPEND props LABELS "${ARG_LABELS}")
  endif()
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST PROPERTIES ${props})
endfunction()
