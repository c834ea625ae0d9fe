#!/usr/bin/env node
// Checks that imports between the folders of src/ point one way, along the
// data flow: each folder may import the folders before it in LAYERS, never
// one after it. The shared modules at the top of src/ (BASE) import no
// folder; the entry points (everything else at the top) may import anything.
// Exits 1, listing each import that points the wrong way.
import * as fs from 'node:fs'
import * as path from 'node:path'

const SRC = path.resolve(process.argv[2] ?? 'src')
/** The data flow, first to last. */
export const LAYERS = ['process', 'config', 'sources', 'fix', 'build', 'locate', 'inspect', 'measure', 'judge', 'report', 'publish']
/** Modules at the top of src/ that every folder may use. */
export const BASE = ['check-error.ts', 'constants.ts', 'log.ts', 'paths.ts', 'runner-facts.ts']

function files(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1)).flatMap(e => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? files(p) : e.name.endsWith('.ts') ? [p] : []
  })
}

/** 'layer:<name>', 'base', 'entry', or null for a path outside src/. */
function placeOf(file) {
  const rel = path.relative(SRC, file)
  if (rel.startsWith('..')) return null
  const parts = rel.split(path.sep)
  if (parts.length === 1) return BASE.includes(parts[0]) ? 'base' : 'entry'
  if (!LAYERS.includes(parts[0])) return `unknown:${parts[0]}`
  return `layer:${parts[0]}`
}

const SPECIFIER = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g

export function violations() {
  const found = []
  for (const file of files(SRC)) {
    const from = placeOf(file)
    if (from.startsWith('unknown:')) {
      found.push(`${path.relative(SRC, file)}: folder '${from.slice(8)}' is not in LAYERS of scripts/check-imports.mjs`)
      continue
    }
    const text = fs.readFileSync(file, 'utf8')
    for (const m of text.matchAll(SPECIFIER)) {
      const spec = m[1] ?? m[2]
      if (!spec.startsWith('.')) continue
      const target = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts')
      const to = placeOf(target)
      if (to === null || to === from) continue
      let ok
      if (from === 'entry') ok = true
      else if (to === 'entry') ok = false
      else if (to === 'base') ok = true
      else if (from === 'base') ok = false
      else ok = LAYERS.indexOf(to.slice(6)) < LAYERS.indexOf(from.slice(6))
      if (!ok) found.push(`${path.relative(SRC, file)} imports ${path.relative(SRC, target)}: ${from.replace('layer:', '')} may not import ${to.replace('layer:', '')}`)
    }
  }
  return found
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const found = violations()
  if (found.length) {
    console.error(`Imports against the data flow (${LAYERS.join(' → ')}):\n${found.map(f => `  ${f}`).join('\n')}`)
    process.exit(1)
  }
  console.log(`Imports point one way: ${LAYERS.join(' → ')}`)
}
