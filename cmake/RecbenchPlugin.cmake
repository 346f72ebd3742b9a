# recbench_add_plugin(NAME SOURCES src... [LIBS lib...])
#
# One source, two artefacts (LLVM's add_llvm_pass_plugin): the sources compile once into an
# OBJECT library, which becomes
#   recbench_plugin_NAME  a MODULE (plugins/recbench_NAME.so) exporting the ABI's two aliases, and
#   recbench_static_NAME  an OBJECT library that registers the plugin when linked into a binary
#                         (the test suite links every one; see RECBENCH_STATIC_PLUGINS).
# NAME must match the first argument of RECBENCH_PLUGIN() in the sources.
function(recbench_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  set(objects recbench_objects_${name})
  add_library(${objects} OBJECT ${ARG_SOURCES})
  target_link_libraries(${objects} PUBLIC recbench_sdk ${ARG_LIBS})
  recbench_warnings(${objects})
  recbench_use_torch_pch(${objects})

  set(RECBENCH_PLUGIN_NAME ${name})
  set(gen ${CMAKE_CURRENT_BINARY_DIR}/generated)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/plugin_module_entry.cpp.in
                 ${gen}/${name}_module_entry.cpp @ONLY)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/plugin_static_entry.cpp.in
                 ${gen}/${name}_static_entry.cpp @ONLY)

  add_library(recbench_plugin_${name} MODULE ${gen}/${name}_module_entry.cpp
                                             $<TARGET_OBJECTS:${objects}>)
  target_link_libraries(recbench_plugin_${name} PRIVATE recbench_sdk recbench_boost_dll
                                                        ${ARG_LIBS})
  set_target_properties(recbench_plugin_${name} PROPERTIES
    PREFIX "" OUTPUT_NAME recbench_${name} LIBRARY_OUTPUT_DIRECTORY ${RECBENCH_PLUGIN_DIR})
  target_link_options(recbench_plugin_${name} PRIVATE -Wl,--no-undefined)

  add_library(recbench_static_${name} OBJECT ${gen}/${name}_static_entry.cpp)
  target_link_libraries(recbench_static_${name} PUBLIC recbench_sdk ${ARG_LIBS})
  set_property(GLOBAL APPEND PROPERTY RECBENCH_STATIC_PLUGINS ${name})
  set_property(GLOBAL APPEND PROPERTY RECBENCH_PLUGIN_TARGETS recbench_plugin_${name})
endfunction()

# recbench_link_static_plugins(target): links every plugin's objects and registration into target.
function(recbench_link_static_plugins target)
  get_property(names GLOBAL PROPERTY RECBENCH_STATIC_PLUGINS)
  foreach(name IN LISTS names)
    target_sources(${target} PRIVATE $<TARGET_OBJECTS:recbench_objects_${name}>
                                     $<TARGET_OBJECTS:recbench_static_${name}>)
    target_link_libraries(${target} PRIVATE recbench_static_${name})
  endforeach()
endfunction()

# recbench_use_torch_pch(target): reuse one precompiled <torch/torch.h> (compiling it costs ~20 s).
function(recbench_use_torch_pch target)
  if(RECBENCH_USE_PCH)
    target_precompile_headers(${target} REUSE_FROM recbench_torch_pch)
    # Executables default to -fPIE; the shared PCH was built with -fPIC, which suits both.
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "EXECUTABLE")
      target_compile_options(${target} PRIVATE -fPIC)
    endif()
  endif()
endfunction()

# Adds every subfolder of the calling folder that has a CMakeLists.txt (one plugin or benchmark
# per folder: a new folder is picked up without editing its parent).
function(recbench_add_subfolders)
  file(GLOB children LIST_DIRECTORIES true CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*)
  foreach(child IN LISTS children)
    if(EXISTS ${child}/CMakeLists.txt)
      add_subdirectory(${child})
    endif()
  endforeach()
endfunction()
