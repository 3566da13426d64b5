#!/usr/bin/env bash
# Makes a CA and certificates signed by it, for mutual TLS between a manager
# server and its clients (README, "TLS between machines").
#
#   scripts/make_certs.sh DIR [NAME...]     default names: server client
#
# DIR gets ca.pem and ca.key, and NAME.pem / NAME.key for each name. Keys are
# mode 0600. The CA key signs only here: keep it off the serving machines.
set -euo pipefail
dir=$1
shift
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(server client)
mkdir -p "$dir"
umask 077
openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=mpactor test CA" \
  -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
for name in "${names[@]}"; do
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$name" \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -CAcreateserial -days 365 -out "$dir/$name.pem" 2>/dev/null
  rm -f "$dir/$name.csr"
done
echo "certificates in $dir: ca.pem ${names[*]/%/.pem}"
