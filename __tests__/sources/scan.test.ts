import { describe, expect, it } from '@jest/globals'
import { blankCommentsAndStrings, needsOpenMP, scanSource } from '../../src/sources/scan.js'

describe('scanSource', () => {
  it('finds at::parallel_for, parallel_reduce and omp pragmas with line and column', () => {
    const src = [
      '#include <ATen/Parallel.h>',
      'void f() {',
      '  at::parallel_for(0, n, 1, [&](int64_t b, int64_t e) {});',
      '  auto s = at::parallel_reduce(0, n, 1, 0.f, g, h);',
      '#pragma omp parallel for',
      '  for (int i = 0; i < n; i++) {}',
      '}'
    ].join('\n')
    const hits = scanSource('k.cpp', src)
    expect(hits.map(h => [h.line, h.column, h.construct])).toEqual([
      [3, 3, 'at-parallel'],
      [4, 12, 'at-parallel'],
      [5, 1, 'omp-pragma']
    ])
    expect(hits[0].text).toBe('at::parallel_for(0, n, 1, [&](int64_t b, int64_t e) {});')
  })

  it('ignores comments, strings and non-threading OpenMP directives', () => {
    const src = [
      '// at::parallel_for(0, n, 1, f);',
      '/* #pragma omp parallel',
      '   at::parallel_for(0, n, 1, f); */',
      'const char* s = "at::parallel_for(0, n)";',
      'auto r = R"x(at::parallel_for( )x";',
      '#pragma omp simd',
      '#pragma omp declare reduction(+:T:omp_out += omp_in)',
      'int big = 1\'000\'000; tbb::parallel_for(0, n, f);'
    ].join('\n')
    expect(scanSource('k.cpp', src)).toEqual([])
  })

  it('tells torch::stable::parallel_for apart: it needs no flags', () => {
    const hits = scanSource('k.cpp', 'torch::stable::parallel_for(0, n, 1, f);\nusing namespace at;\nparallel_for(0, n, 1, f);\n_Pragma("omp parallel for")\n')
    expect(hits.map(h => h.construct)).toEqual(['stable-parallel', 'at-parallel', 'omp-pragma'])
    expect(needsOpenMP(hits[0], true)).toBe(false)
    expect(needsOpenMP(hits[1], true)).toBe(true)
    expect(needsOpenMP(hits[1], false)).toBe(false)
    expect(needsOpenMP(hits[2], false)).toBe(true)
  })

  it('keeps line structure when blanking', () => {
    const src = 'a /* x\ny */ b // z\nc "s\\"t" d'
    const out = blankCommentsAndStrings(src)
    expect(out.length).toBe(src.length)
    expect(out.split('\n').length).toBe(3)
    expect(out).toMatch(/^a {5}\n {4} b {5}\nc " {4}" d$/)
  })
})
