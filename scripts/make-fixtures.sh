#!/usr/bin/env bash
# Builds the binary test fixtures on Linux (Debian 12):
#   __fixtures__/binaries/macho/  with Debian's LLVM 14 (clang-14, lld-14,
#       llvm-14), ld64.lld-16 (lld-16) for chained fixups, and the
#       hand-written .tbd stubs in scripts/fixtures/: no macOS SDK needed;
#   __fixtures__/binaries/elf/    with gcc 12 + binutils 2.40 for x86_64 and
#       i386, clang-14 + ld.lld-14 for aarch64 and the big-endian targets.
#
#   bash scripts/make-fixtures.sh           rebuild the committed fixtures
#   bash scripts/make-fixtures.sh --check   rebuild into a temp dir and compare
#                                           byte for byte with the committed ones
#
# Output is deterministic: no debug info, sources compiled by relative name
# in the build dir (plus -ffile-prefix-map), fixed output names (the ad-hoc
# code signature embeds the output's base name), content-hashed LC_UUID and
# build-id. Other tool versions give other bytes, so the versions are pinned.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
stubs="$here/fixtures"
dest="$root/__fixtures__/binaries"

export LC_ALL=C ZERO_AR_DATE=1 SOURCE_DATE_EPOCH=0

mode=build
case "${1:-}" in
  '') ;;
  --check) mode=check ;;
  -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

# find_tool VERSION-REGEX HINT CANDIDATE...: the first candidate that exists
# and whose --version matches.
find_tool() {
  local want="$1" hint="$2" t
  shift 2
  for t in "$@"; do
    if command -v "$t" >/dev/null 2>&1 && "$t" --version 2>&1 | grep -qE "$want"; then
      command -v "$t"
      return 0
    fi
  done
  echo "make-fixtures: none of [$*] found at the pinned version ($want); $hint" >&2
  return 1
}

