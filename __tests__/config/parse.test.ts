import { describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { InputError, parseSettings, parseThreads, type ParseContext } from '../../src/config/parse.js'
import type { InputName } from '../../src/constants.js'

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-config-'))
fs.writeFileSync(path.join(root, 'workload.py'), 'def cases():\n    return {}\n')
fs.writeFileSync(path.join(root, 'notes.txt'), 'x')

function ctx(inputs: Partial<Record<InputName, string>>): ParseContext {
  return {
    getInput: name => inputs[name] ?? '',
    baseDirectory: root,
    isDirectory: p => fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false,
    isFile: p => fs.statSync(p, { throwIfNoEntry: false })?.isFile() ?? false
  }
}

function errorOf(inputs: Partial<Record<InputName, string>>): InputError {
  try {
    parseSettings(ctx(inputs))
  } catch (e) {
    if (e instanceof InputError) return e
    throw e
  }
  throw new Error('expected an InputError')
}

describe('parseSettings', () => {
  it('falls back to the documented defaults when every input is empty (a bare node run)', () => {
    const s = parseSettings(ctx({}))
    expect(s.workingDirectory).toBe(root)
    expect(s.python).toBe('python3')
    expect(s.buildCommand).toBe('python3 setup.py build_ext --inplace')
    expect(s.threads).toEqual([1, 2, 4])
    expect(s.minSpeedup).toBe(2)
    expect(s.failOn).toBe('fail')
    expect(s.maxTime).toBe(90)
    expect(s.workload).toBeNull()
    expect(s.reportPath).toBe(path.join(root, '.thread-scaling-check', 'report.json'))
  })

  it('builds the default command with the chosen interpreter, quoted for the shell', () => {
    expect(parseSettings(ctx({ python: '/opt/my python/bin/python3' })).buildCommand).toBe(`'/opt/my python/bin/python3' setup.py build_ext --inplace`)
    expect(parseSettings(ctx({ 'build-command': 'none' })).buildCommand).toBeNull()
  })

  it('parses lists, sorts thread counts and resolves the workload', () => {
    const s = parseSettings(ctx({ threads: ' 4, 1,2,2 ', extensions: 'a/*.so\nb/*.so, c.so', workload: 'workload.py', 'fail-on': 'Inconclusive' }))
    expect(s.threads).toEqual([1, 2, 4])
    expect(s.extensions).toEqual(['a/*.so', 'b/*.so', 'c.so'])
    expect(parseSettings(ctx({ sources: 'csrc/**/*.{cpp,h}, extra/*.cc' })).sources).toEqual(['csrc/**/*.{cpp,h}', 'extra/*.cc'])
    expect(s.workload).toBe(path.join(root, 'workload.py'))
    expect(s.failOn).toBe('inconclusive')
  })

  it.each<[Partial<Record<InputName, string>>, InputName, RegExp]>([
    [{ 'fail-on': 'sometimes' }, 'fail-on', /'sometimes' is not one of 'fail', 'inconclusive', 'never'/],
    [{ threads: '0,x' }, 'threads', /'0', 'x', which are not a thread count/],
    [{ threads: '2,4' }, 'threads', /lacks 1/],
    [{ threads: '1' }, 'threads', /no count above 1/],
    [{ threads: '1,2.5' }, 'threads', /'2.5'/],
    [{ 'min-speedup': 'fast' }, 'min-speedup', /'fast' is not a speedup from 1 to 4/],
    [{ 'min-speedup': '5' }, 'min-speedup', /from 1 to 4/],
    [{ 'min-speedup': '0.5' }, 'min-speedup', /from 1 to 4/],
    [{ 'max-time': '1' }, 'max-time', /seconds from 5 to 3600/],
    [{ workload: 'missing.py' }, 'workload', /'missing.py' was not found/],
    [{ workload: 'notes.txt' }, 'workload', /not a \.py file/],
    [{ 'working-directory': 'nope' }, 'working-directory', /is not a directory/],
    [{ 'report-path': '.' }, 'report-path', /is a directory/]
  ])('rejects %j naming the input', (inputs, input, message) => {
    const e = errorOf(inputs)
    expect(e.input).toBe(input)
    expect(e.message).toMatch(new RegExp(`^Input '${input}': `))
    expect(e.message).toMatch(message)
  })

  it('accepts up to 8 thread counts', () => {
    expect(parseThreads('1,2,3,4,5,6,7,8')).toHaveLength(8)
    expect(() => parseThreads('1,2,3,4,5,6,7,8,9')).toThrow(/^Input 'threads': .*lists 9 thread counts; at most 8/)
    expect(() => parseThreads(Array.from({ length: 1024 }, (_, i) => i + 1).join(','))).toThrow(/lists 1024 thread counts; at most 8/)
  })

  it('names every accepted form in the threads error', () => {
    expect(() => parseThreads('')).toThrow(/is empty.*for example '1,2,4'/)
  })
})
