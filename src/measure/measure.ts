import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Log } from '../log.js'
import type { Reply } from './protocol.js'
import { referenceBlocker } from './reference.js'
import { callTime, referenceRatios, roundOrder, speedupInterval } from './rounds.js'
import { median } from './stats.js'
import { CONTROL_CASE, type CaseMeasurement, type CountingInfo, type Measurement, type ReferenceSample } from './types.js'
import type { RunnerFacts } from '../runner-facts.js'
import { Worker, WorkerFailure } from './worker.js'
import { counterEnv, type Counter } from './counter.js'

/** How measuring asks the judge when to stop; judge/stop-rule.ts builds it from the static evidence. */
export interface StopRule {
  /** True once more rounds can't change the case's verdict; 'counted' when a counted fact (no timing) decided it, which stops after COUNTED_ROUNDS. */
  isDecided: (c: CaseMeasurement, facts: RunnerFacts, control: CaseMeasurement, counting: CountingInfo) => boolean | 'counted'
  /**
   * Why no timing can change the overall verdict (the binary alone fails), or
   * null. Then only a few rounds run: the timings are for the report.
   */
  staticVerdict?: (facts: RunnerFacts) => string | null
  /** Thread count the progress lines show the speedup at (default: the largest). */
  progressThreads?: (facts: RunnerFacts) => number
}

export interface MeasureOptions {
  python: string
  /** Path of harness.py. */
  harness: string
  workload: string | null
  workdir: string
  threads: number[]
  /** Budget in seconds for the whole measurement. */
  maxTime: number
  /** Target length of one sample at 1 thread. */
  sampleSeconds?: number
  minRounds?: number
  maxRounds?: number
  /** Seconds a single sample may take before the case counts as hung. */
  sampleTimeout?: number
  log: Log
  /** The compiled region counter, or why there is none; absent: regions are not counted. */
  counter?: Counter
  /** The user's extension binaries (absolute paths): the regions they open are the extension's. */
  extensions?: string[]
}

/** Measuring could not start at all: torch missing, the workload won't import, ... */
export class MeasureSetupError extends Error {
  constructor(
    message: string,
    readonly details: string
  ) {
    super(message)
    this.name = 'MeasureSetupError'
  }
}

const STARTUP_TIMEOUT_MS = 180_000
/** Rounds measured when the binary alone fixes the verdict: enough for a table. */
const STATIC_VERDICT_ROUNDS = 2

/**
 * Rounds after which a case decided by a counted fact (the extension opened
 * no parallel region at the judged count) stops: two rounds of counts agree,
 * and no timing is waited for.
 */
export const COUNTED_ROUNDS = 2

function describeError(r: Extract<Reply, { op: 'error' }>): string {
  return `${r.type}: ${r.message}\n${r.traceback}`.trim()
}

async function startWorker(
  opts: MeasureOptions,
  threads: number
): Promise<{ worker: Worker; facts: RunnerFacts; cases: string[]; gpuCases: string[]; skipped: Record<string, string>; workloadInfo: Record<string, string>; peakRss: number | null; counting: Extract<Reply, { op: 'ready' }>['counting'] }> {
  const env = opts.counter ? counterEnv(opts.counter) : {}
  const worker = new Worker({ python: opts.python, harness: opts.harness, workload: opts.workload, workdir: opts.workdir, threads, env })
  let reply: Reply
  try {
    reply = await worker.next(STARTUP_TIMEOUT_MS)
  } catch (e) {
    const f = e as WorkerFailure
    throw new MeasureSetupError(`The harness could not start with python '${opts.python}': ${f.message}.`, f.stderr ?? '')
  }
  if (reply.op === 'error') {
    worker.kill()
    if (reply.stage === 'torch') {
      throw new MeasureSetupError(`Input 'python': '${opts.python}' cannot import torch (${reply.type}: ${reply.message}). Set 'python' to the interpreter that has torch installed.`, reply.traceback)
    }
    throw new MeasureSetupError(`Input 'workload': importing ${opts.workload} failed (${reply.type}: ${reply.message}). If the extension itself won't import, check the build's output above.`, reply.traceback)
  }
  if (reply.op !== 'ready') throw new MeasureSetupError(`The harness answered '${reply.op}' before it was ready.`, worker.output)
  return { worker, facts: reply.facts, cases: reply.cases, gpuCases: reply.gpuCases, skipped: reply.skipped, workloadInfo: reply.workloadInfo, peakRss: reply.peakRss, counting: reply.counting }
}

