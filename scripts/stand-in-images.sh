#!/usr/bin/env bash
# Builds local stand-ins for the four official base images docker-compose.yml uses,
# for machines that reach Debian's mirror but no image registry:
#
#   PYTHON_IMAGE  (python:3.11-slim)   Debian's python3 in a venv at /opt/python, first
#                                      on PATH, so `python` and `pip` are the venv's; it
#                                      trusts this machine's own certificate authorities
#                                      (/usr/local/share/ca-certificates), so pip in a
#                                      build gets through a TLS-inspecting proxy as the
#                                      machine does
#   REDIS_IMAGE   (redis:7-alpine)     redis-server and redis-cli, uid 999 in /data
#   NATS_IMAGE    (nats:2-alpine)      nats-server as the entrypoint, and wget
#   NGINX_IMAGE   (nginx:1.27-alpine)  nginx in the foreground, /var/cache/nginx, wget
#
# Each is Debian bookworm made with `debootstrap --variant=minbase`, its packages added
# with apt-get in a chroot, then `docker import`ed under a local tag with the official
# image's command, entrypoint, user and working directory as far as compose relies on
# them. A tag that already exists is kept, so only the first run builds (minutes);
# `docker rmi` a tag to build it again. Needs root and a running engine
# (scripts/docker-engine.sh).
#
# Prints the settings for compose on stdout, one NAME=tag a line:
#   env $(scripts/stand-in-images.sh) docker-compose up --build
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SUITE=bookworm
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
TAG_PREFIX=seat-booking-stand-in
PATH_IN_IMAGE=/opt/python/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# image NAME: the stand-in's tag.
image() { printf '%s/%s:%s' "$TAG_PREFIX" "$1" "$SUITE"; }

# packages NAME: what apt-get adds to the minimal base.
packages() {
  case "$1" in
    python) echo python3 python3-venv ;;
    redis) echo redis-server ;;
    nats) echo nats-server wget ;;
    nginx) echo nginx wget ;;
  esac
}

# finish_rootfs NAME DIR: the image-specific set-up inside the chroot.
finish_rootfs() {
  case "$1" in
    python)
      chroot "$2" python3 -m venv /opt/python
      if [ -d /usr/local/share/ca-certificates ]; then
        cp -r /usr/local/share/ca-certificates/. "$2/usr/local/share/ca-certificates/"
      fi
      chroot "$2" update-ca-certificates >/dev/null
      ;;
    redis) mkdir -p "$2/data" && chown 999:999 "$2/data" ;;
    nginx) mkdir -p "$2/var/cache/nginx" ;;
  esac
}

# changes NAME: the Dockerfile instructions `docker import --change` applies.
changes() {
  local common=("ENV PATH=$PATH_IN_IMAGE" "ENV LANG=C.UTF-8")
  case "$1" in
    python) printf '%s\n' "${common[@]}" 'CMD ["python3"]' ;;
    redis) printf '%s\n' "${common[@]}" "USER 999:999" "WORKDIR /data" 'CMD ["redis-server"]' ;;
    nats) printf '%s\n' "${common[@]}" 'ENTRYPOINT ["nats-server"]' ;;
    nginx) printf '%s\n' "${common[@]}" 'CMD ["nginx", "-g", "daemon off;"]' ;;
  esac
}

is_root || fail "building the stand-in images needs root (debootstrap, chroot)"
docker info >/dev/null 2>&1 || fail "no Docker engine answers; run scripts/docker-engine.sh"

missing=()
for name in python redis nats nginx; do
  docker image inspect "$(image "$name")" >/dev/null 2>&1 || missing+=("$name")
done

if [ "${#missing[@]}" -gt 0 ]; then
  command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap >&2
  work="$(mktemp -d /var/tmp/stand-in-images.XXXXXX)"
  proc_mount=""
  cleanup() {
    [ -z "$proc_mount" ] || umount "$proc_mount" || true
    rm -rf --one-file-system "$work"
  }
  trap cleanup EXIT
  say "debootstrap --variant=minbase $SUITE (a few minutes, once)" >&2
  debootstrap --variant=minbase "$SUITE" "$work/base" "$MIRROR" >"$work/debootstrap.log" 2>&1 ||
    { tail -n 20 "$work/debootstrap.log" >&2; fail "debootstrap failed"; }
  for name in "${missing[@]}"; do
    root="$work/$name"
    say "building $(image "$name"): $(packages "$name")" >&2
    cp -a "$work/base" "$root"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    # Packages must not start their services inside the chroot.
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d" && chmod +x "$root/usr/sbin/policy-rc.d"
    mount -t proc proc "$root/proc" && proc_mount="$root/proc"
    chroot "$root" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends $(packages "$name") >/dev/null" >&2
    finish_rootfs "$name" "$root"
    umount "$proc_mount" && proc_mount=""
    chroot "$root" apt-get clean
    rm -rf "$root/var/lib/apt/lists/"* "$root/usr/sbin/policy-rc.d"
    : >"$root/etc/resolv.conf"
    change_args=()
    while IFS= read -r change; do change_args+=(--change "$change"); done < <(changes "$name")
    tar -C "$root" --numeric-owner -c . | docker import "${change_args[@]}" - "$(image "$name")" >/dev/null
    rm -rf --one-file-system "$root"
  done
fi

for name in python redis nats nginx; do
  printf '%s_IMAGE=%s\n' "${name^^}" "$(image "$name")"
done
