import { describe, expect, it } from '@jest/globals'
import { parseReply, ProtocolError } from '../../src/measure/protocol.js'

const facts = { python: '/usr/bin/python3', python_version: '3.11.2', platform: 'linux', torch_version: '1.13.1', parallel_backend: 'OpenMP', cpu_count: 2, affinity_cpus: 2, cgroup_cpus: null, usable_cpus: 2, mem_available: 8e9 }

describe('harness replies', () => {
  it('maps a ready reply to typed facts, keeping only string workload info', () => {
    const r = parseReply(JSON.stringify({ op: 'ready', threads: 2, facts, cases: ['a', 'b'], workload_info: { torchvision: '0.14.1', n: 3 }, peak_rss: 3e8 }))
    expect(r).toEqual({
      op: 'ready',
      threads: 2,
      cases: ['a', 'b'],
      gpuCases: [],
      skipped: {},
      workloadInfo: { torchvision: '0.14.1' },
      peakRss: 3e8,
      counting: null,
      facts: { python: '/usr/bin/python3', pythonVersion: '3.11.2', platform: 'linux', torchVersion: '1.13.1', parallelBackend: 'OpenMP', cpuCount: 2, affinityCpus: 2, cgroupCpus: null, usableCpus: 2, memAvailable: 8e9 }
    })
    // A harness from before the reference: memory unknown.
    expect(parseReply(JSON.stringify({ op: 'ready', threads: 1, facts: { ...facts, mem_available: undefined }, cases: [] }))).toMatchObject({ peakRss: null, facts: { memAvailable: null } })
  })

  it('maps the GPU cases and the cases skipped for want of CUDA, and an error raised for want of it', () => {
    const r = parseReply(JSON.stringify({ op: 'ready', threads: 1, facts, cases: ['cpu', 'gpu'], gpu_cases: ['gpu'], skipped: { other: 'needs CUDA' } }))
    expect(r).toMatchObject({ gpuCases: ['gpu'], skipped: { other: 'needs CUDA' } })
    expect(parseReply('{"op":"error","stage":"run","case":"k","type":"AssertionError","message":"m","traceback":"t","cuda_missing":"no GPU"}')).toMatchObject({ cudaMissing: 'no GPU' })
    expect(parseReply('{"op":"error","stage":"run","case":"k","type":"ValueError","message":"m","traceback":"t"}')).toMatchObject({ cudaMissing: null })
  })

  it('maps samples and errors', () => {
    expect(parseReply('{"op":"sample","iters":3,"wall":0.5,"cpu":0.9,"per_call":[0.2,0.1,0.2],"steal":[2,100],"wait":0.01,"thread_cpu":[0.45,0.44],"peak_rss":123456}')).toEqual({ op: 'sample', iters: 3, wall: 0.5, cpu: 0.9, perCall: [0.2, 0.1, 0.2], steal: [2, 100], wait: 0.01, threadCpu: [0.45, 0.44], peakRss: 123456, regions: null })
    expect(parseReply('{"op":"calibrated","iters":7,"per_iter":0.02,"peak_rss":654321}')).toEqual({ op: 'calibrated', iters: 7, perIter: 0.02, peakRss: 654321 })
    // A harness from before per-call chunks: the sample's mean stands in.
    expect(parseReply('{"op":"sample","iters":3,"wall":0.5,"cpu":0.9,"thread_cpu":null}')).toMatchObject({ perCall: null })
    expect(parseReply('{"op":"sample","iters":3,"wall":0.5,"cpu":0.9,"thread_cpu":null}')).toMatchObject({ threadCpu: null })
    expect(parseReply('{"op":"error","stage":"run","case":"k","type":"ValueError","message":"m","traceback":"t"}')).toMatchObject({ op: 'error', case: 'k', type: 'ValueError' })
  })

  it("maps the region counter's counts and whether it counted", () => {
    const line = JSON.stringify({ op: 'sample', iters: 2, wall: 1, cpu: 1, thread_cpu: null, regions: [{ path: '/x/_C.so', regions: 2, max_team: 4, team1: 0, uncounted_team: 0, ns: 5e6 }] })
    expect(parseReply(line)).toMatchObject({ regions: [{ path: '/x/_C.so', regions: 2, maxTeam: 4, team1: 0, ns: 5e6 }] })
    expect(parseReply(JSON.stringify({ op: 'ready', threads: 1, facts, cases: [], counting: { available: false, reason: 'no preload' } }))).toMatchObject({ counting: { available: false, reason: 'no preload' } })
    expect(() => parseReply(JSON.stringify({ op: 'sample', iters: 1, wall: 1, cpu: 1, regions: [{ path: '/x', regions: -1, max_team: 1, team1: 0, ns: 0 }] }))).toThrow(/'regions' is -1/)
    expect(() => parseReply(JSON.stringify({ op: 'sample', iters: 1, wall: 1, cpu: 1, regions: 'x' }))).toThrow(/'regions' is not a list/)
  })

  it.each([
    ['not json', /not JSON/],
    ['[1]', /not a JSON object/],
    ['{"op":"nope"}', /unknown op "nope"/],
    ['{"op":"sample","iters":0,"wall":0.5,"cpu":0.9}', /'iters' is 0, expected a number >= 1/],
    ['{"op":"sample","iters":1,"wall":-1,"cpu":0.9}', /'wall' is -1/],
    ['{"op":"sample","iters":1,"wall":1,"cpu":1,"thread_cpu":["x"]}', /'thread_cpu' is not a list of numbers/],
    ['{"op":"sample","iters":1,"wall":1,"cpu":1,"per_call":[-0.1]}', /'per_call' is not a list of numbers >= 0/],
    ['{"op":"sample","iters":1,"wall":1,"cpu":1,"steal":[5,2]}', /'steal' is not \[steal ticks, total ticks\]/],
    ['{"op":"ready","threads":1,"facts":{},"cases":[]}', /'python' is undefined/],
    ['{"op":"ready","threads":1,"cases":"a"}', /no list of case names/],
    ['{"op":"sample","iters":1,"wall":1,"cpu":1,"peak_rss":-5}', /'peak_rss' is -5/],
    ['{"op":"ready","threads":1,"facts":{},"cases":["a"],"gpu_cases":["b"]}', /'gpu_cases' is not a list of its case names/],
    ['{"op":"ready","threads":1,"facts":{},"cases":[],"skipped":{"a":1}}', /'skipped' is not a map from case name to reason/]
  ])('rejects %s', (line, message) => {
    expect(() => parseReply(line)).toThrow(ProtocolError)
    expect(() => parseReply(line)).toThrow(message)
  })
})
