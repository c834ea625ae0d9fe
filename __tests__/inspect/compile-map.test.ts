/**
 * Sources to binaries. Three real builds against the machine's torch (the
 * example with BuildExtension's default ninja backend, the same with
 * use_ninja=False, and a project with two extensions), plus logs and build
 * files written here for the shapes no local build produces.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { splitCommand } from '../../src/build/split-command.js'
import { findBuildFiles, hitsInBinary, mapFromRecords, mapSourcesToBinaries } from '../../src/inspect/compile-map.js'
import { needsOpenMP, scanSource, type SourceHit } from '../../src/sources/scan.js'
import { torchPython } from '../../__fixtures__/python.js'
import { writeTwoExtensions } from '../../__fixtures__/two-extensions.js'

const EXAMPLE = path.resolve('examples/parallel-ext')
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'compile-map-'))
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

/** Builds in place as the action's default build command does; returns the combined log. */
function build(dir: string): string {
  const r = spawnSync('sh', ['-c', `"${torchPython()}" setup.py build_ext --inplace 2>&1`], { cwd: dir, encoding: 'utf8', timeout: 900_000, maxBuffer: 64 << 20 })
  if (r.status !== 0) throw new Error(`build in ${dir} failed (${r.status}):\n${r.stdout}${r.stderr}`)
  return r.stdout
}

function builtBinaries(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(f => /\.so$/.test(f) && !f.startsWith('build')).map(f => path.join(dir, f)).sort()
}

function scanAll(files: string[]): SourceHit[] {
  return files.flatMap(f => scanSource(f, fs.readFileSync(f, 'utf8')))
}

const exampleSources = ['bindings.cpp', 'elementwise.cpp', 'omp_loop.cpp', 'reduce.cpp'].map(f => path.join('csrc', f))

describe('real builds of examples/parallel-ext', () => {
  const ninjaDir = path.join(root, 'ninja')
  const plainDir = path.join(root, 'setuptools')
  let ninjaLog = ''
  let plainLog = ''

  beforeAll(() => {
    // Sources only: a demo run may have left build/ and a built .so in the example.
    const sourcesOnly = (src: string): boolean => !/(^|\/)(build|[^/]*\.egg-info)$|\.so$/.test(path.relative(EXAMPLE, src))
    fs.cpSync(EXAMPLE, ninjaDir, { recursive: true, filter: sourcesOnly })
    fs.cpSync(EXAMPLE, plainDir, { recursive: true, filter: sourcesOnly })
    // A copy whose setup.py turns BuildExtension's ninja backend off: distutils compiles each file itself.
    const setup = path.join(plainDir, 'setup.py')
    const text = fs.readFileSync(setup, 'utf8')
    const patched = text.replace('cmdclass={"build_ext": BuildExtension}', 'cmdclass={"build_ext": BuildExtension.with_options(use_ninja=False)}')
    if (patched === text) throw new Error('examples/parallel-ext/setup.py no longer has the cmdclass line this test patches')
    fs.writeFileSync(setup, patched)
    ninjaLog = build(ninjaDir)
    plainLog = build(plainDir)
  })

  test('ninja: the build wrote build.ninja and logged the link; the in-place binary has the four sources', () => {
    expect(ninjaLog).toMatch(/Emitting ninja build file/)
    expect(findBuildFiles(ninjaDir).map(f => path.basename(f.path))).toEqual(['build.ninja'])
    const [so] = builtBinaries(ninjaDir)
    const [m] = mapSourcesToBinaries({ cwd: ninjaDir, log: ninjaLog, binaries: [so] })
    expect(m.sources).toEqual(exampleSources.map(f => path.join(ninjaDir, f)).sort())
    expect(m.how).toMatch(/copying/)
  })

  test('ninja: the objects come from build.ninja alone when the log shows no compile command (objects up to date)', () => {
    const [so] = builtBinaries(ninjaDir)
    const linkOnly = ninjaLog
      .split('\n')
      .filter(l => !/^\[\d+\/\d+\]/.test(l))
      .join('\n')
    expect(mapSourcesToBinaries({ cwd: ninjaDir, log: linkOnly, binaries: [so] })[0].sources).toHaveLength(4)
    // Without build.ninja and without compile lines nothing says where the objects came from.
    expect(mapFromRecords({ cwd: ninjaDir, log: linkOnly, binaries: [so], buildFiles: [] })[0]).toMatchObject({ sources: null, how: expect.stringMatching(/objects traced to no source/) })
  })

  test('setuptools (use_ninja=False): compile commands in the log, relative paths, no build.ninja', () => {
    expect(plainLog).not.toMatch(/Emitting ninja build file/)
    expect(findBuildFiles(plainDir)).toEqual([])
    const [so] = builtBinaries(plainDir)
    const [m] = mapSourcesToBinaries({ cwd: plainDir, log: plainLog, binaries: [so] })
    expect(m.sources).toEqual(exampleSources.map(f => path.join(plainDir, f)).sort())
  })

  test('every parallel construct of the example lands in its one binary', () => {
    const [so] = builtBinaries(ninjaDir)
    const [m] = mapSourcesToBinaries({ cwd: ninjaDir, log: ninjaLog, binaries: [so] })
    const files = fs.readdirSync(path.join(ninjaDir, 'csrc')).map(f => path.join(ninjaDir, 'csrc', f))
    const hits = scanAll(files)
    expect(hits.length).toBeGreaterThan(0)
    expect(hitsInBinary(hits, m.sources, ninjaDir)).toEqual(hits)
  })
})

