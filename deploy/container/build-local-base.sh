#!/usr/bin/env bash
# Makes the two base images usher's Dockerfile can build FROM where no container registry is
# reachable (CI, and the container test, ContainerImageIT, build this way):
#
#   localhost/usher-build-base:25    Debian (debootstrap, minbase) + this machine's JDK 25:
#                                    stands in for eclipse-temurin:25-jdk in the build stage.
#   localhost/usher-runtime-base:25  Debian (debootstrap, minbase) + a JRE linked from that JDK
#                                    with the module set of a JRE (no javac, no jshell):
#                                    stands in for eclipse-temurin:25-jre in the final stage.
#
# Then build the image with
#   podman build --format docker \
#     --build-arg BUILD_IMAGE=localhost/usher-build-base:25 \
#     --build-arg RUNTIME_IMAGE=localhost/usher-runtime-base:25 -t usher:local .
#
# Usage: deploy/container/build-local-base.sh [--force]
#   --force  rebuild images that already exist (otherwise an existing image is kept).
# Environment:
#   USHER_BASE_JDK     the JDK 25 to copy in (default /usr/lib/jvm/temurin-25-jdk-amd64)
#   USHER_BASE_SUITE   the Debian release to bootstrap (default bookworm)
#   USHER_BASE_MIRROR  a Debian mirror for debootstrap (default: debootstrap's own)
#   CONTAINERS_CONF    podman's settings (default: deploy/container/containers.conf beside this script)
# Needs root and the Debian packages podman, runc and debootstrap.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jdk="${USHER_BASE_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}"
suite="${USHER_BASE_SUITE:-bookworm}"
mirror="${USHER_BASE_MIRROR:-}"
build_image="localhost/usher-build-base:25"
runtime_image="localhost/usher-runtime-base:25"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/containers.conf}"

force=false
case "${1:-}" in
  --force) force=true ;;
  "") ;;
  *) echo "usage: $0 [--force]" >&2; exit 2 ;;
esac

die() { echo "build-local-base: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "debootstrap needs root"
command -v podman >/dev/null || die "podman is missing: apt-get install podman runc"
command -v debootstrap >/dev/null || die "debootstrap is missing: apt-get install debootstrap"
[[ -x "$jdk/bin/jlink" ]] || die "no JDK at $jdk (set USHER_BASE_JDK to a JDK 25)"
"$jdk/bin/java" -version 2>&1 | grep -q 'version "25' || die "$jdk is not a JDK 25"

exists() { podman image exists "$1"; }
if ! $force && exists "$build_image" && exists "$runtime_image"; then
  echo "build-local-base: $build_image and $runtime_image exist (--force rebuilds them)"
  exit 0
fi

work="$(mktemp -d /var/tmp/usher-base.XXXXXX)"
trap 'rm -rf "$work"' EXIT

echo "build-local-base: debootstrap --variant=minbase $suite"
# shellcheck disable=SC2086 # an empty mirror means debootstrap's default
debootstrap --variant=minbase "$suite" "$work/rootfs" $mirror >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed (log above)"; }
# What a container never uses: package caches, documentation, manuals.
rm -rf "$work/rootfs"/var/cache/apt/archives/*.deb "$work/rootfs"/var/lib/apt/lists/* \
  "$work/rootfs"/usr/share/doc/* "$work/rootfs"/usr/share/man/* "$work/rootfs"/usr/share/info/*

# The module set of a JRE: Java SE plus the JDK modules a server uses at run time (crypto, JFR,
# management, jcmd, DNS, locales), without the development tools.
jre_modules="java.se,jdk.unsupported,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.charsets,jdk.localedata"
jre_modules+=",jdk.net,jdk.naming.dns,jdk.zipfs,jdk.httpserver,jdk.sctp,jdk.nio.mapmode"
jre_modules+=",jdk.security.auth,jdk.security.jgss,jdk.jfr,jdk.management,jdk.management.jfr"
jre_modules+=",jdk.management.agent,jdk.attach,jdk.jcmd,jdk.jdwp.agent"

import_image() { # image, java home inside the rootfs copy, description
  local image="$1" rootfs="$2" description="$3"
  echo "build-local-base: importing $image"
  tar -C "$rootfs" -c . | podman import \
    --change "ENV JAVA_HOME=/opt/java/openjdk" \
    --change "ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change "ENV LANG=C.UTF-8" \
    --change "LABEL org.opencontainers.image.description=\"$description\"" \
    --quiet --message "$description" - "$image" >/dev/null
}

if $force || ! exists "$build_image"; then
  cp -a "$work/rootfs" "$work/build"
  mkdir -p "$work/build/opt/java"
  # -L: a JDK installed from a Debian package links lib/security/cacerts to /etc/ssl/certs/java,
  # which the image does not have; copy the files the links point to.
  cp -a -L "$jdk" "$work/build/opt/java/openjdk"
  import_image "$build_image" "$work/build" "usher local build base: Debian $suite minbase and JDK 25"
  rm -rf "$work/build"
fi

if $force || ! exists "$runtime_image"; then
  cp -a "$work/rootfs" "$work/runtime"
  mkdir -p "$work/runtime/opt/java"
  "$jdk/bin/jlink" --add-modules "$jre_modules" --strip-debug --no-man-pages --no-header-files \
    --output "$work/runtime/opt/java/openjdk"
  import_image "$runtime_image" "$work/runtime" "usher local runtime base: Debian $suite minbase and a JRE 25"
  rm -rf "$work/runtime"
fi

podman image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E '^localhost/usher-(build|runtime)-base:25 '
