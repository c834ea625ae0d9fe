import { CONFIRM_ROUNDS, RELATIVE_FAIL, type CaseDecision } from './case-verdict.js'
import type { ThreadRow, Threshold } from './types.js'

const fmt = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : 'n/a')
const pct = (x: number): string => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : 'n/a')
const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1)
const micro = (s: number): string => (s < 1e-3 ? `${Math.round(s * 1e6)} µs` : `${(s * 1e3).toFixed(1)} ms`)

/**
 * The sentence a maintainer reads for one case: what was measured, against
 * what, and what to do. One sentence per cause, so the words and the
 * decision never drift apart.
 */
export function caseReason(d: CaseDecision, row: ThreadRow, singleCall: number, t: Threshold, referenceSkipped: string | null): string {
  const s = d.speedup
  const at = s ? `${fmt(s.estimate)}x at ${t.judgedThreads} threads (95% interval ${fmt(s.low)}-${fmt(s.high)})` : ''
  const required = `the required ${fmt(t.required)}x`
  const work = `CPU time per wall time ${fmt(row.cpuPerWall)}${row.busyThreads !== null ? `, ${row.busyThreads} busy thread(s)` : ''}`
  const r = d.reference
  const copies = r ? `${r.copies} independent single-thread copies of the same call` : ''
  const share = r ? `${pct(r.relative.estimate)} (95% interval ${pct(r.relative.low)}-${pct(r.relative.high)})` : ''
  const noReference = referenceSkipped ? ` No throughput reference ran (${referenceSkipped}).` : ''
  switch (d.cause) {
    case 'scales':
      return `Speedup ${at} meets ${required}; ${work}.${r ? ` ${copies} reached ${fmt(r.throughput.estimate)}x at the same time, and the kernel ${share} of that.` : ''}`
    case 'unclear':
      return `Speedup ${at} straddles ${required} and max-time ran out before it was clear. Raise max-time, or make one call of the case longer.`
    case 'serial':
      return `Speedup ${at} is below ${required}. Only one thread did the work (${work}): the kernel ran serially.${r ? ` ${copies} reached ${fmt(r.throughput.estimate)}x at the same time.` : ''}`
    case 'contention':
    case 'partly-serial':
    case 'too-little-work': {
      const against = r
        ? ` and clearly below what ${copies} reached at the same time, ${fmt(r.throughput.estimate)}x: the kernel got ${share} of it, under the ${pct(RELATIVE_FAIL)} bar, on a runner that gave its threads their CPUs.`
        : `, while libtorch's control op scaled on this runner, over ${d.rounds} rounds.${noReference}`
      const why = {
        'too-little-work': ` One call takes ${micro(singleCall)} on one thread: too little work to amortise opening a parallel region and waking its threads. Parallelise an outer loop, or give each call more work.`,
        'partly-serial': ` Its threads sat idle for part of each call (${work}): a serial part of the call (work outside parallel_for, Amdahl's law), uneven chunks, or a lock that threads sleep on.`,
        contention: ` ${row.busyThreads ?? 'Several'} threads were busy (${work}) yet slower than separate processes: contention inside the kernel, such as threads writing to the same cache lines (false sharing), atomics or a lock.`
      }[d.cause]
      return `Speedup ${at} is below ${required}${against}${why}`
    }
    case 'runner-limit':
      if (s && s.high >= t.required) {
        return `Speedup ${at} straddles ${required} after ${d.rounds} rounds, while ${copies} reached ${fmt(r?.throughput.estimate ?? NaN)}x at the same time and the kernel ${share} of that: the code is as parallel as this runner allows, and this runner's limit sits at the requirement${d.withheld ? ` while ${d.withheld}` : ''}. Re-run on a runner with more free cores or memory bandwidth.`
      }
      return `Speedup ${at} is below ${required}, but this runner gives at most ${fmt(r?.throughput.estimate ?? NaN)}x for this kernel's kind of work (${copies} at once), and the kernel reached ${share} of it: the code is as parallel as this runner allows${d.withheld ? ` while ${d.withheld}` : ''}. Re-run on a runner with more free cores or memory bandwidth.`
    case 'unclear-reference':
      return `Speedup ${at} is below ${required}; ${copies} reached ${fmt(r?.throughput.estimate ?? NaN)}x at the same time and the kernel ${share} of that, too close to the ${pct(RELATIVE_FAIL)} bar to call before max-time ran out. Raise max-time.`
    case 'unconfirmed':
      return `Speedup ${at} is below ${required} while libtorch's control op scaled, but without a throughput reference a kernel not seen running on one thread fails only after ${CONFIRM_ROUNDS} rounds, to outlast a passing slow spell of the runner; max-time ran out after ${d.rounds}. Raise max-time to confirm.${noReference} ${work}.`
    case 'cpu-withheld': {
      const vsCopies = r
        ? ` ${capital(copies)} reached ${fmt(r.throughput.estimate)}x and the kernel ${share} of that, but a team waits for its slowest thread at every barrier and copies don't, so a sound kernel and a contended one look alike on such a runner.`
        : ''
      return `Speedup ${at} is below ${required}, but ${d.withheld}, so the timings say little about the kernel.${vsCopies} Measure when the runner is otherwise idle (not beside a parallel build or test step).${noReference} ${work}.`
    }
    case 'no-region':
    case 'team-of-one': {
      const g = d.regions
      const libtorch =
        g && g.libtorch.regions + g.other.regions > 0
          ? ` Meanwhile libtorch opened ${g.libtorch.regions} region(s)${g.libtorch.regions ? ` with teams of up to ${g.libtorch.largestTeam} thread(s)` : ''}${g.other.regions ? ` and other libraries ${g.other.regions}` : ''}: whatever speedup (${at}) and busy threads the case showed came from those ops, not the extension's loops.`
          : ''
      const calls = g ? ` over ${g.calls} call(s)` : ''
      if (d.cause === 'no-region') {
        return `The extension opened no parallel region in this case at ${t.judgedThreads} threads (counted${calls}), although OpenMP is compiled in: its own loops ran on one thread.${libtorch} Likely causes: an at::parallel_for whose grain size is at least its range (it then runs inline, on the calling thread), a call nested inside another parallel region (at::parallel_for runs inline there), or a thread limit (torch.set_num_threads(1) or at::set_num_threads(1) in the workload, OMP_THREAD_LIMIT).`
      }
      return `The extension opened ${g?.extension.regions ?? 0} parallel region(s) in this case at ${t.judgedThreads} threads (counted${calls}), but every team had one thread: its loops ran serially inside them.${libtorch} Likely causes: a region nested inside another one (OMP_MAX_ACTIVE_LEVELS keeps inner teams at one thread), num_threads(1) or an if() clause that is false, or OMP_THREAD_LIMIT=1.`
    }
    case 'control-flat':
      return `Speedup ${at} is below ${required}, but libtorch's control op did not scale either: the runner can't deliver parallel speedup right now.${noReference} ${work}.`
    default:
      return `Speedup ${at}; ${work}.`
  }
}
