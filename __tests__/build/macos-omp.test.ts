/**
 * macOS: torch's bundled libomp and a second libomp among an extension's
 * load commands, on the committed Mach-O fixtures (made on Linux; see
 * __fixtures__/binaries/macho/README.md). Unit tests only: no macOS here.
 */
import { describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { findSecondLibomp, torchOpenMP } from '../../src/build/macos-omp.js'
import { readMachO } from '../../src/inspect/macho.js'

const fixture = (name: string): Buffer => fs.readFileSync(path.join('__fixtures__', 'binaries', 'macho', name))
const TORCH = '/Users/runner/venv/lib/python3.12/site-packages/torch'

describe('torchOpenMP', () => {
  it("finds torch's libomp.dylib and omp.h in the wheel", () => {
    const files = new Set([`${TORCH}/lib/libomp.dylib`, `${TORCH}/include/omp.h`])
    expect(torchOpenMP(`${TORCH}/`, f => files.has(f))).toEqual({ library: `${TORCH}/lib/libomp.dylib`, includeDir: `${TORCH}/include`, libDir: `${TORCH}/lib` })
  })

  it('reports a wheel without them (old x86_64 wheels had libiomp5 and no omp.h)', () => {
    expect(torchOpenMP(TORCH, f => f === `${TORCH}/lib/libiomp5.dylib`)).toEqual({ library: `${TORCH}/lib/libiomp5.dylib`, includeDir: null, libDir: `${TORCH}/lib` })
    expect(torchOpenMP(TORCH, () => false).library).toBeNull()
  })
})

describe('findSecondLibomp', () => {
  const torch = torchOpenMP(TORCH, () => true)

  it("flags Homebrew's libomp next to torch's, with OMP Error #15 and the fix", () => {
    const found = findSecondLibomp(readMachO(fixture('omp-homebrew-arm64.so')), torch)
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({ library: '/opt/homebrew/opt/libomp/lib/libomp.dylib', origin: 'Homebrew', arch: 'arm64' })
    expect(found[0].effect).toMatch(/OMP: Error #15/)
    expect(found[0].fix[0]).toBe(`Link torch's own runtime instead: compile with -Xpreprocessor -fopenmp -I${TORCH}/include, link with -L${TORCH}/lib -lomp -Wl,-rpath,${TORCH}/lib (its install name is @rpath/libomp.dylib, so the rpath must name torch/lib).`)
    // The fix is to load one runtime, never to silence the check.
    expect(JSON.stringify(found)).not.toMatch(/KMP_DUPLICATE_LIB_OK/)
  })

  it("accepts @rpath/libomp.dylib (torch's install name), no libomp, and every slice of a fat file", () => {
    expect(findSecondLibomp(readMachO(fixture('omp-arm64.so')), torch)).toEqual([])
    expect(findSecondLibomp(readMachO(fixture('noomp-arm64.so')), torch)).toEqual([])
    expect(findSecondLibomp(readMachO(fixture('omp-dynamic-lookup-arm64.so')), torch)).toEqual([])
    expect(findSecondLibomp(readMachO(fixture('fat.so')), torch)).toEqual([])
  })

  it('names conda and torch-less cases', () => {
    const img = { format: 'macho' as const, arch: 'x86_64', libraries: ['/Users/me/miniconda3/envs/x/lib/libomp.dylib', `${TORCH}/lib/libomp.dylib`] }
    const found = findSecondLibomp([img], torch)
    expect(found.map(f => [f.library, f.origin])).toEqual([['/Users/me/miniconda3/envs/x/lib/libomp.dylib', 'conda']])
    expect(findSecondLibomp([img], null)[0].summary).toMatch(/<torch>\/lib\/libomp\.dylib/)
  })

  it('ignores ELF images', () => {
    expect(findSecondLibomp([{ format: 'elf', arch: 'x86_64', libraries: ['/opt/homebrew/opt/libomp/lib/libomp.dylib'] }], torch)).toEqual([])
  })
})

describe('remediation renderers', () => {
  it('fences a diff so backticks inside cannot end it, and flags a run-only fix prominently', async () => {
    const { renderPatchMarkdown, renderRunOnlyFixMarkdown, renderSecondLibompMarkdown } = await import('../../src/report/remediation-summary.js')
    const out = renderPatchMarkdown('setup.py', { diff: '--- a/setup.py\n+++ b/setup.py\n@@ -1 +1 @@\n-x = "```"\n+y\n', patched: '', note: 'n' })
    expect(out).toContain('````diff\n--- a/setup.py')
    expect(renderRunOnlyFixMarkdown({ CFLAGS: '-fopenmp' })).toMatch(/^> \[!WARNING\]\n> \*\*OpenMP flags were added for this run only\*\* \(`CFLAGS=-fopenmp`\)/)
    const found = findSecondLibomp(readMachO(fixture('omp-homebrew-arm64.so')), torchOpenMP(TORCH, () => true))
    // Escaped for Markdown (a backslash before #), which renders as #.
    expect(renderSecondLibompMarkdown(found)).toMatch(/OMP: Error \\#15/)
  })
})
