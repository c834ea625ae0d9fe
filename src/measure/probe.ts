import type { RunnerFacts } from '../runner-facts.js'
import { MeasureSetupError } from './measure.js'
import { Worker } from './worker.js'

/** Facts from torch without a workload: one harness process that loads no user code. */
export async function probeFacts(o: { python: string; harness: string; workdir: string }): Promise<RunnerFacts> {
  const w = new Worker({ python: o.python, harness: o.harness, workload: null, workdir: o.workdir, threads: 1 })
  try {
    const r = await w.next(180_000)
    if (r.op === 'ready') return r.facts
    throw new MeasureSetupError(`Input 'python': '${o.python}' cannot import torch (${r.op === 'error' ? `${r.type}: ${r.message}` : r.op}). Set 'python' to the interpreter that has torch installed.`, w.output)
  } catch (e) {
    if (e instanceof MeasureSetupError) throw e
    throw new MeasureSetupError(`Input 'python': could not run '${o.python}': ${(e as Error).message}`, w.output)
  } finally {
    await w.close()
  }
}
