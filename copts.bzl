"""Compiler options for yubin's own code: the one place warnings are set."""

# Warnings are errors in project code. Third-party and system code is not
# compiled by this workspace, so these apply to everything we build.
YUBIN_COPTS = [
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wshadow",
    "-Wnon-virtual-dtor",
    "-Wformat=2",
    "-Wno-unused-parameter",
    # Designated initializers may leave members at their defaults.
    "-Wno-missing-field-initializers",
]

# Fuzz targets are built with clang and libFuzzer (bazel build --config=fuzz).
YUBIN_FUZZ_COPTS = YUBIN_COPTS + ["-fsanitize=fuzzer,address"]
YUBIN_FUZZ_LINKOPTS = ["-fsanitize=fuzzer,address"]

def yubin_static_linkopts():
    """Link options for programs that start often or run many times over.

    A static binary starts without the dynamic loader and keeps its resident
    set small (no shared libstdc++ pages). Programs that look up users
    (getpwnam) must not use it: glibc's NSS needs the shared libraries.
    Sanitizer runtimes cannot be linked statically, so those builds link as
    usual.
    """
    return select({
        "//:asan_build": [],
        "//:ubsan_build": [],
        "//:fuzz_build": [],
        "//conditions:default": ["-static"],
    })

def yubin_nss_linkopts():
    """Link options for programs that start often and look up users or names.

    glibc stays shared: its NSS modules (systemd, ldap, sss) load only into a
    dynamically linked program, and a static one crashes when nsswitch.conf
    names them. libstdc++ and libgcc are linked in statically, which halves
    the start-up cost: the loader no longer relocates thousands of libstdc++
    symbols (full RELRO binds them all at start) nor runs libgcc's CPU probe.
    The trailing --as-needed drops the shared libstdc++ the toolchain names
    after these options. Sanitizer builds link as usual.
    """
    return select({
        "//:asan_build": [],
        "//:ubsan_build": [],
        "//:fuzz_build": [],
        "//conditions:default": [
            "-Wl,-Bstatic",
            "-lstdc++",
            "-Wl,-Bdynamic",
            "-static-libgcc",
            "-Wl,--as-needed",
        ],
    })

def yubin_fuzz_target(name, srcs, deps = []):
    """A libFuzzer target: bazel build --config=fuzz //pkg:name, then run it.

    Tagged "fuzz" (tools/test gives each one a short run) and "manual" (so a
    plain `bazel test //...` with gcc skips it).
    """
    native.cc_binary(
        name = name,
        srcs = srcs,
        copts = YUBIN_FUZZ_COPTS,
        linkopts = YUBIN_FUZZ_LINKOPTS,
        tags = ["fuzz", "manual"],
        deps = deps,
    )
