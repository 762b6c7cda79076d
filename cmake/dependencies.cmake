# What Tubelet uses besides LibTorch, and the options that leave a part out where a machine lacks
# what it needs. The defaults need everything (scripts/install-deps.sh installs it); the
# scripts/gpu-check.sh GPU image has a PyTorch, a compiler and CMake but no -dev packages, so
# the script turns off what it does not find and the header-only libraries come from
# third_party/.
option(TUBELET_WITH_MEDIA
  "Video decoding and image operations (FFmpeg, OpenCV): datasets, pipelines, train/test/infer" ON)
option(TUBELET_WITH_YAML "YAML configs and annotation files (yaml-cpp)" ON)
option(TUBELET_WITH_DOWNLOAD "Checkpoints named by URL (libcurl, OpenSSL's SHA-256)" ON)
option(TUBELET_WITH_GLOO "CPU process groups (Gloo's headers, from libgloo-dev)" ON)
option(TUBELET_VENDORED_DEPS
  "Use third_party/'s CLI11, nlohmann-json and GoogleTest even where the system has them" OFF)

# Header-only libraries: the system's copy, else the vendored one, under the same target name.
function(tubelet_header_only package target folder)
  if(NOT TUBELET_VENDORED_DEPS)
    find_package(${package} QUIET)
  endif()
  if(TARGET ${target})
    return()
  endif()
  string(REPLACE "::" "_" name ${target})
  add_library(${name} INTERFACE IMPORTED GLOBAL)
  set_target_properties(${name} PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES ${PROJECT_SOURCE_DIR}/third_party/${folder}/include
    INTERFACE_SYSTEM_INCLUDE_DIRECTORIES ${PROJECT_SOURCE_DIR}/third_party/${folder}/include)
  add_library(${target} ALIAS ${name})
  message(STATUS "Tubelet: ${package} from third_party/${folder}")
endfunction()
tubelet_header_only(nlohmann_json nlohmann_json::nlohmann_json nlohmann_json)
tubelet_header_only(CLI11 CLI11::CLI11 cli11)

# The files that use an optional part tell, by one macro on that file alone, that it is out; a
# definition for the whole target would rebuild everything and its precompiled header.
set(TUBELET_LEFT_OUT)
function(tubelet_left_out file macro)
  set_property(SOURCE ${PROJECT_SOURCE_DIR}/${file} APPEND PROPERTY COMPILE_DEFINITIONS ${macro})
endfunction()

if(TUBELET_WITH_YAML)
  find_package(yaml-cpp REQUIRED)
else()
  list(APPEND TUBELET_LEFT_OUT "YAML")
  tubelet_left_out(src/config/read_yaml.cpp TUBELET_NO_YAML)
endif()

# Downloads of checkpoints named by URL (fileio/download.cpp) and their SHA-256 check.
if(TUBELET_WITH_DOWNLOAD)
  find_package(CURL REQUIRED)
  find_package(OpenSSL REQUIRED COMPONENTS Crypto)
else()
  list(APPEND TUBELET_LEFT_OUT "downloads")
  tubelet_left_out(src/fileio/download.cpp TUBELET_NO_DOWNLOAD)
endif()

if(TUBELET_WITH_GLOO)
  find_path(GLOO_INCLUDE_DIR gloo/context.h)
  if(NOT GLOO_INCLUDE_DIR)
    message(FATAL_ERROR "Gloo's headers (gloo/context.h) were not found: install libgloo-dev, "
      "set GLOO_INCLUDE_DIR, or configure with -DTUBELET_WITH_GLOO=OFF (no CPU process groups)")
  endif()
else()
  list(APPEND TUBELET_LEFT_OUT "Gloo")
  tubelet_left_out(src/distributed/process_group.cpp TUBELET_NO_GLOO)
endif()

# Video and audio decoding (FFmpeg's libraries; libswresample resamples audio) and MMAction2's
# image operations (OpenCV's core, imgproc and imgcodecs only: Debian's full libopencv-dev pulls
# in hundreds of packages).
# Without them, every file that includes either (directly or through our headers) is left out
# of each target: the data pipeline, datasets, and the commands that run them. A file that
# names TUBELET_NO_MEDIA stays and gets that macro (collect-env, the command's main).
set(TUBELET_MEDIA_INCLUDES "<(opencv2|libav[a-z]+|libsw[a-z]+)/|// Needs TUBELET_WITH_MEDIA")
if(TUBELET_WITH_MEDIA)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(FFMPEG REQUIRED IMPORTED_TARGET libavformat libavcodec libavutil libswscale
    libswresample)
  find_path(OPENCV_INCLUDE_DIR opencv2/core.hpp PATH_SUFFIXES opencv4 REQUIRED)
  foreach(module core imgproc imgcodecs)
    find_library(OPENCV_${module}_LIBRARY opencv_${module} REQUIRED)
    list(APPEND OPENCV_LIBRARIES ${OPENCV_${module}_LIBRARY})
  endforeach()
else()
  list(APPEND TUBELET_LEFT_OUT "media (FFmpeg, OpenCV)")
endif()
include(${CMAKE_CURRENT_LIST_DIR}/exclude_including.cmake)

# tubelet_without_media(<list variable>): the list less the files that need FFmpeg or OpenCV,
# when the build has no media.
macro(tubelet_without_media list_var)
  if(NOT TUBELET_WITH_MEDIA)
    tubelet_exclude_including(${list_var} "${TUBELET_MEDIA_INCLUDES}" TUBELET_NO_MEDIA
      ${PROJECT_SOURCE_DIR}/include
      ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tools ${PROJECT_SOURCE_DIR}/tests
      ${PROJECT_SOURCE_DIR}/bench)
    message(STATUS "Tubelet: ${${list_var}_DROPPED} files of ${list_var} need media: left out")
  endif()
endmacro()

if(TUBELET_LEFT_OUT)
  string(REPLACE ";" ", " left_out "${TUBELET_LEFT_OUT}")
  message(STATUS "Tubelet: built without ${left_out}")
endif()
