/**
 * The compile database and the per-TU audit on real builds of the example
 * extension, run three ways: setuptools without ninja, BuildExtension with
 * ninja (its default) given the run-only OpenMP fix through the environment,
 * and pip. One build each; every assertion reuses them.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fixEnvironment } from '../../src/fix/remediation.js'
import { renderAuditMarkdown, renderAuditText } from '../../src/report/audit-summary.js'
import { torchPython } from '../../__fixtures__/python.js'
import { freshExample, wrappedBuild, type WrappedBuild } from './wrapped-build.js'
import { which } from '../../src/build/compiler-id.js'

const KERNELS = ['csrc/elementwise.cpp', 'csrc/omp_loop.cpp', 'csrc/reduce.cpp']
const ALL = ['csrc/bindings.cpp', ...KERNELS]

describe('audit of builds run by setuptools, ninja and pip', () => {
  let setuptools: WrappedBuild
  let ninja: WrappedBuild
  let pip: WrappedBuild

  beforeAll(async () => {
    const py = torchPython()
    // A missing tool is a setup error, never a skip.
    for (const tool of ['ninja', 'g++']) if (!which(tool)) throw new Error(`${tool} is not installed: run scripts/setup-debian.sh`)

    const a = freshExample('tsc-audit-setuptools-')
    const setupPy = path.join(a, 'setup.py')
    fs.writeFileSync(setupPy, fs.readFileSync(setupPy, 'utf8').replace('{"build_ext": BuildExtension}', '{"build_ext": BuildExtension.with_options(use_ninja=False)}'))
    setuptools = await wrappedBuild(a, `${py} setup.py build_ext --inplace`, py)

    const fix = fixEnvironment(process.platform, 'gcc', { env: process.env })
    ninja = await wrappedBuild(freshExample('tsc-audit-ninja-'), `${py} setup.py build_ext --inplace`, py, fix)

    const c = freshExample('tsc-audit-pip-')
    pip = await wrappedBuild(c, `${py} -m pip wheel --no-build-isolation --no-deps --no-index --wheel-dir dist .`, py)
  })

  it('records every TU once, with its object and the .so it went into', () => {
    for (const b of [setuptools, ninja, pip]) {
      expect(b.audit.tus.map(t => t.file).sort()).toEqual(ALL)
      expect(b.audit.links).toHaveLength(1)
      const so = b.audit.links[0]
      expect(so.output).toMatch(/parallel_ext.*\.so$/)
      expect(so.objects).toHaveLength(4)
      for (const t of b.audit.tus) expect(t.linkedInto).toEqual([so.output])
    }
  })

  it('tells which build system ran: ninja writes build.ninja, setuptools and pip do not', () => {
    expect(fs.readdirSync(path.join(ninja.dir, 'build')).some(d => fs.existsSync(path.join(ninja.dir, 'build', d, 'build.ninja')))).toBe(true)
    expect(fs.readdirSync(path.join(setuptools.dir, 'build')).some(d => fs.existsSync(path.join(setuptools.dir, 'build', d, 'build.ninja')))).toBe(false)
  })

  it('flags exactly the TUs that call parallel_for or use #pragma omp without OpenMP', () => {
    for (const b of [setuptools, pip]) {
      expect(b.audit.flagged.map(t => t.file).sort()).toEqual(KERNELS)
      const bindings = b.audit.tus.find(t => t.file === 'csrc/bindings.cpp')
      expect(bindings?.flagged).toBe(false)
      expect(bindings?.parallelHeader).toBe('torch/extension.h')
      expect(b.audit.tus.find(t => t.file === 'csrc/elementwise.cpp')?.parallelHeader).toBe('ATen/Parallel.h')
      expect(b.audit.tus.find(t => t.file === 'csrc/omp_loop.cpp')?.hits.map(h => h.construct)).toEqual(['omp-pragma'])
      expect(b.audit.links[0].openmpLibraries).toEqual([])
      expect(b.forkImports).toEqual([])
    }
  })

  it('reads flags from the commands that ran: -O2 last, -g from Python, the run-only -fopenmp under ninja', () => {
    for (const b of [setuptools, ninja, pip]) {
      for (const t of b.audit.tus) {
        expect(t.optimisation).toBe('-O2')
        expect(t.debug).toContain('-g')
        expect(t.family).toBe('gcc')
      }
    }
    expect(ninja.audit.flagged).toEqual([])
    for (const t of ninja.audit.tus) expect(t.openmp).toEqual({ flags: expect.arrayContaining(['-fopenmp']), enabled: true })
    expect(ninja.audit.links[0].openmpLibraries).toEqual(['libgomp (-fopenmp)'])
    // The run-only fix really makes the binary parallel.
    expect(ninja.forkImports).toContain('GOMP_parallel')
  })

  it('writes compile_commands.json and link-commands.json beside the build log', () => {
    for (const b of [setuptools, ninja, pip]) {
      const dbFile = path.join(b.dir, '.thread-scaling-check', 'compile_commands.json')
      expect(path.dirname(dbFile)).toBe(path.dirname(b.build.logPath))
      const db = JSON.parse(fs.readFileSync(dbFile, 'utf8')) as { directory: string; arguments: string[]; file: string; output: string }[]
      expect(db.map(e => path.relative(b.dir, e.file)).sort()).toEqual(ALL)
      for (const e of db) {
        expect(path.isAbsolute(e.directory)).toBe(true)
        expect(e.arguments).toContain('-c')
        // The real compiler, never the wrapper, so clangd and clang-tidy can use the file.
        expect(e.arguments[0]).not.toMatch(/tsc-wrappers/)
      }
      const links = JSON.parse(fs.readFileSync(path.join(b.dir, '.thread-scaling-check', 'link-commands.json'), 'utf8')) as { output: string }[]
      expect(links).toHaveLength(1)
      expect(fs.readFileSync(path.join(b.dir, '.thread-scaling-check', 'compiler-commands.jsonl'), 'utf8').trim().split('\n').length).toBeGreaterThanOrEqual(5)
    }
  })

  it('adds no new warning to the build: torch accepts the wrapped compiler', () => {
    for (const b of [setuptools, ninja, pip]) {
      expect(b.build.log).not.toMatch(/UserWarning|Your compiler \(|is not compatible|Error checking compiler version/)
    }
  })

  it('renders the audit for the summary and the terminal', () => {
    const mdText = renderAuditMarkdown(setuptools.audit)
    expect(mdText).toMatch(/\| `csrc\/elementwise\.cpp` \| ❌/)
    expect(mdText).toMatch(/3 of 4 translation units/)
    const text = renderAuditText(setuptools.audit)
    expect(text).toMatch(/csrc\/omp_loop\.cpp +no OpenMP/)
  })
})
