#!/bin/sh
# Creates Mosquitto's dynamic security file with one admin client, unless it exists.
#
#   init-dynsec.sh <dynsec-json-path> <admin-user> [admin-password]
#
# The password may also come from $MQTT_ADMIN_PASSWORD (better: it stays out of `ps`).
# The admin client gets dynsec's `admin` role: it may manage users and roles over
# $CONTROL/dynamic-security/v1 and subscribe to everything. tonari connects as this user
# (MQTT_URL) and, with MQTT_DYNSEC=true, gives it the `tonari-server` role itself.
#
# POSIX sh on purpose: it also runs in the busybox-based eclipse-mosquitto image
# (docker-compose.yml, service mosquitto-init). Needs mosquitto_ctrl (Debian: mosquitto-clients).
# An existing file is never touched: it holds every device's credentials.
set -eu

if [ "$#" -lt 2 ] || [ "$#" -gt 3 ]; then
  echo "usage: $0 <dynsec-json-path> <admin-user> [admin-password]" >&2
  exit 2
fi
file=$1
user=$2
password=${3:-${MQTT_ADMIN_PASSWORD:-}}

if [ -e "$file" ]; then
  echo "init-dynsec: $file already exists, leaving it as it is"
  exit 0
fi
if [ -z "$password" ]; then
  # mosquitto_ctrl would otherwise prompt for it, which hangs without a terminal.
  echo "init-dynsec: no admin password: pass it as third argument or set MQTT_ADMIN_PASSWORD" >&2
  exit 2
fi
if ! command -v mosquitto_ctrl >/dev/null 2>&1; then
  echo "init-dynsec: mosquitto_ctrl not found (Debian package mosquitto-clients)" >&2
  exit 1
fi

dir=$(dirname "$file")
mkdir -p "$dir"
# The file holds password hashes: not for other users' eyes.
umask 077
mosquitto_ctrl dynsec init "$file" "$user" "$password" >/dev/null

# The broker drops root and runs as `mosquitto`; it rewrites this file (via a temporary
# file beside it) after every change, so it needs both the file and its directory.
if id mosquitto >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  chown mosquitto "$file" "$dir"
fi
echo "init-dynsec: created $file with admin client '$user'"
