import { describe, expect, it } from '@jest/globals'
import { renderPatchMarkdown, renderRunOnlyFixMarkdown } from '../../src/report/remediation-summary.js'

describe('remediation renderers', () => {
  it('fences a diff so backticks inside cannot end it, and flags a run-only fix prominently', () => {
    const out = renderPatchMarkdown('setup.py', { diff: '--- a/setup.py\n+++ b/setup.py\n@@ -1 +1 @@\n-x = "```"\n+y\n', patched: '', note: 'n' })
    expect(out).toContain('````diff\n--- a/setup.py')
    expect(renderRunOnlyFixMarkdown({ CFLAGS: '-fopenmp' })).toMatch(/^> \[!WARNING\]\n> \*\*OpenMP flags were added for this run only\*\* \(`CFLAGS=-fopenmp`\)/)
  })
})
