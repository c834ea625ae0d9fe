import * as path from 'node:path'
import { CheckError } from '../check-error.js'
import type { Settings } from '../config/settings.js'
import { WORK_DIR_NAME } from '../constants.js'
import type { Log } from '../log.js'
import { countSourcePath, harnessPath, presetPath } from '../paths.js'
import type { RunnerFacts } from '../runner-facts.js'
import { prepareCounter } from './counter.js'
import { measure, MeasureSetupError, type StopRule } from './measure.js'
import { probeFacts } from './probe.js'
import type { Measurement } from './types.js'

/**
 * Times the workload (or the preset) under the stop rule; without one, only
 * asks torch for the runner facts. A harness that can't start stops the check.
 */
export async function measureStage(s: Settings, binaries: readonly string[], rule: StopRule, log: Log): Promise<{ measurement: Measurement | null; facts: RunnerFacts }> {
  const workload = s.preset ? presetPath(s.preset) : s.workload
  try {
    if (!workload) return { measurement: null, facts: await probeFacts({ python: s.python, harness: harnessPath(), workdir: s.workingDirectory }) }
    // Regions are counted per shared object when the runner's C compiler builds the counter; otherwise they aren't, and the report says why.
    const counter = prepareCounter({ source: countSourcePath(), cacheDir: path.join(s.workingDirectory, WORK_DIR_NAME, 'count-regions') })
    const measurement = await log.group('Measure thread scaling', () =>
      measure({
        python: s.python,
        harness: harnessPath(),
        workload,
        workdir: s.workingDirectory,
        threads: s.threads,
        maxTime: s.maxTime,
        log,
        counter,
        extensions: binaries.map(b => path.resolve(s.workingDirectory, b))
      }, rule)
    )
    return { measurement, facts: measurement.facts }
  } catch (e) {
    if (e instanceof MeasureSetupError) throw new CheckError(e.message, null, e.details)
    throw e
  }
}
