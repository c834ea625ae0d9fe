#!/usr/bin/env node
// Fuzzes the ELF and Mach-O readers with generated inputs:
//
//   node scripts/fuzz-binaries.mjs [--runs N] [--seed S] [--case I] [--cap-ms M] [--out DIR]
//                                  [--stall-s S] [--inject-fault I] [--inject-hang I]
// (the last two test the harness itself: case I crashes, or spins forever)
//
// Inputs (each from a PRNG seeded by (seed, case index), so any case can be
// replayed alone with --case): mutations of every committed fixture (byte
// flips, extreme values written over header and table fields, structured
// edits of section/program headers, dynamic entries and load commands),
// truncations, splices of two fixtures, and crafted ELF, thin Mach-O and
// universal headers over random bodies. Both readers see every input.
// Every 50,000th case (from case 7) is instead a large-string ELF: thousands
// of undefined symbols naming one 8-64 MB string, larger than a CPU cache,
// the shape small inputs can't find (a NUL scan per symbol goes quadratic);
// those cases must each finish within 1 s.
//
// Each case must end in a result (partial allowed) or a BinaryFormatError;
// anything else fails the run. Checked besides: no case runs longer than
// --cap-ms (default 2000; a watchdog thread stops a run whose case makes no
// progress for --stall-s seconds, default 30, and names it), and what a result holds is bounded by the
// input's size (decoded names at most 4 bytes per input byte + 2 MiB per
// image; at most 30 images). Failing inputs are written to --out (default
// a temp dir) for replay. Defaults: 1,000,000 runs, seed 20240611.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

function options(argv) {
  const opt = { runs: 1_000_000, seed: 20240611, case: undefined, capMs: 2000, out: undefined, injectFault: -1, injectHang: -1, stallS: 30 }
  for (let i = 0; i < argv.length; i++) {
    const [k, v] = [argv[i], argv[i + 1]]
    if (k === '--runs') (opt.runs = Number(v)), i++
    else if (k === '--seed') (opt.seed = Number(v)), i++
    else if (k === '--case') (opt.case = Number(v)), i++
    else if (k === '--cap-ms') (opt.capMs = Number(v)), i++
    else if (k === '--out') (opt.out = v), i++
    else if (k === '--inject-fault') (opt.injectFault = Number(v)), i++
    else if (k === '--inject-hang') (opt.injectHang = Number(v)), i++
    else if (k === '--stall-s') (opt.stallS = Number(v)), i++
    else if (k === '-h' || k === '--help') {
      console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 23).map(l => l.replace(/^\/\/ ?/, '')).join('\n'))
      process.exit(0)
    } else throw new Error(`unknown option ${k}`)
  }
  for (const k of ['runs', 'seed', 'capMs', 'stallS']) if (!Number.isSafeInteger(opt[k]) || opt[k] < 0) throw new Error(`--${k} takes a non-negative integer`)
  return opt
}

// ------------------------------------------------------------------ main thread

async function main() {
  const opt = options(process.argv.slice(2))
  const esbuild = await import('esbuild')
  const entry = path.join(os.tmpdir(), `fuzz-binaries-${process.pid}.mjs`)
  await esbuild.build({
    stdin: {
      contents: `export { readElf } from './src/inspect/binary/elf.ts'\nexport { readMachO } from './src/inspect/binary/macho.ts'\nexport { BinaryFormatError } from './src/inspect/binary/binary-types.ts'\n`,
      resolveDir: root,
      loader: 'ts'
    },
    outfile: entry,
    bundle: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'warning'
  })
  const fixtures = ['elf', 'macho'].flatMap(d => {
    const dir = path.join(root, '__fixtures__/binaries', d)
    return fs.readdirSync(dir).filter(f => !f.endsWith('.md')).map(f => path.join(dir, f))
  })
  // The worker reports the case it is on through shared memory, so a hang is seen even while it spins.
  const progress = new Int32Array(new SharedArrayBuffer(8))
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { ...opt, entry, fixtures, progress } })
  const started = Date.now()
  let last = -1
  let stalledSince = Date.now()
  const watchdog = setInterval(() => {
    const now = Atomics.load(progress, 0)
    if (now !== last) {
      last = now
      stalledSince = Date.now()
    } else if (Date.now() - stalledSince > opt.stallS * 1000) {
      console.error(`fuzz-binaries: HANG: case ${now} (seed ${opt.seed}) made no progress for ${opt.stallS} s; replay with --seed ${opt.seed} --case ${now}`)
      worker.terminate()
      process.exitCode = 1
    }
  }, 1000)
  worker.on('message', m => {
    if (m.type === 'progress') process.stderr.write(`  ${m.done.toLocaleString('en')} cases, ${((Date.now() - started) / 1000).toFixed(0)} s\n`)
    if (m.type === 'summary') {
      clearInterval(watchdog)
      console.log(m.text)
      process.exitCode = m.ok ? 0 : 1
    }
  })
  worker.on('error', e => {
    clearInterval(watchdog)
    console.error(`fuzz-binaries: worker crashed: ${e.stack ?? e}`)
    process.exitCode = 1
  })
  worker.on('exit', () => {
    clearInterval(watchdog)
    fs.rmSync(entry, { force: true })
  })
}

