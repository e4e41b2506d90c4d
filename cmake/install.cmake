# Installing dabba, and its Debian package.
#
#   cmake --install build --strip            # /usr/local/bin/dabba, /usr/local/share/doc/dabba/
#   cpack --config build/CPackConfig.cmake   # dabba_<version>_amd64.deb (+ a -dbgsym .ddeb)
#
# Paths follow GNUInstallDirs (a distribution's packaging can move them with the usual
# CMAKE_INSTALL_* variables). The package installs under /usr, as Debian packages do; a plain
# `cmake --install` under CMAKE_INSTALL_PREFIX (/usr/local by default), so the two never
# overwrite each other. Shell completion: CLI11 2.1 cannot generate any, and it is not written
# by hand here (it would drift from the CLI definitions).
include(GNUInstallDirs)

install(TARGETS dabba RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The -d supervisor's program, found from dabba as ../libexec/dabba/ (runner/supervisor.h), where
# podman keeps conmon.
install(TARGETS dabba-supervise RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/dabba)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}
        FILES_MATCHING PATTERN "*.md")

# --- Debian package (CPack DEB) ---------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME dabba)
set(CPACK_PACKAGE_VENDOR dabba)
set(CPACK_PACKAGE_CONTACT "dabba maintainers <dabba@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "rootless container tool, a drop-in for podman")
set(CPACK_PACKAGE_DESCRIPTION
    "dabba pulls OCI and Docker images into a content-addressed store and runs containers in
user namespaces on the kernel's OverlayFS, networked by slirp4netns, as an ordinary user.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # dabba_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
# zstd, not xz: packing the ~100 MB of debug symbols takes seconds instead of minutes; the .deb is
# ~1.1 MB instead of ~0.85 MB. dpkg reads zstd since 1.21.18 (Debian 12, Ubuntu 22.04).
set(CPACK_DEBIAN_COMPRESSION_TYPE zstd)
# Split debug: the .deb's binary is stripped; its symbols go to dabba-dbgsym_<version>_<arch>.ddeb
# (installable beside it, for gdb and crash reports).
set(CPACK_DEBIAN_DEBUGINFO_PACKAGE ON)
# Library dependencies come from dpkg-shlibdeps (dpkg-dev) when it is there. libcurl is not
# linked (registry/curl_loader.cc opens it on first use), so shlibdeps cannot see it: named here,
# with the oldest version that has every function dabba calls. uidmap gives newuidmap/newgidmap
# (the /etc/subuid ranges); slirp4netns is the default network.
find_program(DABBA_DPKG_SHLIBDEPS dpkg-shlibdeps)
find_program(DABBA_FILE_PROGRAM file)
if(DABBA_DPKG_SHLIBDEPS AND DABBA_FILE_PROGRAM)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
endif()
set(CPACK_DEBIAN_PACKAGE_DEPENDS "uidmap, slirp4netns, libcurl4 (>= 7.71)")
# Optional: CA certificates for HTTPS registries (a local plain-HTTP registry needs none), and
# podman's network backend and DNS server for the networks of `network create` (docs/network.md).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "ca-certificates, netavark, aardvark-dns")
include(CPack)
