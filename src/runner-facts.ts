/** What the measuring probe learns about the runner; inspect, judge and report read it too. */
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
  /** Bytes of memory the runner could still give new processes when measuring began (MemAvailable); null where unknown. */
  memAvailable?: number | null
  /** torch's lib dir, and the libtorch_cpu files the process mapped (for the two-runtimes check). */
  torchLibDir?: string
  torchCpuLoaded?: string[]
  /**
   * Shared libraries the measuring process had mapped once the workload was
   * imported (/proc/self/maps, symlinks resolved); absent without a workload or /proc.
   */
  mappedLibraries?: string[]
}
