import type { BinaryEvidence } from '../inspect/types.js'
import type { RuntimeFinding } from '../inspect/two-runtimes.js'
import type { Interval } from '../measure/stats.js'
import type { Measurement } from '../measure/types.js'
import type { RunnerFacts } from '../runner-facts.js'
import type { SourceHit } from '../sources/scan.js'
import type { RowRegions } from './counts.js'

export type Verdict = 'pass' | 'fail' | 'inconclusive' | 'skipped'

/** Everything the judge looks at. */
export interface Evidence {
  binaries: BinaryEvidence[]
  /** Parallel constructs in the scanned sources. */
  sources: SourceHit[]
  /** How many source files were scanned: with none, "no parallel construct" proves nothing. */
  sourceFiles: number
  facts: RunnerFacts
  /** Null when no workload was given. */
  measurement: Measurement | null
  threads: number[]
  minSpeedup: number
}

export interface BinaryFinding {
  path: string
  verdict: Verdict
  /**
   * Short machine-readable cause: 'openmp-compiled-in', 'compiled-without-openmp',
   * 'tu-without-openmp' (the binary has OpenMP from some TUs, others lost it),
   * 'serial-by-design', 'native-backend', 'unreadable'.
   */
  cause: string
  reasons: string[]
  /** Source lines whose parallelism the binary lost (for annotations). */
  lostLines: SourceHit[]
  /** Conflicts between its OpenMP runtime and torch's (two runtimes in one process). */
  runtimeFindings?: RuntimeFinding[]
}

export interface ThreadRow {
  threads: number
  /** Median seconds per call. */
  seconds: number
  speedup: Interval
  /** speedup / threads. */
  efficiency: number
  cpuPerWall: number
  busyThreads: number | null
  /** Parallel regions the counter saw at this count (extension, libtorch, other); null or absent where not counted. */
  regions?: RowRegions | null
  /** More threads than usable CPUs: shown, not judged. */
  oversubscribed: boolean
}

/** What the throughput reference showed for a case. */
export interface ReferenceFinding {
  /** Independent single-thread copies run at once (the judged thread count). */
  copies: number
  /** T(n): their combined throughput against one process alone. */
  throughput: Interval
  /** S(n)/T(n), per round: the kernel's share of what the copies reached. */
  relative: Interval
  /** CPU time per call of the threads against the copies' (null where the copies' CPU time is unknown). */
  inflation: Interval | null
}

/**
 * Why a case got its verdict, in one word: 'scales'; 'serial' (one busy
 * thread), 'contention' (threads busy, yet slower than independent copies),
 * 'too-little-work' (calls too short to amortise a parallel region);
 * 'runner-limit' (as parallel as the runner allows), 'unclear' and
 * 'unclear-reference' (max-time ran out), 'control-flat', 'unconfirmed',
 * 'cpu-withheld' (judged without the reference); 'one-cpu', 'not-measured',
 * 'serial-by-design'; 'needs-cuda' (skipped: no CUDA on the runner),
 * 'gpu-case' (timed on the GPU for information); 'no-region' (the counter saw
 * the extension open no parallel region), 'team-of-one' (only teams of one thread).
 */
export type CaseCause =
  | 'scales'
  | 'serial'
  | 'contention'
  | 'partly-serial'
  | 'too-little-work'
  | 'runner-limit'
  | 'unclear'
  | 'unclear-reference'
  | 'control-flat'
  | 'unconfirmed'
  | 'cpu-withheld'
  | 'one-cpu'
  | 'not-measured'
  | 'serial-by-design'
  | 'needs-cuda'
  | 'gpu-case'
  | 'no-region'
  | 'team-of-one'

export interface CaseFinding {
  name: string
  verdict: Verdict
  /** Why, in one word (absent on the control and in reports before 1.2). */
  cause?: CaseCause
  reasons: string[]
  rows: ThreadRow[]
  /** Speedup at the judged thread count. */
  judged: Interval | null
  /** The throughput reference at the judged thread count: n single-thread copies at once; null when none ran. */
  reference?: ReferenceFinding | null
  error?: string
}

export interface Threshold {
  /** min-speedup as given, at 4 threads. */
  minSpeedup: number
  /** Thread count the verdict is judged at: the largest measured count the runner can run at once. */
  judgedThreads: number
  /** Speedup required at judgedThreads (Amdahl translation of minSpeedup). */
  required: number
  /** Set when the threshold was translated, saying why. */
  note?: string
}

export interface Judgement {
  verdict: Verdict
  reasons: string[]
  threshold: Threshold
  binaries: BinaryFinding[]
  cases: CaseFinding[]
  control: CaseFinding | null
  /** True when the control op reached the required speedup. */
  controlScales: boolean | null
  /** The one speedup reported everywhere: the worst case's at the judged thread count. */
  speedup: number | null
  /** The cases that could not be measured, in words. */
  errors: string[]
}
