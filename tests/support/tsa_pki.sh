#!/usr/bin/env bash
# Makes the test PKI of tests/timestamp_cli.rs in $1 with Debian's openssl:
#   root.pem/key     root CA (RSA 2048)          other_root.pem  a second, unrelated root
#   tsa.pem/key      TSA, RSA, EKU timeStamping critical, issued by root
#   tsa_ec.pem/key   TSA, ECDSA P-256, same extensions
#   tsa_p384.pem/key TSA, ECDSA P-384, same extensions
#   expired.pem      TSA, key tsa.key, valid 2020-01-01 to 2020-02-01 only (`openssl ca`)
#   server.pem       key tsa.key, EKU serverAuth (not timeStamping)
set -euo pipefail
export TSA_DIR="$1"
here="$(cd "$(dirname "$0")" && pwd)"
cnf="$here/tsa_openssl.cnf"
cd "$TSA_DIR"
mkdir -p newcerts
: > index.txt
echo 1000 > ca.serial
echo 01 > tsa.serial
q() { "$@" 2>/dev/null >/dev/null || { echo "failed: $*" >&2; "$@"; }; }
q openssl req -config "$cnf" -x509 -newkey rsa:2048 -nodes -keyout root.key -out root.pem \
  -days 3650 -subj "/CN=cloudcase test root" -extensions root_ext
q openssl req -config "$cnf" -x509 -newkey rsa:2048 -nodes -keyout other_root.key -out other_root.pem \
  -days 3650 -subj "/CN=cloudcase test root" -extensions root_ext
q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out tsa.key
q openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out tsa_ec.key
q openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out tsa_p384.key
issue() { # name key subject extensions
  q openssl req -config "$cnf" -new -key "$2" -subj "/CN=$3" -out "$1.csr"
  q openssl x509 -req -in "$1.csr" -CA root.pem -CAkey root.key -CAcreateserial \
    -days 365 -sha256 -extfile "$cnf" -extensions "$4" -out "$1.pem"
}
issue tsa tsa.key "cloudcase test TSA" tsa_ext
issue tsa_ec tsa_ec.key "cloudcase test TSA (EC)" tsa_ext
issue tsa_p384 tsa_p384.key "cloudcase test TSA (P-384)" tsa_ext
issue server tsa.key "cloudcase test server" server_ext
q openssl req -config "$cnf" -new -key tsa.key -subj "/CN=cloudcase expired TSA" -out expired.csr
q openssl ca -config "$cnf" -batch -notext -startdate 20200101000000Z -enddate 20200201000000Z \
  -extensions tsa_ext -in expired.csr -out expired.pem
