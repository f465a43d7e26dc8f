#!/usr/bin/env bash
# Builds and runs tests/consumer/main.cpp the two ways another project uses ddb:
#
#   run.sh find_package WORK CXX BUILD_DIR [SANITIZE]
#     installs the library already built in BUILD_DIR (ddb's own build tree) to WORK/prefix,
#     checks the installed tree holds only public headers, then builds the consumer with
#     find_package(ddb) against that prefix; SANITIZE is the build's DDB_SANITIZE, since a
#     sanitized static library needs the sanitizer's runtime in the program that links it.
#   run.sh add_subdirectory WORK CXX SOURCE_DIR
#     builds the consumer with add_subdirectory(SOURCE_DIR): the library is compiled again,
#     Release, without developer options or sanitizers.
#
# CXX is the compiler of ddb's build. The consumer is built with Ninja in WORK/build, and must
# print the request it serialized and "consumer ok".
set -euo pipefail
mode=$1 work=$2 cxx=$3 dir=$4 sanitize=${5:-}
here=$(cd "$(dirname "$0")" && pwd)
unset CXXFLAGS LDFLAGS CPPFLAGS # nothing from the caller's environment
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p "$work"
flags=()
case $mode in
find_package)
  prefix=$work/prefix
  rm -rf "$prefix"
  ls "$dir"/libddb.a >/dev/null 2>&1 || fail "no libddb.a in $dir: build the ddb target first"
  cmake --install "$dir" --prefix "$prefix" >"$work/install.log"
  # Only the public headers: nothing from src/ (OpenSSL, simdjson and zlib stay behind the library).
  [ -n "$(find "$prefix" -path '*/cmake/ddb/ddbConfig.cmake')" ] || fail "no ddbConfig.cmake installed"
  stray=$(cd "$prefix" && find . -name '*.hpp' ! -path './include/ddb/*' || true)
  [ -z "$stray" ] || fail "headers installed outside include/ddb: $stray"
  for private in "$here"/../../src/*.hpp; do
    name=$(basename "$private")
    [ -z "$(find "$prefix" -name "$name")" ] || fail "private header $name was installed"
  done
  if grep -rlE '#include *[<"](simdjson|openssl/|zlib)' "$prefix/include" 2>/dev/null; then
    fail "an installed header includes a private dependency"
  fi
  flags+=(-DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=RelWithDebInfo)
  if [ -n "$sanitize" ]; then
    flags+=(-DCMAKE_CXX_FLAGS="-fsanitize=$sanitize -fno-omit-frame-pointer"
            -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=$sanitize")
  fi
  ;;
add_subdirectory)
  flags+=(-DDDB_SOURCE_DIR="$dir" -DCMAKE_BUILD_TYPE=Release)
  ;;
*)
  fail "unknown mode $mode (find_package | add_subdirectory)"
  ;;
esac

# --fresh: a new configuration every time, but objects already built are kept.
cmake --fresh -S "$here/$mode" -B "$work/build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" "${flags[@]}" \
  >"$work/configure.log" || { cat "$work/configure.log"; fail "configure"; }
cmake --build "$work/build" -j2 || fail "build"

# What the consumer's own compile read: none of the library's private dependencies.
object=$(ninja -C "$work/build" -t targets all | grep -o '^CMakeFiles/consumer\.dir/[^:]*main\.cpp\.o')
deps=$(ninja -C "$work/build" -t deps "$object")
[ -n "$deps" ] || fail "ninja recorded no dependencies for main.cpp"
if grep -iE 'simdjson|/openssl/|zlib\.h' <<<"$deps"; then fail "main.cpp needed the headers above"; fi

out=$("$work/build/consumer") || fail "the consumer exited with $?"
echo "$out"
grep -qF 'DynamoDB_20120810.PutItem {"TableName":"SingleTable"' <<<"$out" || fail "no PutItem body"
grep -qF '"PK":{"S":"USER#alice"}' <<<"$out" || fail "no typed partition key"
grep -qF '"SK":{"S":"GROUP#1"}' <<<"$out" || fail "no typed sort key"
grep -qF 'consumer ok' <<<"$out" || fail "no 'consumer ok'"
echo "consumer ($mode) ok"