llvm14='(LLD|version) 14\.'
CLANG="$(find_tool "$llvm14" 'apt-get install clang-14' clang-14 clang)"
LD="$(find_tool "$llvm14" 'apt-get install lld-14' ld64.lld-14 ld64.lld)"
ELFLD="$(find_tool "$llvm14" 'apt-get install lld-14' ld.lld-14 ld.lld)"
LIPO="$(find_tool "$llvm14" 'apt-get install llvm-14' llvm-lipo-14 llvm-lipo)"
STRIP="$(find_tool "$llvm14" 'apt-get install llvm-14' llvm-strip-14 llvm-strip)"
OBJCOPY="$(find_tool "$llvm14" 'apt-get install llvm-14' llvm-objcopy-14 llvm-objcopy)"
# ld64.lld 14 can't write chained fixups; 16 can (-fixup_chains). Only the
# linker is 16: the objects still come from clang-14.
LD16="$(find_tool 'LLD 16\.' 'apt-get install lld-16' ld64.lld-16)"
GCC="$(find_tool ' 12\.2\.' 'Debian 12 gcc (apt-get install gcc)' gcc-12 gcc)"
BINUTILS_LD="$(find_tool 'Binutils.* 2\.40' 'Debian 12 binutils' ld)"
GNU_STRIP="$(find_tool 'Binutils.* 2\.40' 'Debian 12 binutils' strip)"
[[ -e /usr/lib/llvm-14/lib/libomp.so ]] || { echo "make-fixtures: /usr/lib/llvm-14/lib/libomp.so is missing (apt-get install libomp-14-dev)" >&2; exit 1; }
: "$BINUTILS_LD" # gcc runs the ld it was configured with; checked so a newer binutils fails here, not in --check
command -v node >/dev/null || { echo "make-fixtures: node is needed for fat64.so" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
build="$work/build"
out="$work/out/macho"
elfout="$work/out/elf"
mkdir -p "$build" "$out" "$elfout"

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

# ld64.lld 14 writes classic dyld-info binds only; the chained-fixups
# images below are linked by ld64.lld 16.
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
# A second libomp next to torch's: Homebrew's, by absolute install name.
link omp-homebrew-arm64.so arm64 macos 11.0 omp-arm64.o -bundle "$stubs/libomp-homebrew.tbd" "$sys"

# Chained fixups (LC_DYLD_CHAINED_FIXUPS + LC_DYLD_EXPORTS_TRIE, no dyld
# info), as Xcode 13+ links for macOS 12+: ld64.lld 16 with -fixup_chains.
LD="$LD16" link omp-arm64-chained.so arm64 macos 12.0 omp-arm64.o -fixup_chains -bundle "$omp" "$sys"
LD="$LD16" link omp-dynamic-lookup-arm64-chained.so arm64 macos 12.0 omp-arm64.o -fixup_chains -bundle -undefined dynamic_lookup "$sys"

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


macho_fixtures=(
  omp-arm64.so omp-x86_64-classic.so noomp-arm64.so omp-dynamic-lookup-arm64.so
  libgomp-only-arm64.so omp-flat-x86_64.so omp-weak-x86_64.dylib omp-arm64_32.so
  omp-arm64-strip-x.so omp-arm64-stripped.so fat.so fat64.so
  omp-homebrew-arm64.so omp-arm64-chained.so omp-dynamic-lookup-arm64-chained.so
)

# ------------------------------------------------------------------- ELF

# The same kernel, as gcc -fopenmp compiles it, written out by hand for the
# targets Debian has no gcc for (aarch64, mips): the loop body moves to a
# local function named as gcc names it (asm label "scale._omp_fn.0") and the
# loop starts a team through GOMP_parallel, splitting the range by thread.
cat >"$build/kernel-gomp.c" <<'EOF'
void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
int omp_get_num_threads(void);
int omp_get_thread_num(void);
int omp_get_max_threads(void);

struct scale_data { float *x; int n; };

__attribute__((noinline, used)) static float twice(float v) { return v * 2.0f; }

static void scale_omp_fn_0(void *p) __asm__("scale._omp_fn.0");
static void scale_omp_fn_0(void *p) {
  struct scale_data *d = p;
  int nth = omp_get_num_threads(), tid = omp_get_thread_num();
  int chunk = d->n / nth, rest = d->n % nth;
  if (tid < rest) { chunk++; rest = 0; }
  int lo = tid * chunk + rest;
  for (int i = lo; i < lo + chunk; i++) d->x[i] = twice(d->x[i]);
}

void scale(float *x, int n) {
  struct scale_data d = { x, n };
  GOMP_parallel(scale_omp_fn_0, &d, 0, 0);
}

int threads(void) { return omp_get_max_threads(); }
EOF

# A file with no OpenMP at all, for the weak-evidence cases.
cat >"$build/plain.c" <<'EOF'
int add(int a, int b) { return a + b; }
EOF

# Stand-ins for the OpenMP runtimes, for the cross targets (no sysroot) and
# for a torch-bundled libgomp-<hash>.so.1: the same sonames and symbol
# versions as the real ones (GOMP_parallel@@GOMP_4.0, omp_*@@OMP_1.0,
# __kmpc_*@@VERSION), so imports bind exactly as they would.
cat >"$build/omp-stub.c" <<'EOF'
void GOMP_parallel(void (*fn)(void *), void *data, unsigned n, unsigned flags) { (void)n; (void)flags; fn(data); }
void GOMP_barrier(void) {}
int omp_get_max_threads(void) { return 1; }
int omp_get_num_threads(void) { return 1; }
int omp_get_thread_num(void) { return 0; }
typedef void (*microtask)(int *, int *, ...);
void __kmpc_fork_call(void *loc, int argc, microtask fn, ...) { (void)loc; (void)argc; (void)fn; }
void __kmpc_for_static_init_4(void *loc, int gtid, int sched, int *last, int *lo, int *hi, int *st, int inc, int chunk) {
  (void)loc; (void)gtid; (void)sched; (void)last; (void)lo; (void)hi; (void)st; (void)inc; (void)chunk;
}
void __kmpc_for_static_fini(void *loc, int gtid) { (void)loc; (void)gtid; }
EOF
cat >"$build/gomp.map" <<'EOF'
OMP_1.0 { global: omp_get_max_threads; omp_get_num_threads; omp_get_thread_num; local: *; };
GOMP_4.0 { global: GOMP_parallel; GOMP_barrier; } OMP_1.0;
EOF
cat >"$build/omp.map" <<'EOF'
VERSION { global: __kmpc_*; omp_*; local: *; };
EOF

ECFLAGS=(-O2 -fPIC -ffile-prefix-map="$build"=.)
XFLAGS=(-O2 -fPIC -nostdinc -ffreestanding -Wno-unknown-pragmas)

# stub DIR SONAME MAP COMPILER-AND-TARGET-ARGS...: a runtime stand-in in $build/DIR.
stub() {
  local dir="$1" soname="$2" map="$3"
  shift 3
  mkdir -p "$build/$dir"
  (cd "$build" && "$@" "${XFLAGS[@]}" -shared -nostdlib -Wl,-soname,"$soname" -Wl,--version-script="$map" \
    omp-stub.c -o "$dir/$soname")
}

# cross TARGET NAME SOURCE OMP-FLAGS LIBRARY: clang-14 + ld.lld-14 for TARGET, no libc.
cross() {
  local target="$1" name="$2" src="$3" omp="$4" lib="$5"
  # shellcheck disable=SC2086 # OMP-FLAGS is empty or one flag
  (cd "$build" && "$CLANG" --target="$target" "${XFLAGS[@]}" $omp -c "$src" -o "$name.o" &&
    "$CLANG" --target="$target" -fuse-ld=lld --ld-path="$ELFLD" -shared -nostdlib "$name.o" "$lib" -o "$name")
  mv "$build/$name" "$elfout/$name"
}

# host NAME COMMAND...: a host build in $build, moved to $elfout/NAME.
host() {
  local name="$1"
  shift
  (cd "$build" && "$@" -o "$name")
  mv "$build/$name" "$elfout/$name"
}

# x86_64, with the system's libc and OpenMP runtimes.
host gcc-omp.so "$GCC" "${ECFLAGS[@]}" -shared -fopenmp kernel.c
host gcc-noomp.so "$GCC" "${ECFLAGS[@]}" -shared -Wno-unknown-pragmas kernel.c
host clang-omp.so "$CLANG" "${ECFLAGS[@]}" -shared -fopenmp kernel.c
"$GNU_STRIP" -o "$elfout/gcc-omp-stripped.so" "$elfout/gcc-omp.so"
"$GNU_STRIP" -o "$elfout/clang-omp-stripped.so" "$elfout/clang-omp.so"
# Section headers gone (as sstrip leaves a file): only the program headers
# and PT_DYNAMIC lead to the imports.
"$OBJCOPY" --strip-sections "$elfout/gcc-omp.so" "$elfout/gcc-omp-noshdr.so"

# Weak evidence: a linked libgomp that nothing calls.
host weak-gcc-no-as-needed.so "$GCC" "${ECFLAGS[@]}" -shared -fopenmp -Wl,--no-as-needed plain.c
host weak-clang-fopenmp-libgomp.so "$CLANG" "${ECFLAGS[@]}" -shared -fopenmp=libgomp plain.c
# Compiled with -fopenmp, linked without: GOMP_parallel with no version and
# no NEEDED libgomp; in a torch extension it resolves through libtorch_cpu.
(cd "$build" && "$GCC" "${ECFLAGS[@]}" -fopenmp -c kernel.c -o kernel-omp.o)
host gcc-omp-unlinked.so "$GCC" -shared kernel-omp.o
# The same with clang: __kmpc_* imports, which only an LLVM/Intel runtime serves.
(cd "$build" && "$CLANG" "${ECFLAGS[@]}" -fopenmp -c kernel.c -o kernel-clang-omp.o)
host clang-omp-unlinked.so "$CLANG" -shared kernel-clang-omp.o

# What a PyPI torch library links: its own renamed libgomp.
stub bundled libgomp-a34b3233.so.1 gomp.map "$GCC"
# (-fopenmp at link time would add the system libgomp: compile with it, link without.)
host torch-bundled-gomp.so "$GCC" -shared kernel-omp.o bundled/libgomp-a34b3233.so.1

# Other architectures, word sizes and byte orders, against runtime stand-ins.
stub i386 libgomp.so.1 gomp.map "$GCC" -m32
(cd "$build" && "$GCC" -m32 "${ECFLAGS[@]}" -fopenmp -c kernel.c -o kernel-omp32.o)
host i386-gcc-omp.so "$GCC" -m32 -shared -nostdlib kernel-omp32.o i386/libgomp.so.1
stub aarch64 libgomp.so.1 gomp.map "$CLANG" --target=aarch64-linux-gnu -fuse-ld=lld --ld-path="$ELFLD"
cross aarch64-linux-gnu aarch64-gomp.so kernel-gomp.c '' aarch64/libgomp.so.1
stub ppc64 libomp.so.5 omp.map "$CLANG" --target=powerpc64-linux-gnu -fuse-ld=lld --ld-path="$ELFLD"
cross powerpc64-linux-gnu ppc64be-clang-omp.so kernel.c -fopenmp ppc64/libomp.so.5
stub mips libgomp.so.1 gomp.map "$CLANG" --target=mips-linux-gnu -fuse-ld=lld --ld-path="$ELFLD"
cross mips-linux-gnu mipsbe-gomp.so kernel-gomp.c '' mips/libgomp.so.1

elf_fixtures=(
  gcc-omp.so gcc-noomp.so clang-omp.so gcc-omp-stripped.so clang-omp-stripped.so gcc-omp-noshdr.so
  weak-gcc-no-as-needed.so weak-clang-fopenmp-libgomp.so gcc-omp-unlinked.so clang-omp-unlinked.so torch-bundled-gomp.so
  i386-gcc-omp.so aarch64-gomp.so ppc64be-clang-omp.so mipsbe-gomp.so
)

all=()
for f in "${macho_fixtures[@]}"; do all+=("macho/$f"); done
for f in "${elf_fixtures[@]}"; do all+=("elf/$f"); done

if [[ "$mode" == check ]]; then
  bad=()
  for f in "${all[@]}"; do
    if [[ ! -f "$dest/$f" ]]; then
      bad+=("$f (not committed)")
    elif ! cmp -s "$work/out/$f" "$dest/$f"; then
      bad+=("$f (differs)")
    fi
  done
  if ((${#bad[@]})); then
    echo "make-fixtures --check: rebuilt fixtures differ from __fixtures__/binaries:" >&2
    printf '  %s\n' "${bad[@]}" >&2
    exit 1
  fi
  echo "make-fixtures --check: all ${#all[@]} fixtures (${#macho_fixtures[@]} Mach-O, ${#elf_fixtures[@]} ELF) rebuild byte for byte"
  exit 0
fi

mkdir -p "$dest/macho" "$dest/elf"
for f in "${all[@]}"; do
  cp "$work/out/$f" "$dest/$f"
  chmod 0644 "$dest/$f" # the same mode whichever tool wrote it
  printf '%8d  %s\n' "$(wc -c <"$dest/$f")" "__fixtures__/binaries/$f"
done