/** Whether regions were counted in every measuring process, or why not. */
function countingInfo(opts: MeasureOptions, ready: { counting: Extract<Reply, { op: 'ready' }>['counting'] }[], facts: RunnerFacts): CountingInfo {
  const extensions = (opts.extensions ?? []).map(p => {
    try {
      return fs.realpathSync(p)
    } catch {
      return path.resolve(p)
    }
  })
  const loaded = new Set(facts.mappedLibraries ?? [])
  const mapped = extensions.filter(p => loaded.has(p))
  const c = opts.counter
  if (!c) return { available: false, reason: 'the region counter was not requested', extensions, mapped }
  if (c.library === null) return { available: false, reason: c.reason, extensions, mapped }
  const off = ready.find(r => !r.counting?.available)
  if (off) return { available: false, reason: off.counting?.reason ?? 'the harness did not report counting (an older harness)', extensions, mapped }
  return { available: true, reason: null, extensions, mapped, via: c.via }
}

/** One sample slot of a round: a thread count, or the n single-thread copies at once. */
type Slot = number | 'reference'

/** Seconds between sending a reference sample and its start: every copy has read the command by then. */
const REFERENCE_START_DELAY_S = 0.03

/**
 * Times every case at every thread count, and at the judged count also as n
 * independent single-thread copies at once (the throughput reference), in
 * rounds that interleave them (rotating their order) so drift on a shared
 * runner hits all of them alike, and stops as soon as every case is decided.
 */
