/** The build's time and the cache's hit rate, for the summary and the terminal. Pure. */
import type { BuildCacheReport } from '../build/build-cache.js'
import { md } from './format.js'

const pct = (r: number | null): string => (r === null ? 'n/a' : `${Math.round(r * 100)}%`)

function restored(r: BuildCacheReport): string {
  if (r.restoredKey === null) return 'nothing (first run for this toolchain)'
  return r.exactHit ? 'this exact key' : `\`${md(r.restoredKey)}\` (a restore key)`
}

export function renderBuildCacheMarkdown(r: BuildCacheReport): string {
  const s = r.stats
  return [
    '### Build cache (ccache)',
    '',
    '| build time | hit rate | hits | misses | uncacheable | restored | saved |',
    '|---:|---:|---:|---:|---:|---|---|',
    `| ${r.buildSeconds.toFixed(1)} s | ${pct(s.hitRate)} | ${s.hits} | ${s.misses} | ${s.uncacheable} | ${restored(r)} | ${r.saved ? 'yes' : 'no (unchanged)'} |`,
    '',
    `Key: \`${md(r.key)}\`. Flags are part of ccache's hash, so a changed flag always recompiles; the flag audit reads the commands that ran.`,
    ''
  ].join('\n')
}

export function renderBuildCacheText(r: BuildCacheReport): string {
  const s = r.stats
  return `Build: ${r.buildSeconds.toFixed(1)} s; ccache hit rate ${pct(s.hitRate)} (${s.hits} hits, ${s.misses} misses); restored ${r.restoredKey ?? 'nothing'}; ${r.saved ? `saved ${r.key}` : 'not saved (unchanged)'}\n`
}
