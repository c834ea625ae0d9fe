/**
 * A unified diff of two texts, as `diff -u` writes it and `patch -p1` and
 * `git apply` read it. Pure. Line-based LCS after trimming the common head
 * and tail, which is small for the edits remediation makes.
 */

const NO_EOL = '\u0000no-eol'

interface Op {
  kind: ' ' | '-' | '+'
  line: string
}

function lines(text: string): string[] {
  if (text === '') return []
  const out = text.split('\n')
  if (out[out.length - 1] === '') out.pop()
  return out
}

function diffOps(a: string[], b: string[]): Op[] {
  let head = 0
  while (head < a.length && head < b.length && a[head] === b[head]) head++
  let tail = 0
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++
  const am = a.slice(head, a.length - tail)
  const bm = b.slice(head, b.length - tail)
  const ops: Op[] = a.slice(0, head).map(line => ({ kind: ' ', line }))
  if (am.length * bm.length > 4_000_000) {
    // Too large to align line by line: replace the middle whole (still a valid patch).
    ops.push(...am.map(line => ({ kind: '-' as const, line })), ...bm.map(line => ({ kind: '+' as const, line })))
  } else {
    const n = am.length
    const m = bm.length
    const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1))
    for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = am[i] === bm[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1])
    let i = 0
    let j = 0
    while (i < n || j < m) {
      if (i < n && j < m && am[i] === bm[j]) {
        ops.push({ kind: ' ', line: am[i] })
        i++
        j++
      } else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) ops.push({ kind: '-', line: am[i++] })
      else ops.push({ kind: '+', line: bm[j++] })
    }
  }
  ops.push(...a.slice(a.length - tail).map(line => ({ kind: ' ' as const, line })))
  return ops
}

/** Returns '' when the texts are equal. `file` is the path relative to the repository root (a/ and b/ are prefixed). */
export function unifiedDiff(file: string, before: string, after: string, context = 3): string {
  if (before === after) return ''
  const a = lines(before)
  const b = lines(after)
  // A last line without a newline differs from the same line with one: mark it so the diff keeps them apart.
  if (before !== '' && !before.endsWith('\n')) a[a.length - 1] += NO_EOL
  if (after !== '' && !after.endsWith('\n')) b[b.length - 1] += NO_EOL
  const ops = diffOps(a, b)
  const out = [`--- a/${file}`, `+++ b/${file}`]
  const changed = ops.map((o, k) => (o.kind !== ' ' ? k : -1)).filter(k => k >= 0)
  let k = 0
  while (k < changed.length) {
    const start = Math.max(0, changed[k] - context)
    let end = Math.min(ops.length, changed[k] + context + 1)
    while (k + 1 < changed.length && changed[k + 1] - context <= end) end = Math.min(ops.length, changed[++k] + context + 1)
    k++
    // Line numbers of the hunk's first line in each file.
    let aLine = 1
    let bLine = 1
    for (let x = 0; x < start; x++) {
      if (ops[x].kind !== '+') aLine++
      if (ops[x].kind !== '-') bLine++
    }
    const hunk = ops.slice(start, end)
    const aCount = hunk.filter(o => o.kind !== '+').length
    const bCount = hunk.filter(o => o.kind !== '-').length
    out.push(`@@ -${aCount ? aLine : aLine - 1},${aCount} +${bCount ? bLine : bLine - 1},${bCount} @@`)
    for (const o of hunk) {
      if (o.line.endsWith(NO_EOL)) out.push(`${o.kind}${o.line.slice(0, -NO_EOL.length)}`, '\\ No newline at end of file')
      else out.push(`${o.kind}${o.line}`)
    }
  }
  return out.join('\n') + '\n'
}
