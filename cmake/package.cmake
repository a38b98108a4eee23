# `make package`: a Debian package of ponte as a service (CPack). It holds the binary, the
# systemd unit (own user, /etc/ponte/ponte.toml, state in /var/lib/ponte, Type=notify), the
# sysusers entry that creates the user, a man page generated from --help (help2man) and bash
# completion. docs/deploy.md explains install, upgrade, backup and the runbook.

include(GNUInstallDirs)
install(TARGETS ponte RUNTIME DESTINATION bin)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/ponte.service DESTINATION lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/ponte.sysusers DESTINATION lib/sysusers.d RENAME ponte.conf)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/ponte.toml DESTINATION /etc/ponte)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/ponte.bash-completion
        DESTINATION share/bash-completion/completions RENAME ponte)
install(FILES ${PROJECT_SOURCE_DIR}/docs/deploy.md ${PROJECT_SOURCE_DIR}/docs/config.md
        ${PROJECT_SOURCE_DIR}/SECURITY.md ${PROJECT_SOURCE_DIR}/packaging/copyright DESTINATION share/doc/ponte)

# Who answers for the package (Maintainer, and the changelog's signature); a distributor
# building its own package sets its own.
set(PONTE_MAINTAINER "ponte maintainers <maintainers@ponte.example>" CACHE STRING
    "Maintainer of the .deb: \"Name <address>\"")
# A native package's changelog, in Debian's format, compressed as policy asks.
configure_file(${PROJECT_SOURCE_DIR}/packaging/changelog.in ${CMAKE_CURRENT_BINARY_DIR}/changelog @ONLY)
add_custom_command(
  OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/changelog.gz
  COMMAND gzip -9nc ${CMAKE_CURRENT_BINARY_DIR}/changelog > ${CMAKE_CURRENT_BINARY_DIR}/changelog.gz
  DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/changelog
  COMMENT "Compressing the package's changelog")
add_custom_target(ponte_changelog ALL DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/changelog.gz)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/changelog.gz DESTINATION share/doc/ponte)

# The man page is ponte's own --help, so it never disagrees with the binary.
find_program(HELP2MAN help2man)
if(HELP2MAN)
  set(PONTE_MAN ${CMAKE_CURRENT_BINARY_DIR}/ponte.1)
  add_custom_command(
    OUTPUT ${PONTE_MAN}.gz
    COMMAND ${HELP2MAN} --no-info --section=1 --name "keeps Ploomes and Milvus in sync"
            --output=${PONTE_MAN} $<TARGET_FILE:ponte>
    COMMAND gzip -9nf ${PONTE_MAN}
    DEPENDS ponte
    COMMENT "Generating the ponte(1) man page")
  add_custom_target(ponte_man ALL DEPENDS ${PONTE_MAN}.gz)
  install(FILES ${PONTE_MAN}.gz DESTINATION share/man/man1)
else()
  message(STATUS "help2man not found: the package will have no man page (scripts/install-deps installs it)")
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ponte)
set(CPACK_PACKAGE_VENDOR "ponte")
set(CPACK_PACKAGE_CONTACT "${PONTE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "integration hub that keeps Ploomes, Milvus and TOTVS ERPs in sync")
set(CPACK_PACKAGE_DESCRIPTION_FILE ${PROJECT_SOURCE_DIR}/packaging/description.txt)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, tzdata")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/packaging/postinst ${PROJECT_SOURCE_DIR}/packaging/conffiles)
set(CPACK_STRIP_FILES ON)
include(CPack)
