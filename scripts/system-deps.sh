#!/usr/bin/env bash
# Install what a fresh Debian machine lacks for vnopinion: Java 17+ and Maven (to fetch and
# run the local Elasticsearch node). With --with-compose, also Debian's docker-compose when a
# docker CLI without the compose plugin is present (the tests then validate docker-compose.yml).
# With --with-browser, Debian's chromium and chromium-driver (the dashboard's browser tests and
# the report's PDF). With --with-redis, Debian's redis-server (the scale-out test and benchmark
# start their own; production crawlers share one: README, "Scale-out").
set -euo pipefail

with_compose=false
with_browser=false
with_redis=false
for flag in "$@"; do
  case "$flag" in
    --with-compose) with_compose=true ;;
    --with-browser) with_browser=true ;;
    --with-redis) with_redis=true ;;
    *) echo "system-deps: unknown option $flag" >&2; exit 2 ;;
  esac
done

java_major() {
  command -v java >/dev/null 2>&1 || { echo 0; return; }
  java -version 2>&1 | sed -nE '1s/.*version "([0-9]+).*/\1/p' | head -n1
}

packages=()
major=$(java_major)
if [[ -z "$major" || "$major" -lt 17 ]]; then
  # Any installed JDK >= 17 will do; vnopinion also looks in /usr/lib/jvm.
  if ! ls -d /usr/lib/jvm/*-1[7-9]* /usr/lib/jvm/*-2[0-9]* >/dev/null 2>&1; then
    packages+=(openjdk-17-jre-headless)
  fi
fi
command -v mvn >/dev/null 2>&1 || packages+=(maven)
if $with_compose && command -v docker >/dev/null 2>&1 \
   && ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null 2>&1; then
  packages+=(docker-compose)
fi
if $with_browser; then
  command -v chromium >/dev/null 2>&1 || packages+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || packages+=(chromium-driver)
fi
if $with_redis; then
  command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
fi

if [[ ${#packages[@]} -eq 0 ]]; then
  echo "system-deps: everything asked for is present."
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "system-deps: please install: ${packages[*]} (e.g. sudo apt-get install ${packages[*]})" >&2
  exit 1
fi
echo "system-deps: installing ${packages[*]} from Debian"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${packages[@]}"
