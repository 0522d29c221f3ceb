# Install rules and the .deb: the program, its man page (generated from
# --help), shell completions, systemd units and the cron example.
include(GNUInstallDirs)
set(INFINITY_SYNC_PKG_DIR ${CMAKE_CURRENT_LIST_DIR})

set(INFINITY_SYNC_MAN ${CMAKE_CURRENT_BINARY_DIR}/packaging/infinity-sync.1)
add_custom_command(
  OUTPUT ${INFINITY_SYNC_MAN}
  COMMAND ${CMAKE_COMMAND} -DPROGRAM=$<TARGET_FILE:infinity-sync> -DOUTPUT=${INFINITY_SYNC_MAN}
          -P ${INFINITY_SYNC_PKG_DIR}/ManPage.cmake
  DEPENDS infinity-sync ${INFINITY_SYNC_PKG_DIR}/ManPage.cmake
  COMMENT "Generating the man page from --help")
add_custom_target(infinity_sync_manpage ALL DEPENDS ${INFINITY_SYNC_MAN})

install(TARGETS infinity-sync RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${INFINITY_SYNC_MAN} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${INFINITY_SYNC_PKG_DIR}/completions/infinity-sync.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME infinity-sync)
install(FILES ${INFINITY_SYNC_PKG_DIR}/completions/_infinity-sync
        DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${INFINITY_SYNC_PKG_DIR}/completions/infinity-sync.fish
        DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
# ExecStart names the program without a folder: systemd finds it in /usr/bin
# or /usr/local/bin, so the same units serve the .deb and `cmake --install`.
install(FILES ${INFINITY_SYNC_PKG_DIR}/systemd/infinity-sync.service
              ${INFINITY_SYNC_PKG_DIR}/systemd/infinity-sync-run.service
              ${INFINITY_SYNC_PKG_DIR}/systemd/infinity-sync-run.timer
        DESTINATION lib/systemd/system)
install(FILES ${INFINITY_SYNC_PKG_DIR}/cron.example
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_PACKAGE_NAME infinity-sync)
set(CPACK_PACKAGE_VENDOR "infinity-sync")
set(CPACK_PACKAGE_CONTACT "infinity-sync maintainers <maintainers@infinity-sync.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "checks that git, docker compose, Cloud Run and Cloudflare agree with your checkout")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # Depends from the linked Debian libraries
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "git, ca-certificates")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "docker.io | docker-ce, google-cloud-cli, gh")
set(CPACK_GENERATOR DEB)
include(CPack)
