#!/usr/bin/env bash
# Builds the Mach-O test fixtures in __fixtures__/binaries/macho/ on Linux,
# with Debian's LLVM 14 (packages clang-14, lld-14, llvm-14) and the
# hand-written .tbd stubs in scripts/fixtures/: no macOS SDK needed.
#
#   bash scripts/make-fixtures.sh           rebuild the committed fixtures
#   bash scripts/make-fixtures.sh --check   rebuild into a temp dir and compare
#                                           byte for byte with the committed ones
#
# Output is deterministic: no debug info, fixed file names (the ad-hoc code
# signature embeds the output's base name), lld's content-hashed LC_UUID.
# Another LLVM version gives different bytes, so the tools are pinned to 14.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
stubs="$here/fixtures"
dest="$root/__fixtures__/binaries/macho"

export LC_ALL=C ZERO_AR_DATE=1 SOURCE_DATE_EPOCH=0

mode=build
case "${1:-}" in
  '') ;;
  --check) mode=check ;;
  -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

# First of the candidates that exists and reports LLVM 14.
find_tool() {
  local t
  for t in "$@"; do
    if command -v "$t" >/dev/null 2>&1 && "$t" --version 2>&1 | grep -qE '(LLD|version) 14\.'; then
      command -v "$t"
      return 0
    fi
  done
  echo "make-fixtures: none of [$*] found at LLVM 14 (apt-get install clang-14 lld-14 llvm-14)" >&2
  return 1
}

