# GoogleTest from third_party/googletest (its own gtest-all.cc and gtest_main.cc), as the
# targets find_package(GTest) gives: for machines without libgtest-dev (scripts/gpu-check.sh's
# GPU image).
find_package(Threads REQUIRED)
set(TUBELET_GTEST_DIR ${PROJECT_SOURCE_DIR}/third_party/googletest)
add_library(tubelet_vendored_gtest STATIC ${TUBELET_GTEST_DIR}/src/gtest-all.cc)
target_include_directories(tubelet_vendored_gtest SYSTEM PUBLIC ${TUBELET_GTEST_DIR}/include)
target_include_directories(tubelet_vendored_gtest PRIVATE ${TUBELET_GTEST_DIR})
target_link_libraries(tubelet_vendored_gtest PUBLIC Threads::Threads)
add_library(tubelet_vendored_gtest_main STATIC ${TUBELET_GTEST_DIR}/src/gtest_main.cc)
target_link_libraries(tubelet_vendored_gtest_main PUBLIC tubelet_vendored_gtest)
add_library(GTest::gtest ALIAS tubelet_vendored_gtest)
add_library(GTest::gtest_main ALIAS tubelet_vendored_gtest_main)
message(STATUS "Tubelet: GoogleTest from third_party/googletest")
