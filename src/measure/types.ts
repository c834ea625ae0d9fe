/** Facts about the runner and torch, as the harness reads them from inside Python. */
export interface RunnerFacts {
  python: string
  pythonVersion: string
  platform: string
  torchVersion: string
  /** Last line of torch.__config__.parallel_info(): 'OpenMP', 'native thread pool', ... */
  parallelBackend: string
  cpuCount: number
  /** CPUs in the process's affinity mask (null where the OS has no such API). */
  affinityCpus: number | null
  /** CPUs allowed by a cgroup quota, when one is set. */
  cgroupCpus: number | null
  /** min(affinity or cpu count, cgroup quota): what the runner can really run at once. */
  usableCpus: number
  /** torch's lib dir, and the libtorch_cpu files the process mapped (for the two-runtimes check). */
  torchLibDir?: string
  torchCpuLoaded?: string[]
}

/** One timed sample: `iters` calls of a case in the worker for `threads`. */
export interface Sample {
  round: number
  threads: number
  iters: number
  wall: number
  cpu: number
  /** Seconds per call in each timed chunk of the sample (up to 8 chunks); null from an older harness. */
  perCall?: number[] | null
  /** [steal, total] CPU ticks of the whole machine during the sample (/proc/stat); null where unknown. */
  steal?: [number, number] | null
  /** Seconds this process's threads were runnable but waited for a CPU (schedstat run_delay); null where unknown. */
  wait?: number | null
  /** CPU seconds per OS thread over the second half of the sample (after the previous op's spin-wait tail), busiest first; null without /proc. */
  threadCpu: number[] | null
}

/** Everything measured for one case (or the control). */
export interface CaseMeasurement {
  name: string
  /** Iterations per sample, calibrated at 1 thread. */
  iters: number
  samples: Sample[]
  /** Set when the case raised, crashed or hung: what happened, with the relevant stderr. */
  error?: string
}

export interface Measurement {
  facts: RunnerFacts
  threads: number[]
  cases: CaseMeasurement[]
  control: CaseMeasurement
  /** What the workload's optional describe() said it ran against. */
  workloadInfo: Record<string, string>
  rounds: number
  seconds: number
  /**
   * Why measuring stopped: 'decided' (every case's interval cleared the
   * threshold), 'static-verdict' (the binary alone fixed the verdict, so only
   * a few rounds ran, for the report), 'max-rounds' or 'max-time'.
   */
  stoppedBy: 'decided' | 'static-verdict' | 'max-rounds' | 'max-time'
}

export const CONTROL_CASE = '__control__'
