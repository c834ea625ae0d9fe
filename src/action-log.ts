import * as core from '@actions/core'
import type { AnnotationProps, Log } from './log.js'

/** Log backed by @actions/core: workflow commands the runner turns into groups and annotations. */
export const actionsLog: Log = {
  info: m => core.info(m),
  debug: m => core.debug(m),
  warning: (m, p?: AnnotationProps) => core.warning(m, p ?? {}),
  error: (m, p?: AnnotationProps) => core.error(m, p ?? {}),
  notice: (m, p?: AnnotationProps) => core.notice(m, p ?? {}),
  group: (name, fn) => core.group(name, fn)
}
