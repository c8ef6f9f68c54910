#!/usr/bin/env bash
# The Python consumer test uses Debian's python3-jsonschema with the system
# python (/usr/bin/python3), not whatever python3 is first on PATH.
set -euo pipefail
if /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "python3-jsonschema is missing; install it with: sudo apt-get install -y python3-jsonschema" >&2
  exit 1
fi
echo "Installing python3-jsonschema (Debian package) ..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq python3-jsonschema >/dev/null
/usr/bin/python3 -c 'import jsonschema'
