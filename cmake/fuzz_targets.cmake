# Fuzz targets are found by glob, not listed: tests/fuzz/fuzz_*.cc (the packet
# path, the inventory, the detections, the frame protocols) and
# src/dissectors/<p>/fuzz_*.cc (one protocol's parsers and dissector, in its
# own folder). A target `fuzz_<name>.cc` declares its inputs in comment lines
# of its header, paths relative to the repository root:
#   // fuzz-replay: DIR/ FILE ...   replayed by ctest in every build (a DIR/:
#                                   every file in it; committed reproducers)
#   // fuzz-seed: tcp|udp FILTER    scripts/test.sh seeds the fuzzer with the
#   // fuzz-seed-captures: GLOB ... TCP streams or UDP datagrams FILTER (tshark)
#                                   selects in these captures
# Several lines of a key add up. ../shared/corpus is the shared capture corpus.

# All fuzz target sources.
function(ms_fuzz_sources out)
  file(GLOB srcs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz_*.cc
    ${PROJECT_SOURCE_DIR}/src/dissectors/*/fuzz_*.cc)
  set(${out} ${srcs} PARENT_SCOPE)
endfunction()

# The replay inputs a target's header declares, directories expanded.
function(ms_fuzz_replay_inputs src out)
  # Editing the header lines re-runs the configuration.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${src})
  file(STRINGS ${src} lines REGEX "^// fuzz-replay: ")
  set(inputs)
  foreach(line ${lines})
    string(REGEX REPLACE "^// fuzz-replay: +" "" line "${line}")
    separate_arguments(items UNIX_COMMAND "${line}")
    foreach(item ${items})
      if(item MATCHES "/$")
        file(GLOB files CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${item}*)
        list(APPEND inputs ${files})
      else()
        list(APPEND inputs ${PROJECT_SOURCE_DIR}/${item})
      endif()
    endforeach()
  endforeach()
  set(${out} ${inputs} PARENT_SCOPE)
endfunction()
