# Turns the dashboard files in web/ into a generated .cpp of byte arrays, so the
# program serves them without reading anything from disk at run time.
# Sets INFINITY_SYNC_WEB_CPP to the generated source.
file(GLOB INFINITY_SYNC_WEB_FILES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/web/*)
set(INFINITY_SYNC_WEB_CPP ${CMAKE_CURRENT_BINARY_DIR}/generated/server/web_assets.cpp)
add_custom_command(
  OUTPUT ${INFINITY_SYNC_WEB_CPP}
  COMMAND ${CMAKE_COMMAND} -DOUT=${INFINITY_SYNC_WEB_CPP}
          "-DFILES=${INFINITY_SYNC_WEB_FILES}"
          -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/embed_files.cmake
  DEPENDS ${INFINITY_SYNC_WEB_FILES} ${CMAKE_CURRENT_SOURCE_DIR}/cmake/embed_files.cmake
  COMMENT "Embedding the dashboard (web/)"
  VERBATIM)
