import type { Annotation } from './annotations.js'
import { md } from './format.js'

const ICON = { error: '❌', warning: '⚠️', notice: 'ℹ️' } as const
/** Listed in full up to here; the JSON report has every finding. */
const MAX_LISTED = 100

/**
 * The annotations GitHub would not show (10 per level per step), listed in
 * the step summary so the overflow is folded in rather than lost.
 */
export function renderDropped(dropped: Annotation[]): string {
  if (dropped.length === 0) return ''
  const out = [`<details><summary>${dropped.length} more annotation(s): GitHub shows 10 errors and 10 warnings per step</summary>`, '']
  for (const a of dropped.slice(0, MAX_LISTED)) {
    const where = a.props.file ? `\`${md(a.props.file)}${a.props.startLine ? `:${a.props.startLine}` : ''}\`: ` : ''
    out.push(`- ${ICON[a.level]} ${where}${md(a.message.split('\n')[0].slice(0, 300))}`)
  }
  if (dropped.length > MAX_LISTED) out.push(`- …and ${dropped.length - MAX_LISTED} more in the JSON report.`)
  out.push('', '</details>', '')
  return out.join('\n')
}
