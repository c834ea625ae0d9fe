import { describe, expect, it } from '@jest/globals'
import { firstCompilerError, logTail } from '../../src/build/compiler-errors.js'

describe('firstCompilerError', () => {
  it('finds the first gcc/clang error, with and without a column, through colour codes', () => {
    const log = [
      'running build_ext',
      'csrc/ok.cpp:3:1: warning: unused [-Wunused]',
      '\x1b[01m\x1b[Kcsrc/kernel.cpp:42:7:\x1b[m\x1b[K \x1b[01;31m\x1b[Kerror: \x1b[m\x1b[K‘foo’ was not declared in this scope',
      'csrc/other.cpp:9: error: later error'
    ].join('\n')
    expect(firstCompilerError(log)).toEqual({ file: 'csrc/kernel.cpp', line: 42, column: 7, message: '‘foo’ was not declared in this scope' })
    expect(firstCompilerError('/abs/x.cc:9: fatal error: omp.h: No such file or directory')).toEqual({ file: '/abs/x.cc', line: 9, column: undefined, message: 'omp.h: No such file or directory' })
  })

  it('reads MSVC errors', () => {
    expect(firstCompilerError('C:\\src\\k.cpp(12,5): error C2065: \'x\': undeclared identifier')).toMatchObject({ file: 'C:\\src\\k.cpp', line: 12, column: 5 })
  })

  it('returns null when no compiler error is recognisable, and keeps the tail', () => {
    expect(firstCompilerError('error: command failed\nTraceback ...')).toBeNull()
    expect(logTail('a\nb\nc\n', 2)).toBe('b\nc')
  })
})