describe('a real project with two extensions', () => {
  const dir = path.join(root, 'two')
  let log = ''

  beforeAll(() => {
    writeTwoExtensions(dir)
    log = build(dir)
  })

  test("each binary gets its own sources, and only its own parallel constructs (a header's through its #include)", () => {
    const sos = builtBinaries(dir)
    expect(sos.map(s => path.basename(s).split('.')[0])).toEqual(['alpha', 'beta'])
    const [alpha, beta] = mapSourcesToBinaries({ cwd: dir, log, binaries: sos })
    expect(alpha.sources).toEqual([path.join(dir, 'src/alpha.cpp'), path.join(dir, 'src/alpha_extra.cpp')])
    expect(beta.sources).toEqual([path.join(dir, 'src/beta.cpp')])

    const hits = scanAll(['src/common/rows.h', 'src/alpha.cpp', 'src/alpha_extra.cpp', 'src/beta.cpp'].map(f => path.join(dir, f)))
    expect(hits.map(h => `${path.basename(h.file)}:${h.construct}`).sort()).toEqual(['alpha_extra.cpp:omp-pragma', 'rows.h:at-parallel'])
    expect(hitsInBinary(hits, alpha.sources, dir)).toHaveLength(2)
    expect(hitsInBinary(hits, beta.sources, dir)).toEqual([])
  })
})