CLANG="$(find_tool clang-14 clang)"
LD="$(find_tool ld64.lld-14 ld64.lld)"
LIPO="$(find_tool llvm-lipo-14 llvm-lipo)"
STRIP="$(find_tool llvm-strip-14 llvm-strip)"
command -v node >/dev/null || { echo "make-fixtures: node is needed for fat64.so" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
build="$work/build"
out="$work/out"
mkdir -p "$build" "$out"

# A stand-in for a torch extension's kernel: one parallel loop, the shape
# at::parallel_for takes when compiled with OpenMP. Without -fopenmp the
# pragma is ignored and no OpenMP symbol is referenced.
cat >"$build/kernel.c" <<'EOF'
#ifdef _OPENMP
int omp_get_max_threads(void);
#endif

/* A local (non-external) symbol, so that stripping has something to remove. */
__attribute__((noinline, used)) static float twice(float v) { return v * 2.0f; }

void scale(float *x, int n) {
#pragma omp parallel for
  for (int i = 0; i < n; i++) x[i] = twice(x[i]);
}

int threads(void) {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}
EOF

# No headers, no unwind tables (arm64 would get a 4 KiB __unwind_info), no debug info.
CFLAGS=(-O1 -nostdinc -ffreestanding -fno-asynchronous-unwind-tables -fno-unwind-tables -Wno-unknown-pragmas)

# compile TARGET OMP(yes|no) OBJ
compile() {
  local target="$1" omp="$2" obj="$3" extra=()
  [[ "$omp" == yes ]] && extra=(-fopenmp)
  (cd "$build" && "$CLANG" --target="$target" "${CFLAGS[@]}" "${extra[@]}" -c kernel.c -o "$obj")
}

# link NAME ARCH PLATFORM VERSION OBJ [ld args...]: writes $out/NAME.
# Linked in $build under its final name: the code signature records it.
link() {
  local name="$1" arch="$2" platform="$3" version="$4" obj="$5"
  shift 5
  (cd "$build" && "$LD" -arch "$arch" -platform_version "$platform" "$version" "$version" \
    -no_data_const -o "$name" "$obj" "$@")
  mv "$build/$name" "$out/$name"
}

sys="$stubs/libSystem.tbd"
omp="$stubs/libomp.tbd"
gomp="$stubs/libgomp.tbd"
cxx="$stubs/libc++.tbd"

compile arm64-apple-macos11 yes omp-arm64.o
compile arm64-apple-macos11 no noomp-arm64.o
compile x86_64-apple-macos10.15 yes omp-x86_64.o
compile arm64_32-apple-watchos5 yes omp-arm64_32.o

# ld64.lld 14 writes classic dyld-info binds only (no LC_DYLD_CHAINED_FIXUPS,
# no -fixup_chains): the chained-fixups reader is tested on crafted images.
link omp-arm64.so arm64 macos 11.0 omp-arm64.o -bundle "$omp" "$sys"
link omp-x86_64-classic.so x86_64 macos 10.15 omp-x86_64.o -bundle "$omp" "$sys"
link noomp-arm64.so arm64 macos 11.0 noomp-arm64.o -bundle "$sys"
link omp-dynamic-lookup-arm64.so arm64 macos 11.0 omp-arm64.o -bundle -undefined dynamic_lookup "$sys"
link libgomp-only-arm64.so arm64 macos 11.0 noomp-arm64.o -bundle -needed_library "$gomp" "$sys"
link omp-flat-x86_64.so x86_64 macos 10.15 omp-x86_64.o -bundle -flat_namespace "$omp" "$sys"
link omp-weak-x86_64.dylib x86_64 macos 10.15 omp-x86_64.o -dylib -install_name @rpath/libkernel.dylib \
  "$sys" -weak_library "$omp" -reexport_library "$cxx"
# 32-bit thin image (MH_MAGIC, 12-byte nlist): lld 14 has no i386 and
# can't link armv7 calls into dylibs, but arm64_32 (watchOS) works.
link omp-arm64_32.so arm64_32 watchos 5.0 omp-arm64_32.o -bundle "$omp" "$sys"

# Stripped variants: undefined imports must survive both.
"$STRIP" -x -o "$out/omp-arm64-strip-x.so" "$out/omp-arm64.so"
"$STRIP" -o "$out/omp-arm64-stripped.so" "$out/omp-arm64.so"

# Universal binaries. llvm-lipo 14 has no -fat64, so fat64.so is fat.so
# with its header rewritten to fat_header 0xcafebabf + fat_arch_64 entries;
# the slices keep their (page-aligned) offsets, so only the header changes.
"$LIPO" "$out/omp-arm64.so" "$out/omp-x86_64-classic.so" -create -output "$out/fat.so"
node - "$out/fat.so" "$out/fat64.so" <<'EOF'
const fs = require('node:fs')
const [src, dst] = process.argv.slice(2)
const buf = Buffer.from(fs.readFileSync(src))
if (buf.readUInt32BE(0) !== 0xcafebabe) throw new Error('not a 32-bit fat file')
const n = buf.readUInt32BE(4)
const head = Buffer.alloc(8 + 32 * n)
head.writeUInt32BE(0xcafebabf, 0)
head.writeUInt32BE(n, 4)
for (let i = 0; i < n; i++) {
  const a = 8 + 20 * i, b = 8 + 32 * i
  head.writeUInt32BE(buf.readUInt32BE(a), b)                      // cputype
  head.writeUInt32BE(buf.readUInt32BE(a + 4), b + 4)              // cpusubtype
  head.writeBigUInt64BE(BigInt(buf.readUInt32BE(a + 8)), b + 8)   // offset
  head.writeBigUInt64BE(BigInt(buf.readUInt32BE(a + 12)), b + 16) // size
  head.writeUInt32BE(buf.readUInt32BE(a + 16), b + 24)            // align
  if (buf.readUInt32BE(a + 8) < head.length) throw new Error('no room for the 64-bit header')
}
buf.fill(0, 0, head.length)
head.copy(buf, 0)
fs.writeFileSync(dst, buf)
EOF

fixtures=(
  omp-arm64.so omp-x86_64-classic.so noomp-arm64.so omp-dynamic-lookup-arm64.so
  libgomp-only-arm64.so omp-flat-x86_64.so omp-weak-x86_64.dylib omp-arm64_32.so
  omp-arm64-strip-x.so omp-arm64-stripped.so fat.so fat64.so
)

if [[ "$mode" == check ]]; then
  bad=()
  for f in "${fixtures[@]}"; do
    if [[ ! -f "$dest/$f" ]]; then
      bad+=("$f (not committed)")
    elif ! cmp -s "$out/$f" "$dest/$f"; then
      bad+=("$f (differs)")
    fi
  done
  if ((${#bad[@]})); then
    echo "make-fixtures --check: rebuilt fixtures differ from __fixtures__/binaries/macho:" >&2
    printf '  %s\n' "${bad[@]}" >&2
    exit 1
  fi
  echo "make-fixtures --check: all ${#fixtures[@]} Mach-O fixtures rebuild byte for byte"
  exit 0
fi

mkdir -p "$dest"
for f in "${fixtures[@]}"; do
  cp "$out/$f" "$dest/$f"
  chmod 0644 "$dest/$f" # the same mode whichever tool wrote it
  printf '%8d  %s\n' "$(wc -c <"$dest/$f")" "__fixtures__/binaries/macho/$f"
done
