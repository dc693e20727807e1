# Compiles the data files under catalogue/ into a C++ source, so the binary needs no data
# directory at run time. Globbing is for data files only; CONFIGURE_DEPENDS re-runs the glob
# when a file is added.
function(cutover_embed_catalogue out_var)
  file(GLOB_RECURSE files CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/catalogue/*.toml")
  list(SORT files)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/catalogue_data.cpp")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DROOT=${PROJECT_SOURCE_DIR}/catalogue
            "-DFILES=${files}" -P "${PROJECT_SOURCE_DIR}/cmake/embed_catalogue_run.cmake"
    DEPENDS ${files} "${PROJECT_SOURCE_DIR}/cmake/embed_catalogue_run.cmake"
    COMMENT "Embedding the product catalogue"
    VERBATIM)
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()
