import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

const script = path.resolve('scripts/check-imports.mjs')

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-imports-'))
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true })
    fs.writeFileSync(path.join(root, rel), text)
  }
  return root
}

const run = (dir: string) => spawnSync(process.execPath, [script, dir], { encoding: 'utf8' })

describe('scripts/check-imports.mjs', () => {
  it('passes src/ as it is', () => {
    const r = run(path.resolve('src'))
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  })

  it('accepts imports along the flow and names each one against it', () => {
    const root = tree({
      'log.ts': 'export const x = 1\n',
      'pipeline.ts': "import { j } from './judge/judge.js'\n",
      'build/b.ts': "import { x } from '../log.js'\nexport const b = 1\n",
      'judge/judge.ts': "import { b } from '../build/b.js'\nimport type { R } from '../report/types.js'\nexport const j = 1\n",
      'report/types.ts': "export type R = number\n",
      'inspect/lazy.ts': "export async function f() { return import('../publish/p.js') }\n",
      'publish/p.ts': "import { j } from '../judge/judge.js'\nimport { run } from '../pipeline.js'\n"
    })
    const r = run(root)
    expect(r.status).toBe(1)
    expect(r.stderr.trim().split('\n').slice(1)).toEqual([
      '  inspect/lazy.ts imports publish/p.ts: inspect may not import publish',
      '  judge/judge.ts imports report/types.ts: judge may not import report',
      '  publish/p.ts imports pipeline.ts: publish may not import entry'
    ])
  })

  it('names a folder that has no place in the flow', () => {
    const r = run(tree({ 'misc/a.ts': 'export {}\n' }))
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/misc\/a\.ts: folder 'misc' is not in LAYERS/)
  })
})
