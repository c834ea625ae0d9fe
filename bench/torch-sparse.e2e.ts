/**
 * A real third-party extension from its PyPI source distribution:
 * torch-sparse 0.6.18, whose spmm CPU kernel uses at::parallel_for and whose
 * setup.py adds -fopenmp on Linux only ("Compiling without OpenMP..." on
 * macOS). Built against pip's torch 2.13 twice, only the two modules the
 * workload loads (_spmm, _version): as published, and with its OpenMP branch
 * taken as on macOS. The sdist is cached outside the clone
 * (scripts/fetch-torch-sparse.sh) and the compiles go through ccache in a
 * folder keyed by torch version and sdist hash, so a warm run only links.
 *
 * Not in `npm test`: a cold run took 32 min wall (2026-12-02 16:48-17:20, load
 * 6-10 on a shared 2-core machine; 2.5 GB peak RSS): the published build and
 * measuring 16 min, the macOS-branch build 16 min. The macOS-branch test passed
 * (fail naming csrc/cpu/spmm_cpu.cpp, the setup.py patch applies with git
 * apply); the published one measured inconclusive on the busy machine, so it
 * now measures once more when the runner withheld CPUs. A warm run did not hit
 * ccache (see check() below, fixed since, not yet re-timed); even with every
 * compile a hit it runs setup.py twice and measures twice (max-time 120), well
 * over the 1-minute warm budget for npm test. Run it on its own with
 *   NODE_OPTIONS=--experimental-vm-modules npx jest --testMatch '**' bench/torch-sparse.e2e.ts
 * and move it to __tests__/e2e/ once it passes and CI has the time.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import * as crypto from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { validateReport } from '../src/report/schema.js'
import { busyInconclusive } from '../__fixtures__/busy.js'
import { torches } from '../__fixtures__/torches.js'

const cli = path.resolve('dist/cli.js')

// Loads the two modules with torch.ops.load_library, as torch_sparse/__init__.py does, and times spmm at two widths.
const WORKLOAD = `import glob, os, torch
here = os.path.dirname(os.path.abspath(__file__))
for name in ("_version", "_spmm"):
    torch.ops.load_library(glob.glob(os.path.join(here, "torch_sparse", name + "_cpu*.so"))[0])
g = torch.Generator().manual_seed(0)
N, DEG = 8000, 16
rowptr = torch.arange(0, (N + 1) * DEG, DEG)
col = torch.randint(0, N, (N * DEG,), generator=g)
value = torch.rand(N * DEG, generator=g)
def spmm(width):
    mat = torch.rand(N, width, generator=g)
    return lambda: torch.ops.torch_sparse.spmm_sum(None, rowptr, col, value, None, None, mat)
def cases():
    return {"spmm-sum-%d" % w: spmm(w) for w in (32, 128)}
`

// On Linux, this line of its setup.py decides; macOS takes the else branch.
const BRANCH = "and sys.platform != 'darwin'):"

describe.each(torches().filter(t => t.origin === 'pip'))('torch-sparse 0.6.18 from its sdist, $name', torch => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-sparse-'))
  let sdist = ''
  let ccache = ''
  const runs: Record<string, { status: number | null; stdout: string; stderr: string; dir: string }> = {}

  function prepare(variant: string): string {
    const dir = path.join(root, variant)
    fs.mkdirSync(dir)
    execFileSync('tar', ['-xzf', sdist, '-C', dir, '--strip-components=1'])
    // Only the modules the workload loads: setup.py builds one extension per csrc/*.cpp.
    for (const f of fs.readdirSync(path.join(dir, 'csrc'))) if (f.endsWith('.cpp') && f !== 'spmm.cpp' && f !== 'version.cpp') fs.rmSync(path.join(dir, 'csrc', f))
    fs.rmSync(path.join(dir, 'torch_sparse.egg-info'), { recursive: true, force: true })
    fs.writeFileSync(path.join(dir, 'workload.py'), WORKLOAD)
    return dir
  }

  function check(dir: string): (typeof runs)[string] {
    const r = spawnSync(process.execPath, [cli, 'check', '--working-directory', dir, '--python', torch.python, '--build-command', `${torch.python} setup.py build_ext --inplace`, '--workload', 'workload.py', '--max-time', '120', '--json'], {
      encoding: 'utf8',
      timeout: 1_500_000,
      // Each run unpacks into a new temp folder and the compiler wrappers are new files: without these three
      // (as src/build/ccache.ts sets for the action's own cache) every run missed, and a "warm" run compiled
      // from scratch (seen 17:21-17:30 on 2026-12-02: spmm_cpu.cpp still compiling 9 minutes in).
      env: { ...process.env, CCACHE_DIR: ccache, CCACHE_BASEDIR: root, CCACHE_NOHASHDIR: '1', CCACHE_COMPILERCHECK: 'content' }
    })
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, dir }
  }

  beforeAll(() => {
    sdist = execFileSync('bash', ['scripts/fetch-torch-sparse.sh', torch.python], { encoding: 'utf8' }).trim()
    const hash = crypto.createHash('sha256').update(fs.readFileSync(sdist)).digest('hex').slice(0, 16)
    ccache = path.join(os.homedir(), '.cache', 'tsc-torch-sparse', `torch-${torch.version}-sdist-${hash}`, 'ccache')
    fs.mkdirSync(ccache, { recursive: true })
    runs.published = check(prepare('published'))
    // A busy machine gives the documented inconclusive (other processes held the CPUs): measure once more, as e2e/cli does.
    // The second build finds its objects up to date.
    if (busyInconclusive(runs.published.stdout)) runs.published = check(runs.published.dir)
    const off = prepare('macos-branch')
    const setup = fs.readFileSync(path.join(off, 'setup.py'), 'utf8')
    expect(setup).toContain(BRANCH)
    fs.writeFileSync(path.join(off, 'setup.py'), setup.replace(BRANCH, "and sys.platform == 'darwin'):"))
    runs.off = check(off)
  })

  it('as published: -fopenmp on Linux, spmm compiled parallel, and it scales: pass', () => {
    const r = runs.published
    const report = validateReport(JSON.parse(r.stdout))
    const spmm = report.binaries.find(b => /_spmm_cpu/.test(b.path))
    expect(spmm).toMatchObject({ verdict: 'pass', cause: 'openmp-compiled-in' })
    expect(report.cases.map(c => [c.name, c.verdict])).toEqual([
      ['spmm-sum-32', 'pass'],
      ['spmm-sum-128', 'pass']
    ])
    expect(report.verdict).toBe('pass')
    expect(r.status).toBe(0)
  })

  it("with the macOS branch: 'Compiling without OpenMP...', a fail naming the translation units, and a setup.py patch that git apply takes", () => {
    const r = runs.off
    const report = validateReport(JSON.parse(r.stdout))
    expect(fs.readFileSync(path.resolve(r.dir, report.build?.log ?? 'missing'), 'utf8')).toContain('Compiling without OpenMP...')
    const spmm = report.binaries.find(b => /_spmm_cpu/.test(b.path))
    expect(spmm).toMatchObject({ verdict: 'fail', cause: 'compiled-without-openmp' })
    expect(spmm?.lostLines.map(h => h.file)).toContain(path.join('csrc', 'cpu', 'spmm_cpu.cpp'))
    expect(report.build?.audit?.flagged.map(t => t.file)).toContain(path.join('csrc', 'cpu', 'spmm_cpu.cpp'))
    expect(report.verdict).toBe('fail')
    expect(r.status).toBe(1)
    expect(report.remediation?.file).toBe('setup.py')
    const patch = path.join(root, 'openmp.patch')
    fs.writeFileSync(patch, report.remediation?.diff ?? '')
    execFileSync('git', ['apply', '--check', '-v', patch], { cwd: r.dir })
  })
})
