# Install rules and the .deb: the program, its man page (generated from
# --help), shell completions, systemd units, the configuration in
# /etc/infinity-sync, the cron example, and Debian's copyright, changelog and
# maintainer scripts (packaging/debian/).
include(GNUInstallDirs)
set(INFINITY_SYNC_PKG_DIR ${CMAKE_CURRENT_LIST_DIR})

set(INFINITY_SYNC_MAN ${CMAKE_CURRENT_BINARY_DIR}/packaging/infinity-sync.1)
add_custom_command(
  OUTPUT ${INFINITY_SYNC_MAN}
  COMMAND ${CMAKE_COMMAND} -DPROGRAM=$<TARGET_FILE:infinity-sync> -DOUTPUT=${INFINITY_SYNC_MAN}
          -P ${INFINITY_SYNC_PKG_DIR}/ManPage.cmake
  DEPENDS infinity-sync ${INFINITY_SYNC_PKG_DIR}/ManPage.cmake ${INFINITY_SYNC_PKG_DIR}/man/description.roff
          ${INFINITY_SYNC_PKG_DIR}/man/sections.roff
  COMMENT "Generating the man page from --help")
# Debian ships man pages and the changelog compressed (gzip -9n: no name or
# time stamp, so the same input gives the same package).
set(INFINITY_SYNC_CHANGELOG ${CMAKE_CURRENT_BINARY_DIR}/packaging/changelog)
add_custom_command(
  OUTPUT ${INFINITY_SYNC_MAN}.gz
  COMMAND gzip -9nkf ${INFINITY_SYNC_MAN}
  DEPENDS ${INFINITY_SYNC_MAN})
add_custom_command(
  OUTPUT ${INFINITY_SYNC_CHANGELOG}.gz
  COMMAND ${CMAKE_COMMAND} -E copy ${INFINITY_SYNC_PKG_DIR}/debian/changelog ${INFINITY_SYNC_CHANGELOG}
  COMMAND gzip -9nf ${INFINITY_SYNC_CHANGELOG}
  DEPENDS ${INFINITY_SYNC_PKG_DIR}/debian/changelog)
add_custom_target(infinity_sync_manpage ALL DEPENDS ${INFINITY_SYNC_MAN}.gz
                                                    ${INFINITY_SYNC_CHANGELOG}.gz)

install(TARGETS infinity-sync RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${INFINITY_SYNC_MAN}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
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
install(FILES ${INFINITY_SYNC_PKG_DIR}/cron.example ${INFINITY_SYNC_PKG_DIR}/debian/copyright
              ${INFINITY_SYNC_CHANGELOG}.gz
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${INFINITY_SYNC_PKG_DIR}/prometheus/infinity-sync.rules.yml
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
# The units read /etc/infinity-sync/infinity-sync.yaml whatever the prefix, so
# the file goes there (a conffile of the .deb: dpkg keeps local edits).
install(FILES ${INFINITY_SYNC_PKG_DIR}/infinity-sync.yaml DESTINATION /etc/infinity-sync)

set(CPACK_PACKAGE_NAME infinity-sync)
set(CPACK_PACKAGE_VENDOR "infinity-sync")
set(CPACK_PACKAGE_CONTACT "infinity-sync maintainers <maintainers@infinity-sync.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "checks that git, compose, Cloud Run and Cloudflare match your checkout")
# Debian: a synopsis under 80 characters, description lines under 80.
set(CPACK_PACKAGE_DESCRIPTION
    "infinity-sync runs its checks in parallel, each under a deadline, prints
a report, writes a JSON status document and exits with a code scripts can
use: the git checkout against its remote, the docker compose stack against
its compose files, the Cloud Run service against the deployed commit, and
the domain behind Cloudflare. Its server (infinity-sync.service) offers a
REST API, a dashboard, Prometheus metrics and a live sync loop, and keeps
history in SQLite.")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # Depends from the linked Debian libraries
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")  # postinst creates the system user
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${INFINITY_SYNC_PKG_DIR}/debian/conffiles ${INFINITY_SYNC_PKG_DIR}/debian/postinst
    ${INFINITY_SYNC_PKG_DIR}/debian/prerm ${INFINITY_SYNC_PKG_DIR}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
                                                GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "git, ca-certificates")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "docker.io | docker-ce, google-cloud-cli, gh")
set(CPACK_GENERATOR DEB)
include(CPack)
