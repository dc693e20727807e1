# cutover_add_backend(NAME <name> SOURCES <files...> LIBS <native libs...>)
# Declares one database backend library. Only the backend links its native client library
# (PRIVATE), so a wrong-way include of libpq-fe.h or mysql.h elsewhere fails to build.
function(cutover_add_backend)
  cmake_parse_arguments(B "" "NAME" "SOURCES;LIBS" ${ARGN})
  add_library(cutover_db_${B_NAME} STATIC ${B_SOURCES})
  target_link_libraries(cutover_db_${B_NAME} PUBLIC cutover_db PRIVATE ${B_LIBS} cutover_warnings)
  target_compile_definitions(cutover_db PUBLIC CUTOVER_HAVE_${B_NAME}=1)
endfunction()