export async function measure(opts: MeasureOptions, rule: StopRule): Promise<Measurement> {
  const sampleSeconds = opts.sampleSeconds ?? 0.15
  let minRounds = opts.minRounds ?? 4
  let maxRounds = opts.maxRounds ?? 60
  const sampleTimeoutMs = (opts.sampleTimeout ?? 60) * 1000
  const started = Date.now()
  const { log } = opts

  log.info(`Starting ${opts.threads.length} measuring processes (threads ${opts.threads.join(', ')}) with ${opts.python}`)
  const startedWorkers = await Promise.allSettled(opts.threads.map(n => startWorker(opts, n)))
  const failure = startedWorkers.find(s => s.status === 'rejected')
  const workers = new Map<number, Worker>()
  startedWorkers.forEach((s, i) => s.status === 'fulfilled' && workers.set(opts.threads[i], s.value.worker))
  if (failure) {
    for (const w of workers.values()) w.kill()
    throw (failure as PromiseRejectedResult).reason
  }
  const first = (startedWorkers[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof startWorker>>>).value
  const facts = first.facts
  log.info(`torch ${facts.torchVersion} (parallel backend: ${facts.parallelBackend}), ${facts.usableCpus} usable CPU(s) of ${facts.cpuCount}`)
  const fixed = rule.staticVerdict?.(facts) ?? null
  if (fixed) {
    minRounds = maxRounds = Math.min(maxRounds, STATIC_VERDICT_ROUNDS)
    log.info(`${fixed} No timing can change that verdict, so only ${maxRounds} round(s) are measured, for the report.`)
  }
  const judged = rule.progressThreads?.(facts) ?? Math.max(...opts.threads)
  const counting = countingInfo(
    opts,
    startedWorkers.map(s => (s as PromiseFulfilledResult<Awaited<ReturnType<typeof startWorker>>>).value),
    facts
  )
  if (opts.counter) log.info(counting.available ? `Counting parallel regions per shared object (count_regions.c, ${opts.counter.library !== null && opts.counter.via === 'ompt' ? 'an OMPT tool through OMP_TOOL_LIBRARIES' : 'LD_PRELOAD'})` : `Parallel regions not counted: ${counting.reason}`)

  const rss = new Map<string, number>()
  const noteRss = (process: string, bytes: number | null): void => {
    if (bytes !== null) rss.set(process, Math.max(bytes, rss.get(process) ?? 0))
  }
  startedWorkers.forEach((s, i) => s.status === 'fulfilled' && noteRss(threadsLabel(opts.threads[i]), s.value.peakRss))

  const all: CaseMeasurement[] = [...first.cases, CONTROL_CASE].map(name => ({ name, iters: 0, samples: [], ...(first.gpuCases.includes(name) ? { gpu: true } : {}) }))
  // Cases that need CUDA on a runner without it: reported as skipped, never run.
  const notRun: CaseMeasurement[] = Object.entries(first.skipped).map(([name, why]) => ({ name, iters: 0, samples: [], skipped: why }))
  for (const c of notRun) log.info(`Case '${c.name}' skipped: ${c.skipped}`)
  const out = (c: CaseMeasurement): boolean => c.error !== undefined || c.skipped !== undefined
  const fail = (c: CaseMeasurement, what: string, e: unknown): void => {
    const stderr = e instanceof WorkerFailure && e.stderr ? `\n--- harness output (last lines) ---\n${e.stderr}` : ''
    c.error = `${what}: ${e instanceof Error ? e.message : String(e)}${stderr}`
    log.warning(`Case '${c.name}' ${what.toLowerCase()}: ${e instanceof Error ? e.message : String(e)}`)
  }
  const replied = (c: CaseMeasurement, r: Reply, what: string): Reply | null => {
    if (r.op !== 'error') return r
    if (r.cudaMissing) {
      c.skipped = `needs CUDA (it raised ${r.type}: ${r.message.split('\n')[0]}), and ${r.cudaMissing}`
      log.info(`Case '${c.name}' skipped: ${c.skipped}`)
      return null
    }
    c.error = `${what} raised ${describeError(r)}`
    log.warning(`Case '${c.name}' raised ${r.type}: ${r.message}`)
    return null
  }

  /** Sends one request; on a crash or hang, marks the case and replaces the worker. */
  const ask = async (c: CaseMeasurement, threads: number, cmd: object, what: string): Promise<Reply | null> => {
    const w = workers.get(threads) as Worker
    try {
      return replied(c, await w.request(cmd, sampleTimeoutMs), what)
    } catch (e) {
      fail(c, what, e)
      w.kill()
      workers.set(threads, (await startWorker(opts, threads)).worker)
      return null
    }
  }

  // The single-thread worker is copy 1 of the reference; these are the others.
  const copies: Worker[] = []
  let referenceSkipped: string | null = fixed ? 'the binary alone decided the verdict' : null
  let copiesStarting: Promise<void> | null = null

  /** Runs one sample of `c` in every copy at the same moment. */
  const askReference = async (c: CaseMeasurement, round: number, iters: number): Promise<ReferenceSample | null> => {
    const team = [workers.get(1) as Worker, ...copies]
    const cmd = { op: 'run', case: c.name, iters, start_at: Date.now() / 1000 + REFERENCE_START_DELAY_S }
    const what = `Reference run (${team.length} single-thread copies at once)`
    const settled = await Promise.allSettled(team.map(w => w.request(cmd, sampleTimeoutMs)))
    const perCopy: number[] = []
    const cpuPerCopy: number[] = []
    for (const [i, s] of settled.entries()) {
      if (s.status === 'rejected') {
        fail(c, what, s.reason)
        team[i].kill()
        const fresh = (await startWorker(opts, 1)).worker
        if (i === 0) workers.set(1, fresh)
        else copies[i - 1] = fresh
        continue
      }
      const r = replied(c, s.value, what)
      if (r?.op !== 'sample') continue
      noteRss(i === 0 ? threadsLabel(1) : `copy ${i + 1}`, r.peakRss)
      perCopy.push(callTime(r))
      cpuPerCopy.push(r.cpu / r.iters)
    }
    return perCopy.length === team.length ? { round, iters, perCopy, cpuPerCopy } : null
  }

  try {
    log.info(`Calibrating ${all.length} case(s) to samples of about ${sampleSeconds} s`)
    for (const c of all) {
      const r = await ask(c, 1, { op: 'calibrate', case: c.name, target: sampleSeconds }, 'Calibration')
      if (r?.op === 'calibrated') {
        c.iters = r.iters
        noteRss(threadsLabel(1), r.peakRss)
      }
    }
    referenceSkipped ??= referenceBlocker(judged, facts, rss.get(threadsLabel(1)) ?? null)
    if (referenceSkipped) log.info(`No throughput reference: ${referenceSkipped}. Cases are judged against min-speedup and libtorch's control op alone.`)
    else {
      log.info(`Starting ${judged - 1} more single-thread process(es): each case also runs as ${judged} independent copies at once, the most any threading of it can gain on this runner`)
      // They start while the warm-up round runs.
      copiesStarting = Promise.allSettled(Array.from({ length: judged - 1 }, () => startWorker(opts, 1))).then(started => {
        const failed = started.find(s => s.status === 'rejected')
        for (const s of started) if (s.status === 'fulfilled') (failed ? s.value.worker.kill() : copies.push(s.value.worker))
        if (failed) throw (failed as PromiseRejectedResult).reason
      })
    }

    let round = 0
    let stoppedBy: Measurement['stoppedBy'] = fixed ? 'static-verdict' : 'max-rounds'
    let lastRoundMs = 0
    // Counts the verdict doesn't rest on (oversubscribed ones) are shown, so
    // they get the minimum rounds; later rounds spend the time on 1 and `judged`.
    const essential = new Set([1, judged])
    const done = new Set<CaseMeasurement>()
    // Round 0 warms caches, thread pools and CPU clocks; its samples are dropped.
    for (; round <= maxRounds; round++) {
      const t0 = Date.now()
      if (copiesStarting && round === 1) {
        const ready = await copiesStarting.then(
          () => null,
          (e: unknown) => (e instanceof Error ? e.message : String(e))
        )
        copiesStarting = null
        if (ready !== null) {
          referenceSkipped = `a reference process failed to start: ${ready}`
          log.warning(`No throughput reference: ${referenceSkipped}`)
        }
      }
      const counts = round <= minRounds ? opts.threads : opts.threads.filter(n => essential.has(n))
      // The control is runner information only: it gets no reference of its own.
      const withReference = !referenceSkipped && copies.length === judged - 1
      for (const c of all) {
        if (out(c) || done.has(c)) continue
        const slots: Slot[] = withReference && c.name !== CONTROL_CASE ? [...counts, 'reference'] : counts
        for (const slot of roundOrder(slots, round)) {
          // The warm-up only has to start thread pools and fill caches: half a sample does.
          const iters = round === 0 ? Math.max(1, Math.ceil(c.iters / 2)) : c.iters
          if (slot === 'reference') {
            const ref = await askReference(c, round, iters)
            if (!ref) break
            if (round > 0) (c.reference ??= []).push(ref)
            continue
          }
          const r = await ask(c, slot, { op: 'run', case: c.name, iters }, `Run at ${slot} thread(s)`)
          if (r?.op !== 'sample') break
          noteRss(threadsLabel(slot), r.peakRss)
          if (round > 0) c.samples.push({ round, threads: slot, iters: r.iters, wall: r.wall, cpu: r.cpu, perCall: r.perCall, steal: r.steal, wait: r.wait, threadCpu: r.threadCpu, ...(counting.available && r.regions ? { regions: r.regions } : {}) })
        }
      }
      lastRoundMs = Date.now() - t0
      if (round > 0) log.info(progressLine(round, all, judged))
      // A decided case stops; the others keep the rounds going.
      const control = all[all.length - 1]
      // A GPU case is timed for information: the minimum rounds do.
      if (round >= Math.min(minRounds, COUNTED_ROUNDS)) {
        for (const c of all) {
          if (out(c) || done.has(c)) continue
          const decided = c.gpu || rule.isDecided(c, facts, control, counting)
          if (decided === 'counted' || (decided && round >= minRounds)) done.add(c)
        }
      }
      // With the reference, the control decides nothing: it runs while the cases do.
      const needed = referenceSkipped ? all : all.filter(c => c.name !== CONTROL_CASE)
      if (!fixed && needed.every(c => out(c) || done.has(c))) {
        stoppedBy = 'decided'
        break
      }
      if (Date.now() - started + lastRoundMs > opts.maxTime * 1000) {
        stoppedBy = 'max-time'
        break
      }
    }
    const control = all.pop() as CaseMeasurement
    const reference = { copies: referenceSkipped ? 0 : judged, skipped: referenceSkipped, peakRss: [...rss].map(([process, bytes]) => ({ process, bytes })) }
    return { facts, threads: opts.threads, cases: [...all, ...notRun], control, workloadInfo: first.workloadInfo, rounds: Math.min(round, maxRounds), seconds: (Date.now() - started) / 1000, stoppedBy, reference, counting }
  } finally {
    await copiesStarting?.catch(() => undefined)
    await Promise.all([...workers.values(), ...copies].map(w => w.close()))
  }
}

const threadsLabel = (n: number): string => `${n} thread${n === 1 ? '' : 's'}`

function progressLine(round: number, cases: CaseMeasurement[], top: number): string {
  const x = (v: number): string => `${Number.isFinite(v) ? v.toFixed(2) : '?'}x`
  const parts = cases.map(c => {
    if (c.error) return `${c.name} error`
    if (c.skipped) return `${c.name} skipped`
    const label = c.name === CONTROL_CASE ? 'control' : c.name
    const copies = c.reference?.length ? ` (copies ${x(median(referenceRatios(c, top)))})` : ''
    return `${label} ${x(speedupInterval(c, top).estimate)}${copies}`
  })
  return `  round ${round}: speedup at ${top} threads: ${parts.join(', ')}`
}