describe('logs and build files of other shapes', () => {
  const cwd = '/work/proj'

  test('splitCommand follows shell quoting', () => {
    expect(splitCommand(`g++ '-DPYBIND11_COMPILER_TYPE="_gcc"' -DX=a\\ b "-I/p q" -c x.cpp`)).toEqual(['g++', '-DPYBIND11_COMPILER_TYPE="_gcc"', '-DX=a b', '-I/p q', '-c', 'x.cpp'])
    expect(splitCommand(`cc "a\\"b" ''`)).toEqual(['cc', 'a"b', ''])
  })

  test('distutils log: relative paths, a copy into the package, a rebuilt link (the last one counts)', () => {
    const log = [
      'building \'pkg._C\' extension',
      'x86_64-linux-gnu-gcc -fPIC -I/usr/include/python3.11 -c csrc/a.cpp -o build/temp/csrc/a.o -std=c++17',
      'x86_64-linux-gnu-gcc -fPIC -c "csrc/b c.cpp" -o "build/temp/csrc/b c.o"',
      'x86_64-linux-gnu-g++ -shared build/temp/csrc/a.o -o build/lib/pkg/_C.so',
      'x86_64-linux-gnu-g++ -shared build/temp/csrc/a.o "build/temp/csrc/b c.o" -L/t/lib -ltorch -o build/lib/pkg/_C.so',
      'copying build/lib/pkg/_C.so -> pkg'
    ].join('\n')
    const [m] = mapFromRecords({ cwd, log, binaries: ['pkg/_C.so'], buildFiles: [] })
    expect(m).toEqual({ binary: 'pkg/_C.so', sources: ['/work/proj/csrc/a.cpp', '/work/proj/csrc/b c.cpp'], how: expect.stringMatching(/copying/) })
  })

  test('pip install -v -e . : indented output, a temporary build dir, matched by file name', () => {
    const log = [
      '  Running command Building editable for pkg (pyproject.toml)',
      '  [1/1] c++ -MMD -MF /tmp/tmpab12.build-temp/csrc/k.o.d -fPIC -c -c /work/proj/csrc/k.cpp -o /tmp/tmpab12.build-temp/csrc/k.o -O2',
      '  g++ -shared -Wl,-O1 /tmp/tmpab12.build-temp/csrc/k.o -L/t/lib -o /tmp/tmpcd34.build-lib/pkg/_C.cpython-311-x86_64-linux-gnu.so'
    ].join('\n')
    const [m] = mapFromRecords({ cwd, log, binaries: ['/work/proj/pkg/_C.cpython-311-x86_64-linux-gnu.so'], buildFiles: [] })
    expect(m).toMatchObject({ sources: ['/work/proj/csrc/k.cpp'], how: expect.stringMatching(/matched by file name/) })
  })

  test('build.ninja escapes and compile_commands.json (arguments, command, output)', () => {
    const ninja = {
      path: '/work/proj/build/temp/build.ninja',
      text: ['rule compile', '  command = $cxx -c $in -o $out', 'build /work/proj/build/temp/s$ p.o: compile /work/proj/s$ p.cpp', 'build rel.o: cuda_compile ../../k.cu || order_only', 'build link.so: link x.o'].join('\n')
    }
    const ccj = {
      path: '/work/proj/compile_commands.json',
      text: JSON.stringify([
        { directory: '/work/proj/out', file: '../src/m.cpp', arguments: ['clang++', '-c', '../src/m.cpp', '-o', 'm.o'] },
        { directory: '/work/proj/out', file: '/work/proj/src/n.cpp', command: 'clang++ -c /work/proj/src/n.cpp -o n.o' },
        { directory: '/work/proj/out', file: 'o.cpp', output: 'o.o', command: 'clang++ -c o.cpp' }
      ])
    }
    const objs = ['build/temp/s p.o', 'build/temp/rel.o', 'out/m.o', 'out/n.o', 'out/o.o'].map(o => `"/work/proj/${o}"`).join(' ')
    const [m] = mapFromRecords({ cwd, log: `g++ -shared ${objs} -o ext.so`, binaries: ['ext.so'], buildFiles: [ninja, ccj] })
    expect(m.sources).toEqual(['/work/proj/k.cu', '/work/proj/out/o.cpp', '/work/proj/s p.cpp', '/work/proj/src/m.cpp', '/work/proj/src/n.cpp'])
  })

  test('no log, or an object from nowhere: null (callers fall back to every source)', () => {
    expect(mapFromRecords({ cwd, log: '', binaries: ['x.so'], buildFiles: [] })[0]).toMatchObject({ sources: null, how: 'no link command for it in the build log' })
    const log = 'gcc -c a.c -o a.o\ngcc -shared a.o prebuilt.o -o x.so'
    expect(mapFromRecords({ cwd, log, binaries: ['x.so'], buildFiles: [] })[0]).toMatchObject({ sources: null, how: 'objects traced to no source: prebuilt.o' })
  })

  test('torch::stable::parallel_for lands in its binary but needs no OpenMP flags', () => {
    const dir = fs.mkdtempSync(path.join(root, 'stable-'))
    const file = path.join(dir, 'k.cpp')
    fs.writeFileSync(file, 'void f(int64_t n) {\n  torch::stable::parallel_for(0, n, 1, [](int64_t b, int64_t e) {});\n}\n')
    const hits = scanSource(file, fs.readFileSync(file, 'utf8'))
    const landed = hitsInBinary(hits, [file], dir)
    expect(landed.map(h => h.construct)).toEqual(['stable-parallel'])
    expect(landed.filter(h => needsOpenMP(h, true))).toEqual([])
    // With no map, every hit counts.
    expect(hitsInBinary(hits, null, dir)).toEqual(hits)
  })
})
