# SigV4 benchmark (include()d from bench/CMakeLists.txt): signatures per second of libasff against
# botocore's SigV4Auth in one run.   cmake --build <dir> --target bench_sigv4
add_executable(sigv4_bench EXCLUDE_FROM_ALL ${CMAKE_CURRENT_LIST_DIR}/sigv4_bench.c)
target_link_libraries(sigv4_bench PRIVATE asff_static)
target_compile_definitions(sigv4_bench PRIVATE _POSIX_C_SOURCE=200809L)
if(Python3_Interpreter_FOUND)
  add_custom_target(bench_sigv4
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/sigv4_botocore.py $<TARGET_FILE:sigv4_bench>
    DEPENDS sigv4_bench
    COMMENT "SigV4: libasff vs botocore SigV4Auth (signatures per second)")
endif()
