# Installation layout and the Debian package (issue #18):
#   cmake --build build/default --target package    (or: cd build/default && cpack -G DEB)
# gives build/default/tcpsim_<version>_amd64.deb with tcpsim, tcpsim-gui, the
# catalogue in /usr/share/tcpsim/scenarios, man pages, bash completion, a
# .desktop entry and an icon. docs/packaging.md says how to build, check
# (lintian) and install it.
# `install`/cpack install what is built, without building all of it first
# (tests and benchmarks are not installed; the package test runs after the build).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)
install(TARGETS tcpsim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${TCPSIM_SOURCE_DIR}/scenarios/ DESTINATION ${CMAKE_INSTALL_DATADIR}/tcpsim/scenarios
        FILES_MATCHING PATTERN "*.yaml" PATTERN "README.md")
install(FILES ${TCPSIM_SOURCE_DIR}/assets/completion/tcpsim.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME tcpsim)
# The completion file completes tcpsim-gui too; bash-completion looks a
# command's file up by its name, so tcpsim-gui gets a link to the same file.
install(CODE "file(CREATE_LINK tcpsim \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DATADIR}/bash-completion/completions/tcpsim-gui\" SYMBOLIC)")

# Man pages, compressed as Debian policy wants (gzip -9n: no name, no time).
find_program(GZIP_EXECUTABLE gzip REQUIRED)
foreach(_page tcpsim.1 tcpsim-gui.1)
  add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/man/${_page}.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
    COMMAND ${GZIP_EXECUTABLE} -9n -c ${TCPSIM_SOURCE_DIR}/docs/man/${_page} > ${CMAKE_BINARY_DIR}/man/${_page}.gz
    DEPENDS ${TCPSIM_SOURCE_DIR}/docs/man/${_page} VERBATIM)
  list(APPEND _man_gz ${CMAKE_BINARY_DIR}/man/${_page}.gz)
endforeach()
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/packaging/changelog.gz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging
  COMMAND ${GZIP_EXECUTABLE} -9n -c ${TCPSIM_SOURCE_DIR}/packaging/changelog > ${CMAKE_BINARY_DIR}/packaging/changelog.gz
  DEPENDS ${TCPSIM_SOURCE_DIR}/packaging/changelog VERBATIM)
add_custom_target(tcpsim_package_files ALL DEPENDS ${_man_gz} ${CMAKE_BINARY_DIR}/packaging/changelog.gz)
if(TCPSIM_BUILD_GUI)
  install(FILES ${CMAKE_BINARY_DIR}/man/tcpsim.1.gz ${CMAKE_BINARY_DIR}/man/tcpsim-gui.1.gz
          DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
  install(FILES ${TCPSIM_SOURCE_DIR}/assets/desktop/tcpsim-gui.desktop
          DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  install(FILES ${TCPSIM_SOURCE_DIR}/assets/icons/tcpsim.svg
          DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
else()
  install(FILES ${CMAKE_BINARY_DIR}/man/tcpsim.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()
install(FILES ${TCPSIM_SOURCE_DIR}/packaging/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})
# A native package (version without a Debian revision): changelog.gz.
install(FILES ${CMAKE_BINARY_DIR}/packaging/changelog.gz DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "tcpsim")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "the tcpsim developers <tcpsim@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "TCP state-machine simulator faithful to Linux, for teaching")
# The synopsis is CPACK_PACKAGE_DESCRIPTION_SUMMARY; this is the long text only.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "tcpsim runs scripted scenarios (hosts, links, processes calling the socket
 API, faults) through a deterministic model of Linux TCP and shows every state
 change, segment, timer and call. tcpsim-gui draws both endpoints' state
 diagrams and the packet timeline, stepped forward and back, in English and
 Simplified Chinese; tcpsim runs, checks and exports scenarios. The catalogue
 of classic close and reset cases (CLOSE_WAIT, TIME_WAIT, RST, SIGPIPE) comes
 with lessons.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)       # tcpsim_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.org/tcpsim")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)         # Depends: from dpkg-shlibdeps, plus:
# the X11/Wayland platform plugins and the fonts the pictures are drawn with
# (Chinese labels need a CJK font), which no library link reveals.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-qpa-plugins, fonts-dejavu-core, fonts-wqy-microhei")
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_SET_DESTDIR OFF)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_PACKAGE_DIRECTORY "${CMAKE_BINARY_DIR}/package")
include(CPack)
