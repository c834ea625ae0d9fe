import type { RunnerFacts } from '../runner-facts.js'

/**
 * A copy may need more than the single-thread process's peak so far: a
 * case's temporaries vary from call to call.
 */
const MEMORY_HEADROOM = 1.5
/** Share of the runner's available memory the copies may take; the rest stays with the runner and the page cache. */
const MEMORY_SHARE = 0.75

const mib = (bytes: number): string => `${Math.round(bytes / 2 ** 20)} MiB`

/**
 * Why the throughput reference can't run, or null when it can. Decided
 * before any copy starts, so a runner short of memory is never pushed into
 * swapping or the OOM killer by the check itself.
 *
 * @param copies the judged thread count: n copies, of which the single-thread worker is one
 * @param peakRss peak resident bytes of the single-thread worker after calibration (it ran every case once)
 */
export function referenceBlocker(copies: number, facts: RunnerFacts, peakRss: number | null): string | null {
  if (copies < 2) return 'the runner has one usable CPU, so there is no parallel throughput to compare against'
  const available = facts.memAvailable
  if (available === null || available === undefined || peakRss === null) return null
  const extra = copies - 1
  const need = extra * peakRss * MEMORY_HEADROOM
  if (need <= available * MEMORY_SHARE) return null
  return `${extra} more single-thread process(es) would need about ${mib(need)} (${mib(peakRss)} peak each, with headroom), and the runner has ${mib(available)} available`
}
