/**
 * `node dist/cli.js inspect <every committed fixture> --json`, as a user runs
 * it, checked against a table written from what each fixture is (see the
 * READMEs under __fixtures__/binaries/). The table must name every fixture,
 * so a new one can't slip in unchecked.
 */
import { describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { InspectedImage } from '../../src/inspect/inspect-binary.js'

const ROOT = path.resolve('__fixtures__/binaries')
const GOMP = ['GOMP_parallel']
const KMPC = ['__kmpc_fork_call']
const MACHO_KMPC = ['___kmpc_fork_call']

type Via = NonNullable<InspectedImage['openmp']['resolution']>['via'] | null

interface Expected {
  file: string
  arch: string
  bits: 32 | 64
  endian: 'little' | 'big'
  kind: string
  stripped: boolean
  parallel: boolean
  forks: string[]
  /** Runtime families among the libraries, in order. */
  runtimes: string[]
  via: Via
  /** The library the OpenMP imports resolve to, when via is a linked library. */
  library?: string
}

const so = 'shared-object'
const E = (file: string, arch: string, bits: 32 | 64, endian: 'little' | 'big', stripped: boolean, parallel: boolean, forks: string[], runtimes: string[], via: Via, library?: string): Expected => ({
  file: `elf/${file}`,
  arch,
  bits,
  endian,
  kind: so,
  stripped,
  parallel,
  forks,
  runtimes,
  via,
  ...(library ? { library } : {})
})
const M = (file: string, arch: string, kind: string, stripped: boolean, parallel: boolean, runtimes: string[], via: Via, library?: string, bits: 32 | 64 = 64): Expected => ({
  file: `macho/${file}`,
  arch,
  bits,
  endian: 'little',
  kind,
  stripped,
  parallel,
  forks: parallel ? MACHO_KMPC : [],
  runtimes,
  via,
  ...(library ? { library } : {})
})
const LIBOMP = '@rpath/libomp.dylib'

const EXPECTED: Expected[] = [
  // ELF: gcc and clang with and without OpenMP, stripped, no section headers.
  E('gcc-omp.so', 'x86_64', 64, 'little', false, true, GOMP, ['gnu'], 'linked-runtime', 'libgomp.so.1'),
  E('gcc-noomp.so', 'x86_64', 64, 'little', false, false, [], [], null),
  E('clang-omp.so', 'x86_64', 64, 'little', false, true, KMPC, ['llvm'], 'linked-runtime', 'libomp.so.5'),
  E('gcc-omp-stripped.so', 'x86_64', 64, 'little', true, true, GOMP, ['gnu'], 'linked-runtime', 'libgomp.so.1'),
  E('clang-omp-stripped.so', 'x86_64', 64, 'little', true, true, KMPC, ['llvm'], 'linked-runtime', 'libomp.so.5'),
  E('gcc-omp-noshdr.so', 'x86_64', 64, 'little', true, true, GOMP, ['gnu'], 'linked-runtime', 'libgomp.so.1'),
  // Weak evidence: libgomp linked, nothing imported from it: not parallel.
  E('weak-gcc-no-as-needed.so', 'x86_64', 64, 'little', false, false, [], ['gnu'], null),
  E('weak-clang-fopenmp-libgomp.so', 'x86_64', 64, 'little', false, false, [], ['gnu'], null),
  // OpenMP imports without a linked runtime: parallel, resolved through the process.
  E('gcc-omp-unlinked.so', 'x86_64', 64, 'little', false, true, GOMP, [], 'process'),
  E('clang-omp-unlinked.so', 'x86_64', 64, 'little', false, true, KMPC, [], 'process'),
  E('torch-bundled-gomp.so', 'x86_64', 64, 'little', false, true, GOMP, ['torch-bundled-gnu'], 'linked-runtime', 'libgomp-a34b3233.so.1'),
  // Other architectures, word sizes and byte orders.
  E('i386-gcc-omp.so', 'i386', 32, 'little', false, true, GOMP, ['gnu'], 'linked-runtime', 'libgomp.so.1'),
  E('aarch64-gomp.so', 'aarch64', 64, 'little', false, true, GOMP, ['gnu'], 'linked-runtime', 'libgomp.so.1'),
  E('ppc64be-clang-omp.so', 'ppc64', 64, 'big', false, true, KMPC, ['llvm'], 'linked-runtime', 'libomp.so.5'),
  E('mipsbe-gomp.so', 'mips', 32, 'big', false, true, GOMP, ['gnu'], 'linked-runtime', 'libgomp.so.1'),
  // Mach-O: thin, 32-bit, stripped, dynamic lookup, flat, weak, chained fixups.
  M('omp-arm64.so', 'arm64', 'bundle', false, true, ['llvm'], 'linked-runtime', LIBOMP),
  M('omp-x86_64-classic.so', 'x86_64', 'bundle', false, true, ['llvm'], 'linked-runtime', LIBOMP),
  M('noomp-arm64.so', 'arm64', 'bundle', false, false, [], null),
  M('omp-dynamic-lookup-arm64.so', 'arm64', 'bundle', false, true, [], 'dynamic-lookup'),
  M('libgomp-only-arm64.so', 'arm64', 'bundle', false, false, ['gnu'], null),
  M('omp-flat-x86_64.so', 'x86_64', 'bundle', false, true, ['llvm'], 'flat-namespace'),
  M('omp-weak-x86_64.dylib', 'x86_64', 'dylib', false, true, ['llvm'], 'linked-runtime', LIBOMP),
  M('omp-arm64_32.so', 'arm64_32', 'bundle', false, true, ['llvm'], 'linked-runtime', LIBOMP, 32),
  M('omp-arm64-strip-x.so', 'arm64', 'bundle', true, true, ['llvm'], 'linked-runtime', LIBOMP),
  M('omp-arm64-stripped.so', 'arm64', 'bundle', true, true, ['llvm'], 'linked-runtime', LIBOMP),
  M('omp-homebrew-arm64.so', 'arm64', 'bundle', false, true, ['llvm'], 'linked-runtime', '/opt/homebrew/opt/libomp/lib/libomp.dylib'),
  M('omp-arm64-chained.so', 'arm64', 'bundle', false, true, ['llvm'], 'linked-runtime', LIBOMP),
  M('omp-dynamic-lookup-arm64-chained.so', 'arm64', 'bundle', false, true, [], 'dynamic-lookup'),
  // Universal files: one entry per slice, in the file's order.
  M('fat.so', 'x86_64', 'bundle', false, true, ['llvm'], 'linked-runtime', LIBOMP),
  M('fat.so', 'arm64', 'bundle', false, true, ['llvm'], 'linked-runtime', LIBOMP),
  M('fat64.so', 'x86_64', 'bundle', false, true, ['llvm'], 'linked-runtime', LIBOMP),
  M('fat64.so', 'arm64', 'bundle', false, true, ['llvm'], 'linked-runtime', LIBOMP)
]

function committedFixtures(): string[] {
  return ['elf', 'macho'].flatMap(dir =>
    fs
      .readdirSync(path.join(ROOT, dir))
      .filter(f => !f.endsWith('.md'))
      .map(f => `${dir}/${f}`)
  )
}

describe('inspect --json on every committed fixture', () => {
  const files = committedFixtures()
  const r = spawnSync(process.execPath, [path.resolve('dist/cli.js'), 'inspect', ...files.map(f => path.join(ROOT, f)), '--json'], { encoding: 'utf8' })

  test('the table names every fixture, and every fixture reads without error', () => {
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect([...new Set(EXPECTED.map(e => e.file))].sort()).toEqual([...files].sort())
  })

  test('each image (each slice of a fat file) is classified as its table row says', () => {
    const images = JSON.parse(r.stdout) as InspectedImage[]
    const got = images.map(i => ({
      file: path.relative(ROOT, i.path),
      arch: i.arch,
      bits: i.bits,
      endian: i.endian,
      kind: i.kind,
      stripped: i.stripped,
      parallel: i.openmp.parallel,
      forks: i.openmp.forkImports,
      runtimes: i.openmp.runtimes.map(rt => rt.family),
      via: i.openmp.resolution?.via ?? null,
      ...(i.openmp.resolution?.library ? { library: i.openmp.resolution.library } : {})
    }))
    const want = files.flatMap(f => EXPECTED.filter(e => e.file === f))
    expect(got).toEqual(want)
    // None of the fixtures is damaged: a partial read would be a reader bug.
    expect(images.filter(i => i.partial !== undefined).map(i => `${i.path}: ${i.partial}`)).toEqual([])
  })

  test('the text output says where the imports resolve, and that a linked runtime alone is weak evidence', () => {
    const text = spawnSync(process.execPath, [path.resolve('dist/cli.js'), 'inspect', path.join(ROOT, 'elf/gcc-omp-unlinked.so'), path.join(ROOT, 'elf/weak-gcc-no-as-needed.so'), path.join(ROOT, 'macho/omp-dynamic-lookup-arm64.so')], { encoding: 'utf8' })
    expect(text.status).toBe(0)
    expect(text.stdout).toMatch(/gcc-omp-unlinked\.so \[elf x86_64 shared-object\]: OpenMP parallel regions compiled in\n(?:.*\n)*?  resolves: through the process \(e\.g\. libtorch's OpenMP runtime\)/)
    expect(text.stdout).toMatch(/weak-gcc-no-as-needed\.so \[elf x86_64 shared-object\]: no OpenMP parallel regions and no parallel entry of libtorch \(torch_parallel_for\): every kernel in it runs on one thread unless it calls into libtorch\n(?:.*\n)*?  resolves: nothing: the linked runtime is never called \(weak evidence, not parallel\)/)
    expect(text.stdout).toMatch(/omp-dynamic-lookup-arm64\.so \[macho arm64 bundle\]: OpenMP parallel regions compiled in\n(?:.*\n)*?  resolves: dynamic lookup/)
  })
})
