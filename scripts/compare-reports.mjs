#!/usr/bin/env node
// Compares two JSON reports key by key, leaving out what differs from run to
// run by nature: times, timings, measured values and temporary paths. Used to
// show that a refactor left the report unchanged:
//   node scripts/compare-reports.mjs before.json after.json [--ignore KEY,...]
// Prints each differing path with both values; exits 1 when any differ.
import * as fs from 'node:fs'

/** Keys whose values are times or measurements: never compared. */
export const VOLATILE = new Set([
  'createdAt', 'seconds', 'wall', 'cpu', 'samples', 'rows', 'judged', 'reference', 'inflation', 'speedup',
  'perCall', 'steal', 'wait', 'peakRss', 'memAvailable', 'rounds', 'stoppedBy', 'logPath', 'durationSeconds'
])

/** Temporary folders differ between runs: compare what is under them. */
const TEMP = /\/(?:tmp|var\/folders)\/[^/\s'"]+/g

/** The region counter's file is named by a hash of count_regions.c: a change to the C text renames it. */
const COUNTER = /libtsc_count-[0-9a-f]+\.so/g

/** Measured numbers inside sentences: durations, speedups, shares, intervals and ratios. */
const MEASURED = /\d+(?:\.\d+)?\s?(?:ms|s|x|%)(?![A-Za-z])|\b\d+\.\d+\b/g

const scrub = v => (typeof v === 'string' ? v.replace(TEMP, '<tmp>').replace(COUNTER, 'libtsc_count-<hash>.so').replace(MEASURED, '<n>') : v)

/**
 * Lists whose order is the machine's, not the code's: the libraries a
 * process mapped, and the translation units of a parallel build (recorded
 * as they finish), all of them or those flagged. Compared as sorted lists.
 */
const UNORDERED = { mappedLibraries: x => x, tus: t => t?.file ?? '', flagged: t => t?.file ?? '' }

function sortedBy(list, key) {
  return [...list].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0))
}

export function differences(a, b, ignore = new Set(), at = '') {
  if (Array.isArray(a) && Array.isArray(b)) {
    const out = a.length === b.length ? [] : [`${at}: ${a.length} items, then ${b.length}`]
    for (let i = 0; i < Math.min(a.length, b.length); i++) out.push(...differences(a[i], b[i], ignore, `${at}[${i}]`))
    return out
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
    return keys.filter(k => !VOLATILE.has(k) && !ignore.has(k)).flatMap(k => {
      const where = at ? `${at}.${k}` : k
      if (!(k in a)) return [`${where}: added ${JSON.stringify(b[k]).slice(0, 120)}`]
      if (!(k in b)) return [`${where}: removed (was ${JSON.stringify(a[k]).slice(0, 120)})`]
      const key = UNORDERED[k]
      if (key && Array.isArray(a[k]) && Array.isArray(b[k])) return differences(sortedBy(a[k], key), sortedBy(b[k], key), ignore, where)
      return differences(a[k], b[k], ignore, where)
    })
  }
  return scrub(a) === scrub(b) ? [] : [`${at}: ${JSON.stringify(a)?.slice(0, 160)} -> ${JSON.stringify(b)?.slice(0, 160)}`]
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2)
  const i = args.indexOf('--ignore')
  const ignore = new Set(i >= 0 ? (args.splice(i, 2)[1] ?? '').split(',').filter(Boolean) : [])
  if (args.length !== 2) {
    console.error('Usage: node scripts/compare-reports.mjs before.json after.json [--ignore KEY,...]')
    process.exit(2)
  }
  const [a, b] = args.map(f => JSON.parse(fs.readFileSync(f, 'utf8')))
  const found = differences(a, b, ignore)
  if (found.length) {
    console.log(`${found.length} difference(s):\n${found.map(d => `  ${d}`).join('\n')}`)
    process.exit(1)
  }
  console.log('The reports match, times and timings aside.')
}
