/**
 * Thread control that really controls: the example built with clang
 * -fopenmp links LLVM's libomp while Debian's torch runs GNU libgomp, so two
 * OpenMP runtimes share the process and torch.set_num_threads() alone would
 * not size the extension's team. The harness sets OMP_NUM_THREADS before
 * Python starts, one process per thread count, so both runtimes obey.
 * Asserted on per-thread CPU time (how many threads worked), not on speed.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { inspectBinary } from '../../src/inspect/inspect-binary.js'
import type { Log } from '../../src/log.js'
import { measure } from '../../src/measure/measure.js'
import { busyThreads } from '../../src/measure/rounds.js'
import type { Measurement } from '../../src/measure/types.js'
import { harnessPath } from '../../src/paths.js'
import { copyExample } from '../../__fixtures__/run-action.js'
import { torches } from '../../__fixtures__/torches.js'

const quiet: Log = { info: () => undefined, debug: () => undefined, warning: () => undefined, error: () => undefined, notice: () => undefined, group: (_n, fn) => fn() }

// Both torches: Debian's 1.13 (system libgomp) and pip's 2.13 wheel (its own torch/lib/libgomp.so.1).
describe.each(torches())('two OpenMP runtimes in one process (clang -fopenmp against libgomp torch), $name', torch => {
  let dir: string
  let m: Measurement
  beforeAll(async () => {
    dir = copyExample('parallel-ext', fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-clang-')))
    execFileSync(torch.python, ['setup.py', 'build_ext', '--inplace'], { cwd: dir, env: { ...process.env, CC: 'clang', CXX: 'clang++', PARALLEL_EXT_OPENMP: '1' }, stdio: 'pipe' })
    m = await measure({ python: torch.python, harness: harnessPath(), workload: path.join(dir, 'workload.py'), workdir: dir, threads: [1, 2], maxTime: 120, sampleSeconds: 0.1, minRounds: 3, maxRounds: 3, log: quiet }, { isDecided: () => true })
  }, 600_000)

  it('builds an extension that imports LLVM libomp entries, not torch\'s libgomp', () => {
    const so = fs.readdirSync(dir).find(f => f.startsWith('parallel_ext') && f.endsWith('.so')) as string
    const [image] = inspectBinary(path.join(dir, so))
    expect(image.openmp.forkImports).toEqual(['__kmpc_fork_call'])
    expect(image.openmp.runtimes.map(r => r.family)).toEqual(['llvm'])
  })

  it('runs every case on one thread when one is asked for, and on two when two are', () => {
    for (const c of m.cases) {
      expect(c.error).toBeUndefined()
      expect([c.name, busyThreads(c, 1)]).toEqual([c.name, 1])
      expect([c.name, busyThreads(c, 2)]).toEqual([c.name, 2])
    }
  })
})
