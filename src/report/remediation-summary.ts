/** The remediation patch and the run-only fix notice, for the summary, the PR comment and the terminal. Pure. */
import type { BuildFilePatch } from '../fix/remediation.js'
import { md } from './format.js'

/** A fence longer than any backtick run in the diff, so a diff can't close it. */
function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map(m => m[0].length))
  return '`'.repeat(longest + 1)
}

export function renderPatchMarkdown(file: string, patch: BuildFilePatch): string {
  const f = fence(patch.diff)
  return [`**Fix**: apply this to \`${md(file)}\` (\`git apply\` or \`patch -p1\` from the repository root):`, '', `${f}diff`, patch.diff.trimEnd(), f, '', md(patch.note), ''].join('\n')
}

/**
 * The notice shown when the OpenMP flags were added through the environment
 * for this run: first in the summary, so a pass can't be mistaken for a
 * fixed build file.
 */
export function renderRunOnlyFixMarkdown(vars: Record<string, string>): string {
  const list = Object.entries(vars).map(([k, v]) => `\`${md(k)}=${md(v)}\``).join(', ')
  return [
    '> [!WARNING]',
    `> **OpenMP flags were added for this run only** (${list}). This verdict is for the build *with* the fix; the project's build files are unchanged, and a build without these variables is still serial until the patch below is committed.`,
    ''
  ].join('\n')
}

export function renderRunOnlyFixText(vars: Record<string, string>): string {
  return `NOTE: OpenMP flags were added for this run only (${Object.entries(vars).map(([k, v]) => `${k}=${v}`).join(' ')}); the build files are unchanged.\n`
}
