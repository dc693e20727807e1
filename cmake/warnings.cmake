# Warnings come from an INTERFACE target that our targets link, not from global flags, so
# third-party code is compiled with its own settings.
add_library(cutover_warnings INTERFACE)
target_compile_options(cutover_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                                                  -Wnon-virtual-dtor -Wold-style-cast)
if(CUTOVER_WERROR)
  target_compile_options(cutover_warnings INTERFACE -Werror)
endif()