// ------------------------------------------------------------------ worker

async function runWorker({ runs, seed, case: only, capMs, out, injectFault, injectHang, entry, fixtures, progress }) {
  const { readElf, readMachO, BinaryFormatError } = await import(pathToFileURL(entry).href)
  const bases = fixtures.map(f => ({ name: path.basename(f), buf: fs.readFileSync(f) })).map(b => ({ ...b, fields: fieldOffsets(b.buf) }))
  const outDir = out ?? fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-binaries-'))
  fs.mkdirSync(outDir, { recursive: true })

  const stats = { cases: 0, elfImages: 0, machoImages: 0, partial: 0, rejected: 0, failures: 0, slow: 0, maxMs: 0, maxMsCase: -1, maxRatio: 0, bytes: 0, maxImages: 0 }
  const kinds = new Map()
  const failures = []
  const first = only ?? 0
  const last = only === undefined ? runs : only + 1

  for (let i = first; i < last; i++) {
    Atomics.store(progress, 0, i)
    while (i === injectHang) Atomics.load(progress, 0) // spins, as a reader stuck in a loop would
    const rand = prng(seed, i)
    const { kind, buf } = i % LARGE_EVERY === LARGE_FIRST ? largeStringElf(rand, Math.floor(i / LARGE_EVERY)) : generate(rand, bases)
    const cap = kind === 'large strings' ? Math.min(capMs, LARGE_CAP_MS) : capMs
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1)
    stats.cases++
    stats.bytes += buf.length
    const t0 = performance.now()
    // A reader that crashes on the injected case: proves a crash is caught and reported.
    const elf = i === injectFault ? () => [null.format] : () => [readElf(buf)]
    for (const [format, read] of [['elf', elf], ['macho', () => readMachO(buf)]]) {
      let images
      try {
        images = read()
      } catch (e) {
        if (e instanceof BinaryFormatError) {
          stats.rejected++
          continue
        }
        fail(i, kind, buf, `${format} reader threw ${e?.name}: ${e?.message}\n${e?.stack ?? ''}`)
        continue
      }
      const problem = checkImages(images, buf.length, format)
      if (problem) fail(i, kind, buf, `${format}: ${problem}`)
      if (format === 'elf') stats.elfImages += images.length
      else stats.machoImages += images.length
      stats.maxImages = Math.max(stats.maxImages, images.length)
      stats.partial += images.filter(im => im.partial !== undefined).length
      const ratio = decodedBytes(images) / Math.max(1, buf.length)
      if (ratio > stats.maxRatio) stats.maxRatio = ratio
    }
    const dt = performance.now() - t0
    if (dt > stats.maxMs) (stats.maxMs = dt), (stats.maxMsCase = i)
    if (dt > cap) {
      stats.slow++
      fail(i, kind, buf, `took ${dt.toFixed(0)} ms (cap ${cap} ms)`)
    }
    if (only === undefined && (i + 1) % 100_000 === 0) parentPort.postMessage({ type: 'progress', done: i + 1 })
  }

  function fail(i, kind, buf, why) {
    stats.failures++
    if (failures.length < 20) {
      const file = path.join(outDir, `case-${seed}-${i}.bin`)
      fs.writeFileSync(file, buf)
      failures.push(`case ${i} (${kind}, ${buf.length} bytes, saved to ${file}): ${why.split('\n').slice(0, 3).join(' | ')}`)
    }
  }

  const mem = process.memoryUsage()
  const lines = [
    `fuzz-binaries: seed ${seed}, cases ${first}..${last - 1}: ${stats.cases.toLocaleString('en')} inputs (${(stats.bytes / 1e9).toFixed(2)} GB), each read by both readers`,
    `  inputs by kind: ${[...kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n.toLocaleString('en')}`).join(', ')}`,
    `  outcomes: ${stats.elfImages.toLocaleString('en')} ELF images, ${stats.machoImages.toLocaleString('en')} Mach-O images (${stats.partial.toLocaleString('en')} marked partial), ${stats.rejected.toLocaleString('en')} BinaryFormatError`,
    `  slowest case: ${stats.maxMs.toFixed(1)} ms (case ${stats.maxMsCase}); over the ${capMs} ms cap: ${stats.slow}`,
    `  largest result: ${stats.maxRatio.toFixed(2)} decoded name bytes per input byte; most images from one input: ${stats.maxImages}`,
    `  worker heap at the end: ${(mem.heapUsed / 1e6).toFixed(0)} MB used, rss ${(mem.rss / 1e6).toFixed(0)} MB`,
    stats.failures === 0 ? '  failures: none' : `  FAILURES: ${stats.failures}\n    ${failures.join('\n    ')}`
  ]
  parentPort.postMessage({ type: 'summary', ok: stats.failures === 0, text: lines.join('\n') })
}

// ------------------------------------------------------------------ checks

const MAX_IMAGES = 30
const NAME_BYTES_PER_INPUT_BYTE = 4
const NAME_SLACK = 2 << 20

/** Decoded name bytes in the images: what an attacker could make the reader allocate. */
function decodedBytes(images) {
  let n = 0
  for (const im of images) {
    for (const s of im.imports) n += s.name.length
    for (const d of im.defined) n += d.length
    for (const l of im.libraries) n += l.length
    n += (im.partial ?? '').length
  }
  return n
}

/** A well-formed result whose size is bounded by the input's; returns what is wrong, if anything. */
function checkImages(images, inputLength, format) {
  if (!Array.isArray(images) || images.length === 0) return 'no image and no error'
  if (images.length > MAX_IMAGES) return `${images.length} images from one input`
  for (const im of images) {
    if (im.format !== format) return `format ${im.format}`
    if (typeof im.arch !== 'string' || typeof im.kind !== 'string' || (im.bits !== 32 && im.bits !== 64)) return 'bad header fields'
    if (!Array.isArray(im.libraries) || !im.libraries.every(l => typeof l === 'string')) return 'bad libraries'
    if (!Array.isArray(im.imports) || !im.imports.every(s => typeof s.name === 'string' && s.name.length > 0)) return 'bad imports'
    if (!Array.isArray(im.defined) || new Set(im.defined).size !== im.defined.length) return 'bad defined'
    if (im.partial !== undefined && (typeof im.partial !== 'string' || im.partial === '')) return 'bad partial'
    if (im.imports.length + im.libraries.length > inputLength) return `${im.imports.length} imports from ${inputLength} bytes`
  }
  const bound = images.length * (NAME_BYTES_PER_INPUT_BYTE * inputLength + NAME_SLACK)
  const n = decodedBytes(images)
  return n > bound ? `decoded ${n} name bytes from ${inputLength} input bytes` : undefined
}

// ------------------------------------------------------------------ generators

/** splitmix32 over (seed, index): every case has its own reproducible stream. */
function prng(seed, index) {
  let s = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(index | 0, 0x85ebca6b) ^ 0x5bd1e995) >>> 0
  return () => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296
  }
}

const int = (rand, n) => Math.floor(rand() * n)
const pick = (rand, xs) => xs[int(rand, xs.length)]

/** Values that break parsers: zeros, sign bits, all-ones, sizes around the input's, small counts. */
function interesting(rand, len) {
  return pick(rand, [0, 1, 2, 3, 4, 7, 8, 16, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, len, len - 1, len + 1, len >>> 1, int(rand, len + 1), int(rand, 64)])
}

function writeValue(buf, at, value, width, little) {
  if (at < 0 || at + width > buf.length) return
  if (width === 1) buf[at] = value & 0xff
  else if (width === 2) little ? buf.writeUInt16LE(value & 0xffff, at) : buf.writeUInt16BE(value & 0xffff, at)
  else if (width === 4) little ? buf.writeUInt32LE(value >>> 0, at) : buf.writeUInt32BE(value >>> 0, at)
  else {
    const big = value === 0xffffffff ? 0xffffffffffffffffn : BigInt(value >>> 0)
    little ? buf.writeBigUInt64LE(big, at) : buf.writeBigUInt64BE(big, at)
  }
}

/**
 * Offsets of header and table fields in a fixture (ELF: header, program and
 * section headers, dynamic entries; Mach-O: header and every load command
 * word), with the byte order to write them in. Structured edits land there.
 */
function fieldOffsets(buf) {
  const fields = []
  if (buf.length >= 64 && buf.readUInt32BE(0) === 0x7f454c46) {
    const w = buf[4] === 2
    const le = buf[5] === 1
    const u16 = o => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o))
    const word = o => (w ? Number(le ? buf.readBigUInt64LE(o) : buf.readBigUInt64BE(o)) : le ? buf.readUInt32LE(o) : buf.readUInt32BE(o))
    const ws = w ? 8 : 4
    for (let o = 16; o < (w ? 64 : 52); o += 2) fields.push({ at: o, width: 2, le })
    fields.push({ at: w ? 32 : 28, width: ws, le }, { at: w ? 40 : 32, width: ws, le })
    const shoff = word(w ? 40 : 32)
    const shent = u16(w ? 58 : 46)
    const shnum = u16(w ? 60 : 48)
    for (let i = 0; i < shnum && shoff + (i + 1) * shent <= buf.length; i++) {
      const s = shoff + i * shent
      for (let o = 0; o < shent; o += 4) fields.push({ at: s + o, width: 4, le })
      for (const o of w ? [24, 32, 56] : [16, 20, 36]) fields.push({ at: s + o, width: ws, le })
      const type = le ? buf.readUInt32LE(s + 4) : buf.readUInt32BE(s + 4)
      if (type === 6) {
        const off = word(s + (w ? 24 : 16))
        const size = word(s + (w ? 32 : 20))
        for (let p = off; p + 2 * ws <= Math.min(buf.length, off + size); p += 2 * ws) fields.push({ at: p, width: ws, le }, { at: p + ws, width: ws, le })
      }
    }
    const phoff = word(w ? 32 : 28)
    const phent = u16(w ? 54 : 42)
    const phnum = u16(w ? 56 : 44)
    for (let i = 0; i < phnum && phoff + (i + 1) * phent <= buf.length; i++) for (let o = 0; o < phent; o += ws) fields.push({ at: phoff + i * phent + o, width: ws, le })
  } else if (buf.length >= 32) {
    const magic = buf.readUInt32BE(0)
    if (magic === 0xcafebabe || magic === 0xcafebabf) {
      for (let o = 4; o < Math.min(buf.length, 8 + 32 * 4); o += 4) fields.push({ at: o, width: 4, le: false })
      const entry = magic === 0xcafebabf ? 32 : 20
      for (let i = 0; i < buf.readUInt32BE(4) && 8 + (i + 1) * entry <= buf.length; i++) {
        const off = Number(magic === 0xcafebabf ? buf.readBigUInt64BE(8 + i * entry + 8) : buf.readUInt32BE(8 + i * entry + 8))
        if (off < buf.length) fields.push(...fieldOffsets(buf.subarray(off)).map(f => ({ ...f, at: f.at + off })))
      }
    } else {
      const le = magic === 0xcffaedfe || magic === 0xcefaedfe
      const hdr = magic === 0xcffaedfe || magic === 0xfeedfacf ? 32 : 28
      const u32 = o => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o))
      for (let o = 4; o < hdr; o += 4) fields.push({ at: o, width: 4, le })
      let off = hdr
      for (let i = 0; i < u32(16) && off + 8 <= buf.length; i++) {
        const size = u32(off + 4)
        for (let o = 0; o < size && off + o + 4 <= buf.length; o += 4) fields.push({ at: off + o, width: 4, le })
        if (size < 8) break
        off += size
      }
    }
  }
  return fields
}

function mutate(rand, base) {
  const buf = Buffer.from(base.buf)
  const edits = 1 + int(rand, 8)
  for (let e = 0; e < edits; e++) {
    const r = rand()
    if (r < 0.45 && base.fields.length > 0) {
      const f = pick(rand, base.fields)
      writeValue(buf, f.at, interesting(rand, buf.length), rand() < 0.15 ? pick(rand, [1, 2, 4, 8]) : f.width, f.le)
    } else if (r < 0.7) {
      // Most of what matters sits in the first pages (headers, commands) or the last (linkedit, section headers).
      const at = rand() < 0.5 ? int(rand, Math.min(buf.length, 4096)) : rand() < 0.5 ? buf.length - 1 - int(rand, Math.min(buf.length, 4096)) : int(rand, buf.length)
      buf[at] ^= 1 << int(rand, 8)
    } else if (r < 0.9) {
      writeValue(buf, int(rand, buf.length), interesting(rand, buf.length), pick(rand, [1, 2, 4, 8]), rand() < 0.7)
    } else {
      // Copy a run of bytes over another: duplicated tables, offsets that point back at themselves.
      const n = 1 + int(rand, 256)
      const from = int(rand, buf.length)
      buf.copy(buf, int(rand, buf.length), from, Math.min(buf.length, from + n))
    }
  }
  return buf
}

function truncate(rand, buf) {
  // Around headers and table edges as often as anywhere.
  const n = rand() < 0.5 ? int(rand, Math.min(buf.length + 1, 8192)) : int(rand, buf.length + 1)
  return buf.subarray(0, n)
}

function craftedElf(rand) {
  const w = rand() < 0.6
  const le = rand() < 0.7
  const len = 64 + int(rand, 4096)
  const buf = Buffer.alloc(len)
  for (let i = 0; i < len; i++) buf[i] = rand() < 0.6 ? 0 : int(rand, 256)
  buf.write('\x7fELF', 0, 'latin1')
  buf[4] = rand() < 0.95 ? (w ? 2 : 1) : int(rand, 4)
  buf[5] = rand() < 0.95 ? (le ? 1 : 2) : int(rand, 4)
  const ws = w ? 8 : 4
  writeValue(buf, 16, pick(rand, [1, 2, 3, 4, int(rand, 0x10000)]), 2, le)
  writeValue(buf, 18, pick(rand, [3, 62, 183, 21, 22, 40, 8, int(rand, 0x10000)]), 2, le)
  writeValue(buf, w ? 32 : 28, rand() < 0.8 ? int(rand, len) : interesting(rand, len), ws, le) // phoff
  writeValue(buf, w ? 40 : 32, rand() < 0.8 ? int(rand, len) : interesting(rand, len), ws, le) // shoff
  writeValue(buf, w ? 54 : 42, rand() < 0.8 ? (w ? 56 : 32) : interesting(rand, len), 2, le)
  writeValue(buf, w ? 56 : 44, rand() < 0.8 ? int(rand, 16) : interesting(rand, len), 2, le)
  writeValue(buf, w ? 58 : 46, rand() < 0.8 ? (w ? 64 : 40) : interesting(rand, len), 2, le)
  writeValue(buf, w ? 60 : 48, rand() < 0.8 ? int(rand, 16) : interesting(rand, len), 2, le)
  // Sprinkle plausible section headers and dynamic entries so the readers get past the headers.
  for (let k = int(rand, 12); k > 0; k--) {
    const at = int(rand, len)
    writeValue(buf, at + 4, pick(rand, [2, 3, 6, 8, 11, 0x6ffffffe, 0x6fffffff]), 4, le)
    writeValue(buf, at + (w ? 24 : 16), int(rand, len), ws, le)
    writeValue(buf, at + (w ? 32 : 20), rand() < 0.8 ? int(rand, len) : interesting(rand, len), ws, le)
    writeValue(buf, at + (w ? 40 : 24), int(rand, 16), 4, le)
    writeValue(buf, at + (w ? 56 : 36), pick(rand, [0, 16, 24, int(rand, 64)]), ws, le)
  }
  for (let k = int(rand, 10); k > 0; k--) {
    const at = int(rand, len)
    writeValue(buf, at, pick(rand, [1, 4, 5, 6, 10, 11, 0x6ffffef5, 0x6ffffff0, 0x6ffffffe, 0x6fffffff]), ws, le)
    writeValue(buf, at + ws, rand() < 0.8 ? int(rand, len) : interesting(rand, len), ws, le)
  }
  return buf
}

const LOAD_COMMANDS = [0x2, 0xc, 0xd, 0x20, 0x22, 0x80000022, 0x80000018, 0x8000001f, 0x80000023, 0x80000034, 0x80000033, 0x19, 0x1, 0xb]

function craftedThin(rand, len = 32 + int(rand, 4096)) {
  const magic = pick(rand, [0xfeedface, 0xcefaedfe, 0xfeedfacf, 0xcffaedfe])
  const le = magic === 0xcefaedfe || magic === 0xcffaedfe
  const hdr = magic === 0xfeedfacf || magic === 0xcffaedfe ? 32 : 28
  const buf = Buffer.alloc(Math.max(len, hdr))
  for (let i = hdr; i < buf.length; i++) buf[i] = rand() < 0.5 ? 0 : int(rand, 256)
  buf.writeUInt32BE(magic, 0)
  writeValue(buf, 4, pick(rand, [7, 12, 0x01000007, 0x0100000c, 0x0200000c, 18, int(rand, 0x7fffffff)]), 4, le)
  writeValue(buf, 12, pick(rand, [1, 2, 6, 8, int(rand, 16)]), 4, le)
  const ncmds = rand() < 0.8 ? int(rand, 20) : interesting(rand, buf.length)
  writeValue(buf, 16, ncmds, 4, le)
  writeValue(buf, 20, rand() < 0.8 ? buf.length - hdr : interesting(rand, buf.length), 4, le)
  writeValue(buf, 24, rand() < 0.5 ? 0x85 : int(rand, 0x10000), 4, le)
  let off = hdr
  for (let i = 0; i < Math.min(ncmds, 20) && off + 8 <= buf.length; i++) {
    const size = rand() < 0.8 ? 8 * (1 + int(rand, 8)) : interesting(rand, buf.length)
    writeValue(buf, off, pick(rand, LOAD_COMMANDS), 4, le)
    writeValue(buf, off + 4, size, 4, le)
    for (let o = 8; o < 48 && off + o + 4 <= buf.length; o += 4) writeValue(buf, off + o, rand() < 0.7 ? int(rand, buf.length) : interesting(rand, buf.length), 4, le)
    if (size < 8 || size > buf.length) break
    off += size
  }
  return buf
}

function craftedFat(rand, bases) {
  const is64 = rand() < 0.4
  const n = rand() < 0.85 ? 1 + int(rand, 4) : interesting(rand, 64)
  const entry = is64 ? 32 : 20
  const slices = Array.from({ length: Math.min(n, 6) }, () => (rand() < 0.6 ? truncate(rand, pick(rand, bases).buf) : craftedThin(rand)))
  const head = 8 + Math.min(n, 6) * entry
  const buf = Buffer.alloc(head + slices.reduce((s, b) => s + b.length, 0))
  buf.writeUInt32BE(is64 ? 0xcafebabf : 0xcafebabe, 0)
  buf.writeUInt32BE(n >>> 0, 4)
  let off = head
  slices.forEach((s, i) => {
    s.copy(buf, off)
    const at = 8 + i * entry
    buf.writeUInt32BE(pick(rand, [0x01000007, 0x0100000c, 7, 12]), at)
    const sliceOff = rand() < 0.8 ? off : interesting(rand, buf.length)
    const size = rand() < 0.8 ? s.length : interesting(rand, buf.length)
    if (is64) {
      buf.writeBigUInt64BE(BigInt(sliceOff >>> 0), at + 8)
      buf.writeBigUInt64BE(rand() < 0.05 ? 0xffffffffffffffffn : BigInt(size >>> 0), at + 16)
    } else {
      buf.writeUInt32BE(sliceOff >>> 0, at + 8)
      buf.writeUInt32BE(size >>> 0, at + 12)
    }
    off += s.length
  })
  return buf
}

const LARGE_EVERY = 50_000
const LARGE_FIRST = 7
const LARGE_CAP_MS = 1000
const MB = 1 << 20

/**
 * A 64-bit shared object whose .dynsym holds 1,000-4,000 undefined symbols
 * naming one huge .dynstr string: all at its start, or at offsets spread
 * through it; sometimes the table lacks its final NUL. The k-th such case
 * cycles through the sizes so the largest comes first.
 */
function largeStringElf(rand, k) {
  const stringSize = [64, 8, 32, 16][k % 4] * MB
  const spread = k % 2 === 1 || rand() < 0.3
  const terminated = rand() < 0.8
  const nsym = 1000 + int(rand, 3001)
  const symOff = 64
  const strOff = symOff + (nsym + 1) * 24
  const strSize = 1 + stringSize + (terminated ? 1 : 0)
  const shOff = (strOff + strSize + 7) & ~7
  const buf = Buffer.alloc(shOff + 3 * 64)
  buf.write('\x7fELF', 0, 'latin1')
  buf[4] = 2 // 64-bit
  buf[5] = 1 // little-endian
  buf[6] = 1
  buf.writeUInt16LE(3, 16) // ET_DYN
  buf.writeUInt16LE(62, 18) // x86-64
  buf.writeUInt32LE(1, 20)
  buf.writeBigUInt64LE(BigInt(shOff), 40)
  buf.writeUInt16LE(64, 52)
  buf.writeUInt16LE(56, 54)
  buf.writeUInt16LE(64, 58)
  buf.writeUInt16LE(3, 60)
  buf.fill(0x41, strOff + 1, strOff + 1 + stringSize)
  for (let s = 1; s <= nsym; s++) {
    const at = symOff + s * 24
    buf.writeUInt32LE(spread ? 1 + int(rand, stringSize) : 1, at)
    buf[at + 4] = 0x12 // global function, undefined (st_shndx 0)
  }
  const section = (index, type, off, size, link, entsize) => {
    const at = shOff + index * 64
    buf.writeUInt32LE(type, at + 4)
    buf.writeBigUInt64LE(BigInt(off), at + 24)
    buf.writeBigUInt64LE(BigInt(size), at + 32)
    buf.writeUInt32LE(link, at + 40)
    buf.writeBigUInt64LE(BigInt(entsize), at + 56)
  }
  section(1, 3, strOff, strSize, 0, 0) // .dynstr
  section(2, 11, symOff, (nsym + 1) * 24, 1, 24) // .dynsym
  return { kind: 'large strings', buf }
}

function generate(rand, bases) {
  const r = rand()
  if (r < 0.4) return { kind: 'mutation', buf: mutate(rand, pick(rand, bases)) }
  if (r < 0.52) return { kind: 'truncation', buf: truncate(rand, pick(rand, bases).buf) }
  if (r < 0.62) return { kind: 'mutation+truncation', buf: truncate(rand, mutate(rand, pick(rand, bases))) }
  if (r < 0.7) {
    const a = pick(rand, bases).buf
    const b = pick(rand, bases).buf
    const cut = int(rand, a.length)
    return { kind: 'splice', buf: Buffer.concat([a.subarray(0, cut), b.subarray(int(rand, b.length))]) }
  }
  if (r < 0.82) return { kind: 'crafted ELF', buf: craftedElf(rand) }
  if (r < 0.92) return { kind: 'crafted Mach-O', buf: craftedThin(rand) }
  return { kind: 'crafted universal', buf: craftedFat(rand, bases) }
}

// Last, so every declaration above is initialised before either side runs.
if (isMainThread) await main()
else await runWorker(workerData)
