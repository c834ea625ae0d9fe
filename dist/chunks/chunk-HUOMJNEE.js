import { createRequire as __tscCreateRequire } from 'node:module'; const require = __tscCreateRequire(import.meta.url);
var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __require = /* @__PURE__ */ ((x) => typeof require !== "undefined" ? require : typeof Proxy !== "undefined" ? new Proxy(x, {
  get: (a, b) => (typeof require !== "undefined" ? require : a)[b]
}) : x)(function(x) {
  if (typeof require !== "undefined") return require.apply(this, arguments);
  throw Error('Dynamic require of "' + x + '" is not supported');
});
var __commonJS = (cb, mod) => function __require2() {
  try {
    return mod || (0, cb[__getOwnPropNames(cb)[0]])((mod = { exports: {} }).exports, mod), mod.exports;
  } catch (e) {
    throw mod = 0, e;
  }
};
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target,
  mod
));

// src/inspect/openmp.ts
var FORK_ENTRY = /^(GOMP_parallel(?:_start|_loop_\w+|_sections\w*|_reductions)?|GOMP_teams\w*|__kmpc_fork_call|__kmpc_fork_teams|__kmpc_fork_call_if|_vcomp_fork)$/;
var OPENMP_SYMBOL = /^(GOMP_\w+|__kmpc_\w+|omp_\w+|kmp_\w+|_vcomp_\w+|ompt_\w+)$/;
var OUTLINED = /(\._omp_fn\.\d+|omp_outlined)/;
var LIBTORCH_PARALLEL = /^(torch_parallel_for|torch_parallel_reduce\w*|aoti_torch_parallel_for)$/;
function cName(name, format) {
  return format === "macho" && name.startsWith("_") ? name.slice(1) : name;
}
function runtimeFamily(library) {
  const base = library.split(/[\\/]/).pop() ?? library;
  if (/^libgomp-[0-9a-f]{6,}\.so/.test(base)) return "torch-bundled-gnu";
  if (/^libgomp(\.\d+)*\.(so|dylib)|^libgomp\.so/.test(base)) return "gnu";
  if (/^libiomp5(md)?\.(so|dylib|dll)/.test(base)) return "intel";
  if (/^libomp(140\.\w+)?(\.\d+)*\.(so|dylib|dll)/.test(base) || /^libomp\.so/.test(base)) return "llvm";
  if (/^vcomp\d*d?\.dll$/i.test(base)) return "msvc";
  return null;
}
var isOutlinedRegion = (name) => OUTLINED.test(name);
var OUTLINED_REGION_HINT = ["._omp_fn.", "omp_outlined"];
var PROCESS_TEXT = "through the process (e.g. libtorch's OpenMP runtime)";
function resolve(image, openmpImports, runtimes) {
  if (openmpImports.length === 0) return null;
  const forks = openmpImports.filter((s) => FORK_ENTRY.test(cName(s.name, image.format)));
  const deciding = forks.length > 0 ? forks : openmpImports;
  const bound = deciding.find((s) => s.library !== void 0)?.library;
  if (bound === "dynamic-lookup") return { via: "dynamic-lookup", text: "dynamic lookup (whatever the process loaded, e.g. libtorch's OpenMP runtime)" };
  if (bound === "flat-namespace") {
    const also = runtimes.length > 0 ? `; the image also loads ${runtimes.map((r) => r.library).join(", ")}` : "";
    return { via: "flat-namespace", text: `flat namespace (the first loaded image that exports them${also})` };
  }
  if (bound !== void 0 && image.format === "macho") {
    const family = runtimeFamily(bound);
    if (family) return { via: "linked-runtime", library: bound, family, text: `linked runtime ${bound}` };
    return { via: "linked-library", library: bound, text: `linked library ${bound}` };
  }
  const runtime = runtimes.find((r) => r.library === bound) ?? runtimes[0];
  if (runtime) return { via: "linked-runtime", library: runtime.library, family: runtime.family, text: `linked runtime ${runtime.library}` };
  return { via: "process", text: PROCESS_TEXT };
}
function openmpEvidence(image) {
  const openmpImports = image.imports.filter((s) => OPENMP_SYMBOL.test(cName(s.name, image.format)));
  const imports = openmpImports.map((s) => s.name);
  const forkImports = imports.filter((n) => FORK_ENTRY.test(cName(n, image.format)));
  const runtimes = [];
  for (const library of image.libraries) {
    const family = runtimeFamily(library);
    if (family) runtimes.push({ library, family });
  }
  return {
    parallel: forkImports.length > 0,
    forkImports: [...new Set(forkImports)].sort(),
    imports: [...new Set(imports)].sort(),
    runtimes,
    outlinedRegions: image.defined.filter(isOutlinedRegion),
    resolution: resolve(image, openmpImports, runtimes),
    libtorchParallel: [...new Set(image.imports.map((s) => cName(s.name, image.format)).filter((n) => LIBTORCH_PARALLEL.test(n)))].sort()
  };
}
function parallelPath(o) {
  const shim = o.libtorchParallel ?? [];
  const stable = `parallel through libtorch (stable ABI: imports ${shim.join(", ")})`;
  if (o.parallel) return `OpenMP parallel regions compiled in${shim.length ? `; also ${stable}` : ""}`;
  if (shim.length) return `${stable}, no OpenMP parallel regions of its own`;
  return "no OpenMP parallel regions and no parallel entry of libtorch (torch_parallel_for): every kernel in it runs on one thread unless it calls into libtorch";
}

// src/inspect/binary/binary-types.ts
var BinaryFormatError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "BinaryFormatError";
  }
};

// src/inspect/binary/byte-source.ts
import * as fs from "node:fs";
function clamp(size, offset, length) {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset >= size || !(length > 0)) return [0, 0];
  return [offset, Math.min(size, offset + Math.min(length, size))];
}
var SliceSource = class {
  constructor(parent, offset, size) {
    this.parent = parent;
    this.offset = offset;
    this.size = offset >= 0 && offset < parent.size ? Math.min(size, parent.size - offset) : 0;
  }
  parent;
  offset;
  size;
  read(offset, length) {
    const [from, to] = clamp(this.size, offset, length);
    return this.parent.read(this.offset + from, to - from);
  }
};
var CACHED_RANGES = 8;
var FileSource = class {
  size;
  fd;
  cache = /* @__PURE__ */ new Map();
  constructor(file) {
    this.fd = fs.openSync(file, "r");
    try {
      const st = fs.fstatSync(this.fd);
      if (!st.isFile()) throw new Error(`${file} is not a regular file`);
      this.size = st.size;
    } catch (e) {
      fs.closeSync(this.fd);
      throw e;
    }
  }
  read(offset, length) {
    const [from, to] = clamp(this.size, offset, length);
    const key = `${from}:${to}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const buf = Buffer.allocUnsafe(to - from);
    let got = 0;
    while (got < buf.length) {
      const n = fs.readSync(this.fd, buf, got, buf.length - got, from + got);
      if (n === 0) break;
      got += n;
    }
    const out = got === buf.length ? buf : buf.subarray(0, got);
    if (this.cache.size >= CACHED_RANGES) this.cache.delete(this.cache.keys().next().value);
    this.cache.set(key, out);
    return out;
  }
  close() {
    this.cache.clear();
    fs.closeSync(this.fd);
  }
};
function withFile(file, fn) {
  const src = new FileSource(file);
  try {
    return fn(src);
  } finally {
    src.close();
  }
}

// src/inspect/binary/byte-reader.ts
var ByteReader = class {
  constructor(buf, littleEndian, base = 0) {
    this.buf = buf;
    this.littleEndian = littleEndian;
    this.base = base;
  }
  buf;
  littleEndian;
  base;
  get size() {
    return this.buf.length;
  }
  /** True when [offset, offset+length) lies inside the buffer. */
  has(offset, length) {
    return Number.isSafeInteger(offset) && offset >= this.base && length >= 0 && offset + length <= this.base + this.buf.length;
  }
  need(offset, length, what) {
    if (!this.has(offset, length)) {
      const where = this.base === 0 ? `past the end of the file (${this.buf.length} bytes)` : `outside its table (${this.buf.length} bytes at offset ${this.base})`;
      throw new BinaryFormatError(`${what} at offset ${offset} (+${length}) lies ${where}`);
    }
  }
  u8(offset, what = "byte") {
    this.need(offset, 1, what);
    return this.buf[offset - this.base];
  }
  u16(offset, what = "u16") {
    this.need(offset, 2, what);
    const p = offset - this.base;
    return this.littleEndian ? this.buf.readUInt16LE(p) : this.buf.readUInt16BE(p);
  }
  u32(offset, what = "u32") {
    this.need(offset, 4, what);
    const p = offset - this.base;
    return this.littleEndian ? this.buf.readUInt32LE(p) : this.buf.readUInt32BE(p);
  }
  /** 64-bit value as a number; values above 2^53 are clamped to Infinity so range checks fail safely. */
  u64(offset, what = "u64") {
    this.need(offset, 8, what);
    const p = offset - this.base;
    const v = this.littleEndian ? this.buf.readBigUInt64LE(p) : this.buf.readBigUInt64BE(p);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.POSITIVE_INFINITY : Number(v);
  }
  /** Word of the image's size (4 or 8 bytes). */
  word(offset, bits, what = "word") {
    return bits === 64 ? this.u64(offset, what) : this.u32(offset, what);
  }
  /** NUL-terminated string starting at offset, read no further than limit (both file offsets). */
  cstring(offset, limit = this.base + this.buf.length) {
    const end = Math.min(limit, this.base + this.buf.length) - this.base;
    const p = offset - this.base;
    if (!Number.isSafeInteger(p) || p < 0 || p >= end) {
      throw new BinaryFormatError(`string at offset ${offset} lies outside its table`);
    }
    let stop = this.buf.indexOf(0, p);
    if (stop < 0 || stop > end) stop = end;
    return this.buf.toString("latin1", p, stop);
  }
};

// src/inspect/binary/lower-bound.ts
function lowerBound(sorted, x) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = lo + hi >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// src/inspect/binary/partial.ts
var MAX_REASONS = 8;
var PartialReasons = class {
  reasons = [];
  /** Notes a reason the read is incomplete (once each). */
  note(reason) {
    if (!this.reasons.includes(reason) && this.reasons.length < MAX_REASONS) this.reasons.push(reason);
  }
  /** Runs one step; a BinaryFormatError from it becomes a reason instead of failing the read. */
  guard(step) {
    try {
      return step();
    } catch (err) {
      if (err instanceof BinaryFormatError) {
        this.note(err.message);
        return void 0;
      }
      throw err;
    }
  }
  /** The image's `partial`: undefined when nothing was skipped. */
  text() {
    return this.reasons.length > 0 ? this.reasons.join("; ") : void 0;
  }
};

// src/inspect/binary/string-table.ts
var MAX_NAME = 1 << 20;
var DECODE_BUDGET_PER_BYTE = 4;
var NameBudget = class {
  constructor(inputSize, sink) {
    this.sink = sink;
    this.left = DECODE_BUDGET_PER_BYTE * inputSize + MAX_NAME;
  }
  sink;
  left;
  /** Longest name a lookup may still return. */
  get limit() {
    return Math.min(MAX_NAME, this.left);
  }
  /** Charges scanned bytes; false (and a note) when the name is refused. */
  charge(scanned, limit) {
    this.left -= Math.min(scanned, this.left);
    if (scanned <= limit) return true;
    this.sink.note(limit === MAX_NAME ? "a name is too long to be real" : "names repeat far more than the file holds: decoded names exceed the budget, the rest were skipped");
    return false;
  }
};
var StringTable = class {
  constructor(buf, budget) {
    this.buf = buf;
    this.budget = budget;
    this.nulEnd = buf.lastIndexOf(0) + 1;
  }
  buf;
  budget;
  /** Offset just past the table's last NUL (0 when there is none): past it, no lookup need scan. */
  nulEnd;
  /**
   * The NUL-terminated name at a table offset, cut at the table's end when
   * unterminated; undefined when the offset lies outside the table or the
   * name is refused (too long, or the budget is spent).
   */
  get(offset) {
    const { buf } = this;
    if (!(offset >= 0 && offset < buf.length)) return void 0;
    const limit = this.budget.limit;
    const end = Math.min(buf.length, offset + limit + 1);
    const nul = offset >= this.nulEnd ? -1 : buf.subarray(offset, end).indexOf(0);
    const stop = nul >= 0 ? offset + nul : end;
    return this.budget.charge(stop - offset, limit) ? buf.toString("latin1", offset, stop) : void 0;
  }
};

// src/inspect/binary/elf.ts
var SHT_SYMTAB = 2;
var SHT_DYNAMIC = 6;
var SHT_NOBITS = 8;
var SHT_DYNSYM = 11;
var SHT_GNU_VERNEED = 1879048190;
var SHT_GNU_VERSYM = 1879048191;
var PN_XNUM = 65535;
var PT_LOAD = 1;
var PT_DYNAMIC = 2;
var DT_NULL = 0;
var DT_NEEDED = 1;
var DT_HASH = 4;
var DT_STRTAB = 5;
var DT_SYMTAB = 6;
var DT_STRSZ = 10;
var DT_SYMENT = 11;
var DT_GNU_HASH = 1879047925;
var DT_VERSYM = 1879048176;
var DT_VERNEED = 1879048190;
var DT_VERNEEDNUM = 1879048191;
var STT_SECTION = 3;
var STT_FILE = 4;
var EM_S390 = 22;
var VER_RECORD = 16;
var MAX_VERSION_RECORDS = 65536;
var MAX_DYNAMIC_ENTRIES = 1 << 16;
var MAX_VERNEED_BYTES = MAX_VERSION_RECORDS * VER_RECORD;
var CHAIN_CHUNK = 4096;
var KINDS = { 1: "relocatable", 2: "executable", 3: "shared-object", 4: "core" };
var MACHINES = {
  2: ["sparc", "sparc"],
  3: ["i386", "i386"],
  4: ["m68k", "m68k"],
  8: ["mips", "mips64"],
  15: ["hppa", "hppa64"],
  18: ["sparc", "sparc"],
  20: ["ppc", "ppc"],
  21: ["ppc64", "ppc64"],
  22: ["s390", "s390x"],
  40: ["arm", "arm"],
  41: ["alpha", "alpha"],
  42: ["sh", "sh"],
  43: ["sparcv9", "sparcv9"],
  50: ["ia64", "ia64"],
  62: ["x32", "x86_64"],
  183: ["aarch64", "aarch64"],
  243: ["riscv32", "riscv64"],
  247: ["bpf", "bpf"],
  258: ["loongarch32", "loongarch64"],
  36902: ["alpha", "alpha"]
};
function isElf(buf) {
  return buf.length >= 4 && buf[0] === 127 && buf[1] === 69 && buf[2] === 76 && buf[3] === 70;
}
function readElfFrom(src, opts = {}) {
  const hdr = readHeader(src);
  return new ElfParser(src, hdr, opts).read();
}
function readHeader(src) {
  const buf = src.read(0, 64);
  if (!isElf(buf)) throw new BinaryFormatError("not an ELF file (bad magic)");
  if (buf.length < 6) throw new BinaryFormatError("ELF header truncated");
  const cls = buf[4];
  const data = buf[5];
  if (cls !== 1 && cls !== 2) throw new BinaryFormatError(`unknown ELF class ${cls}`);
  if (data !== 1 && data !== 2) throw new BinaryFormatError(`unknown ELF data encoding ${data}`);
  const bits = cls === 2 ? 64 : 32;
  const r = new ByteReader(buf, data === 1);
  const w = bits === 64;
  const size = w ? 64 : 52;
  if (buf.length < size) throw new BinaryFormatError(`ELF header truncated (${buf.length} of ${size} bytes)`);
  return {
    bits,
    little: data === 1,
    type: r.u16(16),
    machine: r.u16(18),
    phoff: r.word(w ? 32 : 28, bits),
    shoff: r.word(w ? 40 : 32, bits),
    phentsize: r.u16(w ? 54 : 42),
    phnum: r.u16(w ? 56 : 44),
    shentsize: r.u16(w ? 58 : 46),
    shnum: r.u16(w ? 60 : 48)
  };
}
var ElfParser = class {
  constructor(src, hdr, opts) {
    this.src = src;
    this.hdr = hdr;
    this.opts = opts;
    this.w = hdr.bits === 64;
    this.size = src.size;
    this.names = new NameBudget(src.size, this.partial);
  }
  src;
  hdr;
  opts;
  w;
  size;
  partial = new PartialReasons();
  sections;
  sectionsChecked = false;
  /** String tables already read, by range: .dynstr serves both library names and symbols. */
  strTabs = /* @__PURE__ */ new Map();
  /** Bytes of names we are still willing to decode, shared by every string table. */
  names;
  read() {
    const { hdr } = this;
    const secs = this.sectionTable();
    const symtabIdx = secs?.firstOfType(SHT_SYMTAB);
    const symtab = symtabIdx === void 0 ? void 0 : this.guard(() => this.symTabFromSection(symtabIdx, "symbol table"));
    let view = this.guard(() => this.viewFromSections()) ?? { needed: [] };
    if (!view.dynsym) {
      const seg = this.guard(() => this.viewFromSegments());
      if (seg) view = { ...seg, needed: view.needed.length > 0 ? view.needed : seg.needed };
    }
    const verneed = view.verneed;
    const versions = verneed ? this.guard(() => this.readVerneed(verneed)) : void 0;
    const importTable = view.dynsym ?? (hdr.type === 1 ? symtab : void 0);
    const imports = importTable ? this.guard(() => this.readImports(importTable, importTable === view.dynsym ? view.versym : void 0, versions ?? /* @__PURE__ */ new Map())) ?? [] : [];
    const cap = this.opts.maxSymtabBytes ?? Infinity;
    const symtabBytes = symtab ? symtab.count * symtab.entsize + symtab.strings.size : 0;
    const readSymtab2 = symtab !== void 0 && symtabBytes <= cap;
    if (symtab && !readSymtab2) this.note(`full symbol table not read (${(symtabBytes / 2 ** 20).toFixed(0)} MiB, above the ${(cap / 2 ** 20).toFixed(0)} MiB cap): outlined regions are not listed`);
    const definedFrom = symtab === void 0 ? [view.dynsym] : readSymtab2 ? [symtab, view.dynsym] : [];
    const defined = this.opts.keepDefined ? this.guard(() => this.readDefined(definedFrom)) ?? [] : [];
    const image = {
      format: "elf",
      arch: archName(hdr),
      bits: hdr.bits,
      endian: hdr.little ? "little" : "big",
      kind: KINDS[hdr.type] ?? `type-${hdr.type}`,
      libraries: view.needed,
      imports,
      defined,
      stripped: symtabIdx === void 0
    };
    const partial = this.partial.text();
    if (partial !== void 0) image.partial = partial;
    return image;
  }
  note(reason) {
    this.partial.note(reason);
  }
  guard(step) {
    return this.partial.guard(step);
  }
  /** True when [offset, offset+length) lies inside the input. */
  fits(offset, length) {
    return Number.isSafeInteger(offset) && offset >= 0 && length >= 0 && offset + length <= this.size;
  }
  /** A bounds-checked reader over bytes [off, off+size) of the input (cut to its end). */
  reader(off, size) {
    return new ByteReader(this.src.read(off, size), this.hdr.little, off);
  }
  // --- sections ---------------------------------------------------------
  sectionTable() {
    if (!this.sectionsChecked) {
      this.sectionsChecked = true;
      this.sections = this.guard(() => this.openSectionTable());
    }
    return this.sections;
  }
  openSectionTable() {
    const { hdr } = this;
    if (hdr.shoff === 0) return void 0;
    const entsize = this.w ? 64 : 40;
    if (hdr.shentsize < entsize) throw new BinaryFormatError(`section header size ${hdr.shentsize} is too small`);
    if (!this.fits(hdr.shoff, entsize)) throw new BinaryFormatError("section header table lies past the end of the file");
    const count = hdr.shnum === 0 ? new SectionTable(this.reader(hdr.shoff, entsize), this.w, hdr.shoff, hdr.shentsize, 1).get(0).size : hdr.shnum;
    if (count === 0) return void 0;
    if (!this.fits(hdr.shoff, count * hdr.shentsize)) throw new BinaryFormatError("section header table lies past the end of the file");
    return new SectionTable(this.reader(hdr.shoff, count * hdr.shentsize), this.w, hdr.shoff, hdr.shentsize, count);
  }
  viewFromSections() {
    const secs = this.sectionTable();
    if (!secs) return void 0;
    const view = { needed: [] };
    const dynsym = secs.firstOfType(SHT_DYNSYM);
    if (dynsym !== void 0) view.dynsym = this.guard(() => this.symTabFromSection(dynsym, "dynamic symbol table"));
    const dynamic = secs.firstOfType(SHT_DYNAMIC);
    if (dynamic !== void 0) view.needed = this.guard(() => this.neededFromSection(dynamic)) ?? [];
    const versym = secs.firstOfType(SHT_GNU_VERSYM);
    if (versym !== void 0) view.versym = this.guard(() => this.sectionRange(secs.get(versym), "symbol version table"));
    const verneed = secs.firstOfType(SHT_GNU_VERNEED);
    if (verneed !== void 0) {
      view.verneed = this.guard(() => {
        const s = secs.get(verneed);
        return { ...this.sectionRange(s, "version needs"), count: s.info, strings: this.linkedStrings(s) };
      });
    }
    return view;
  }
  /** File range of a section, cut to the end of the file. */
  sectionRange(s, what) {
    if (s.type === SHT_NOBITS) return { off: 0, size: 0 };
    return this.clampRange(s.offset, s.size, what);
  }
  clampRange(off, size, what) {
    if (!Number.isSafeInteger(off) || off < 0 || off > this.size) {
      throw new BinaryFormatError(`${what} at offset ${off} lies past the end of the file`);
    }
    const room = this.size - off;
    if (!(size <= room)) {
      this.note(`${what} is truncated`);
      return { off, size: room };
    }
    return { off, size };
  }
  /** Range of the string table a section links to. */
  linkedStrings(s) {
    const secs = this.sectionTable();
    if (!secs || s.link === 0 || s.link >= secs.count) throw new BinaryFormatError(`section link ${s.link} is not a string table`);
    return this.sectionRange(secs.get(s.link), "string table");
  }
  symTabFromSection(idx, what) {
    const secs = this.sectionTable();
    const s = secs.get(idx);
    const range = this.sectionRange(s, what);
    return this.symTab(range, s.entsize, this.linkedStrings(s), what);
  }
  symTab(range, entsize, strings, what) {
    if (entsize < (this.w ? 24 : 16) || !Number.isSafeInteger(entsize)) {
      throw new BinaryFormatError(`${what} has bad entry size ${entsize}`);
    }
    return { off: range.off, count: Math.floor(range.size / entsize), entsize, strings };
  }
  neededFromSection(idx) {
    const s = this.sectionTable().get(idx);
    const range = this.sectionRange(s, "dynamic section");
    const strings = this.linkedStrings(s);
    return this.neededNames(this.dynamicEntries(range).needed, this.strTab(strings));
  }
  // --- segments (no usable section headers) -----------------------------
  viewFromSegments() {
    const { loads, dynamic } = this.readProgramHeaders();
    if (!dynamic) return void 0;
    const { tags, needed } = this.dynamicEntries(dynamic);
    const map = (tag, what) => {
      const addr = tags.get(tag);
      return addr === void 0 ? void 0 : this.guard(() => vaddrToOffset(loads, addr, what));
    };
    const strOff = map(DT_STRTAB, "dynamic string table");
    if (strOff === void 0) {
      if (needed.length > 0 || tags.has(DT_SYMTAB)) this.note("dynamic string table not found");
      return { needed: [] };
    }
    const strsz = tags.get(DT_STRSZ) ?? this.size - strOff;
    const strings = this.clampRange(strOff, strsz, "dynamic string table");
    const view = { needed: this.neededNames(needed, this.strTab(strings)) };
    const symOff = map(DT_SYMTAB, "dynamic symbol table");
    const verOff = map(DT_VERSYM, "symbol version table");
    const needOff = map(DT_VERNEED, "version needs");
    const hashOff = map(DT_HASH, "hash table");
    const gnuHashOff = map(DT_GNU_HASH, "GNU hash table");
    if (symOff !== void 0) {
      const entsize = tags.get(DT_SYMENT) ?? (this.w ? 24 : 16);
      const count = this.dynsymCount(symOff, entsize, hashOff, gnuHashOff, [strOff, verOff, needOff, hashOff, gnuHashOff]);
      const range = this.clampRange(symOff, count * entsize, "dynamic symbol table");
      view.dynsym = this.guard(() => this.symTab(range, entsize, strings, "dynamic symbol table"));
      if (verOff !== void 0 && view.dynsym) {
        view.versym = this.clampRange(verOff, view.dynsym.count * 2, "symbol version table");
      }
    }
    if (needOff !== void 0) {
      view.verneed = { off: needOff, size: Math.max(0, Math.min(this.size - needOff, MAX_VERNEED_BYTES)), count: tags.get(DT_VERNEEDNUM), strings };
    }
    return view;
  }
  readProgramHeaders() {
    const { hdr, w } = this;
    const loads = [];
    let dynamic;
    const entsize = w ? 56 : 32;
    let count = hdr.phnum;
    if (count === PN_XNUM) count = this.guard(() => this.sectionTable()?.get(0).info) ?? 0;
    if (hdr.phoff === 0 || count === 0) return { loads };
    if (hdr.phentsize < entsize) {
      this.note(`program header size ${hdr.phentsize} is too small`);
      return { loads };
    }
    const fits = this.fits(hdr.phoff, 0) ? Math.floor((this.size - hdr.phoff) / hdr.phentsize) : 0;
    if (fits < count) {
      this.note("program header table is truncated");
      count = fits;
    }
    const r = this.reader(hdr.phoff, count * hdr.phentsize);
    for (let i = 0; i < count; i++) {
      const p = hdr.phoff + i * hdr.phentsize;
      const type = r.u32(p);
      if (type !== PT_LOAD && type !== PT_DYNAMIC) continue;
      const offset = wordAt(r, p + (w ? 8 : 4), hdr.bits);
      const vaddr = wordAt(r, p + (w ? 16 : 8), hdr.bits);
      const filesz = wordAt(r, p + (w ? 32 : 16), hdr.bits);
      if (type === PT_LOAD) loads.push({ vaddr, offset, filesz });
      else if (!dynamic) dynamic = this.guard(() => this.clampRange(offset, filesz, "dynamic segment"));
    }
    return { loads, dynamic };
  }
  /**
   * Number of .dynsym entries. Only the hash tables record it; without one,
   * assume the table runs up to the next dynamic table that follows it.
   * A count beyond the end of the file is returned as is, so the caller
   * notes the table as truncated.
   */
  dynsymCount(symOff, entsize, hash, gnuHash, others) {
    if (!(entsize > 0)) throw new BinaryFormatError(`dynamic symbol table has bad entry size ${entsize}`);
    const fits = Math.floor((this.size - symOff) / entsize);
    if (hash !== void 0) {
      const n = this.guard(() => this.sysvHashCount(hash));
      if (n !== void 0) return n;
    }
    if (gnuHash !== void 0) {
      const n = this.guard(() => this.gnuHashCount(gnuHash, fits));
      if (n !== void 0) return n;
    }
    let end = this.size;
    for (const o of others) if (o !== void 0 && o > symOff && o < end) end = o;
    return Math.floor((end - symOff) / entsize);
  }
  sysvHashCount(off) {
    const r = this.reader(off, 16);
    if (this.hdr.machine === EM_S390 && this.w) return r.u64(off + 8, "hash table");
    return r.u32(off + 4, "hash table");
  }
  /** Highest symbol index reachable from the buckets, plus one; the chain walk stops past `limit`. */
  gnuHashCount(off, limit) {
    const head = this.reader(off, 16);
    const nbuckets = head.u32(off, "GNU hash table");
    const symoffset = head.u32(off + 4, "GNU hash table");
    const bloomWords = head.u32(off + 8, "GNU hash table");
    const buckets = off + 16 + bloomWords * (this.w ? 8 : 4);
    if (!this.fits(buckets, nbuckets * 4)) throw new BinaryFormatError(`GNU hash table with ${nbuckets} buckets lies past the end of the file`);
    if (nbuckets > limit + 1024) throw new BinaryFormatError(`GNU hash table has ${nbuckets} buckets for at most ${limit} symbols`);
    const le = this.hdr.little;
    const bucketBytes = this.src.read(buckets, nbuckets * 4);
    let max = 0;
    for (let p = 0; p + 4 <= bucketBytes.length; p += 4) {
      const v = u32At(bucketBytes, p, le);
      if (v > max) max = v;
    }
    if (max < symoffset) return symoffset;
    let at = buckets + nbuckets * 4 + (max - symoffset) * 4;
    let i = max;
    while (i < limit) {
      const chunk = this.src.read(at, Math.min(CHAIN_CHUNK, (limit - i) * 4));
      if (chunk.length < 4) throw new BinaryFormatError("GNU hash chain runs past the end of the file");
      for (let p = 0; p + 4 <= chunk.length; p += 4, i++) {
        if ((u32At(chunk, p, le) & 1) !== 0) return i + 1;
      }
      at += chunk.length - chunk.length % 4;
    }
    return i + 1;
  }
  // --- shared tables ----------------------------------------------------
  dynamicEntries(range) {
    const { w, hdr } = this;
    const entsize = w ? 16 : 8;
    const tags = /* @__PURE__ */ new Map();
    const needed = [];
    let count = Math.floor(range.size / entsize);
    if (count > MAX_DYNAMIC_ENTRIES) {
      this.note("dynamic table is too long to be real; read its start");
      count = MAX_DYNAMIC_ENTRIES;
    }
    const r = this.reader(range.off, count * entsize);
    for (let i = 0; i < count; i++) {
      const p = range.off + i * entsize;
      const tag = wordAt(r, p, hdr.bits);
      if (tag === DT_NULL) break;
      const val = wordAt(r, p + entsize / 2, hdr.bits);
      if (tag === DT_NEEDED) needed.push(val);
      else if (!tags.has(tag)) tags.set(tag, val);
    }
    return { tags, needed };
  }
  neededNames(offsets, strtab) {
    const names = [];
    for (const o of offsets) {
      const name = strtab.get(o);
      if (name === void 0) this.note("library name lies outside the string table");
      else names.push(name);
    }
    return names;
  }
  /** Reads a string table (once per range). */
  strTab(range) {
    const key = `${range.off}:${range.size}`;
    const seen = this.strTabs.get(key);
    if (seen) return seen;
    const t = new StringTable(this.src.read(range.off, range.size), this.names);
    this.strTabs.set(key, t);
    return t;
  }
  /** Version index -> version name and library, from .gnu.version_r. */
  readVerneed(t) {
    const r = this.reader(t.off, t.size);
    const strtab = this.strTab(t.strings);
    const out = /* @__PURE__ */ new Map();
    const end = t.off + t.size;
    const fits = (p2) => p2 >= t.off && p2 + VER_RECORD <= end;
    let budget = Math.min(Math.floor(t.size / VER_RECORD), MAX_VERSION_RECORDS);
    let p = t.off;
    for (let n = 0; t.count === void 0 || n < t.count; n++) {
      if (!fits(p)) return this.versionStop(out, "version needs run past their table");
      if (budget-- <= 0) return this.versionStop(out, "version needs chain is too long or loops");
      const cnt = r.u16(p + 2);
      const library = strtab.get(r.u32(p + 4)) ?? "";
      let a = p + r.u32(p + 8);
      for (let j = 0; j < cnt; j++) {
        if (!fits(a)) return this.versionStop(out, "version needs run past their table");
        if (budget-- <= 0) return this.versionStop(out, "version needs chain is too long or loops");
        const version = strtab.get(r.u32(a + 8));
        const index = r.u16(a + 6) & 32767;
        if (version !== void 0 && !out.has(index)) out.set(index, { version, library });
        const next2 = r.u32(a + 12);
        if (next2 === 0) break;
        a += next2;
      }
      const next = r.u32(p + 12);
      if (next === 0) break;
      p += next;
    }
    return out;
  }
  versionStop(out, reason) {
    this.note(reason);
    return out;
  }
  // The two symbol loops below run once per symbol (hundreds of thousands in
  // big C++ libraries), mostly before the JIT warms up, so they index the
  // table's bytes directly: every index stays below the table's length.
  readImports(sym, versym, versions) {
    const { entsize } = sym;
    const table = this.src.read(sym.off, sym.count * entsize);
    const count = Math.floor(table.length / entsize);
    const strtab = this.strTab(sym.strings);
    const names = strtab.buf;
    const le = this.hdr.little;
    const shndxAt = this.w ? 6 : 14;
    const versyms = versym ? this.src.read(versym.off, versym.size) : void 0;
    const versymCount = versyms ? versyms.length >> 1 : 0;
    const imports = [];
    let badNames = false;
    for (let i = 1, p = entsize; i < count; i++, p += entsize) {
      if ((table[p + shndxAt] | table[p + shndxAt + 1]) !== 0) continue;
      const nameAt = u32At(table, p, le);
      if (!(nameAt < names.length)) {
        badNames = true;
        continue;
      }
      if (names[nameAt] === 0) continue;
      const name = strtab.get(nameAt);
      if (name === void 0) continue;
      const entry = { name };
      if (versyms && i < versymCount) {
        const need = versions.get(u16At(versyms, i * 2, le) & 32767);
        if (need) {
          entry.version = need.version;
          entry.library = need.library;
        }
      }
      imports.push(entry);
    }
    if (badNames) this.note("some symbol names lie outside their string table");
    if (versyms && versymCount < count) this.note("symbol version table is shorter than the symbol table");
    return imports;
  }
  readDefined(tables) {
    const keep = this.opts.keepDefined;
    if (!keep) return [];
    const { w } = this;
    const le = this.hdr.little;
    const seen = /* @__PURE__ */ new Set();
    const shndxAt = w ? 6 : 14;
    const infoAt = w ? 4 : 12;
    const hints = this.opts.keepDefinedContaining;
    for (const sym of tables) {
      if (!sym) continue;
      const { entsize } = sym;
      const table = this.src.read(sym.off, sym.count * entsize);
      const count = Math.floor(table.length / entsize);
      const strtab = this.strTab(sym.strings);
      const names = strtab.buf;
      const mayPass = hints ? hintFilter(names, hints) : void 0;
      for (let i = 1, p = entsize; i < count; i++, p += entsize) {
        if ((table[p + shndxAt] | table[p + shndxAt + 1]) === 0) continue;
        const type = table[p + infoAt] & 15;
        if (type === STT_SECTION || type === STT_FILE) continue;
        const nameAt = u32At(table, p, le);
        if (!(nameAt < names.length) || names[nameAt] === 0) continue;
        if (mayPass && !mayPass(nameAt)) continue;
        const name = strtab.get(nameAt);
        if (name !== void 0 && !seen.has(name) && keep(name)) seen.add(name);
      }
    }
    return [...seen];
  }
};
function hintFilter(names, hints) {
  const hits = [];
  for (const hint of hints) {
    if (hint.length === 0 || hint.includes("\0")) return () => true;
    for (let i = names.indexOf(hint, 0, "latin1"); i >= 0; i = names.indexOf(hint, i + 1, "latin1")) hits.push(i);
  }
  hits.sort((a, b) => a - b);
  const runStart = new Array(hits.length);
  for (let k = 0, prev = 0; k < hits.length; prev = hits[k++]) {
    const nul = names.subarray(prev, hits[k]).lastIndexOf(0);
    runStart[k] = nul >= 0 ? prev + nul + 1 : k > 0 ? runStart[k - 1] : 0;
  }
  return (nameAt) => {
    const lo = lowerBound(hits, nameAt);
    return lo < hits.length && runStart[lo] <= nameAt;
  };
}
function u16At(buf, p, le) {
  return le ? buf[p] | buf[p + 1] << 8 : buf[p] << 8 | buf[p + 1];
}
function u32At(buf, p, le) {
  return le ? (buf[p] | buf[p + 1] << 8 | buf[p + 2] << 16 | buf[p + 3] << 24) >>> 0 : (buf[p] << 24 | buf[p + 1] << 16 | buf[p + 2] << 8 | buf[p + 3]) >>> 0;
}
var SectionTable = class {
  constructor(r, w, off, entsize, count) {
    this.r = r;
    this.w = w;
    this.off = off;
    this.entsize = entsize;
    this.count = count;
  }
  r;
  w;
  off;
  entsize;
  count;
  firstIndex = /* @__PURE__ */ new Map();
  scanned = false;
  get(i) {
    const { r, w } = this;
    const p = this.off + i * this.entsize;
    const bits = w ? 64 : 32;
    return {
      type: r.u32(p + 4, "section header"),
      offset: wordAt(r, p + (w ? 24 : 16), bits),
      size: wordAt(r, p + (w ? 32 : 20), bits),
      link: r.u32(p + (w ? 40 : 24), "section header"),
      info: r.u32(p + (w ? 44 : 28), "section header"),
      entsize: wordAt(r, p + (w ? 56 : 36), bits)
    };
  }
  /** Index of the first section of a type; section 0 is always the null section. */
  firstOfType(type) {
    if (!this.scanned) {
      this.scanned = true;
      for (let i = 1; i < this.count; i++) {
        const t = this.r.u32(this.off + i * this.entsize + 4);
        if (!this.firstIndex.has(t)) this.firstIndex.set(t, i);
      }
    }
    return this.firstIndex.get(type);
  }
};
function wordAt(r, p, bits) {
  if (bits === 32) return r.u32(p);
  const lo = r.u32(r.littleEndian ? p : p + 4);
  const hi = r.u32(r.littleEndian ? p + 4 : p);
  return hi > 2097151 ? Number.POSITIVE_INFINITY : hi * 4294967296 + lo;
}
function vaddrToOffset(loads, addr, what) {
  for (const l of loads) {
    if (addr >= l.vaddr && addr - l.vaddr < l.filesz) {
      const off = l.offset + (addr - l.vaddr);
      if (Number.isSafeInteger(off)) return off;
    }
  }
  throw new BinaryFormatError(`${what} at address 0x${addr.toString(16)} is not in any loaded segment`);
}
function archName(hdr) {
  const names = MACHINES[hdr.machine];
  return names ? names[hdr.bits === 64 ? 1 : 0] : `machine-${hdr.machine}`;
}

// src/inspect/binary/macho.ts
var MH_MAGIC = 4277009102;
var MH_CIGAM = 3472551422;
var MH_MAGIC_64 = 4277009103;
var MH_CIGAM_64 = 3489328638;
var FAT_MAGIC = 3405691582;
var FAT_MAGIC_64 = 3405691583;
var MAX_FAT_ARCHES = 30;
var MH_OBJECT = 1;
var MH_TWOLEVEL = 128;
var LC_SYMTAB = 2;
var LC_LOAD_DYLIB = 12;
var LC_LAZY_LOAD_DYLIB = 32;
var LC_DYLD_INFO = 34;
var LC_LOAD_WEAK_DYLIB = 2147483672;
var LC_REEXPORT_DYLIB = 2147483679;
var LC_DYLD_INFO_ONLY = 2147483682;
var LC_LOAD_UPWARD_DYLIB = 2147483683;
var LC_DYLD_CHAINED_FIXUPS = 2147483700;
var DYLIB_COMMANDS = /* @__PURE__ */ new Set([LC_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB, LC_REEXPORT_DYLIB, LC_LAZY_LOAD_DYLIB, LC_LOAD_UPWARD_DYLIB]);
var N_STAB = 224;
var N_TYPE = 14;
var N_EXT = 1;
var N_UNDF = 0;
var N_PBUD = 12;
var N_SECT = 14;
var CPU_ARCH_ABI64 = 16777216;
var CPU_ARCH_ABI64_32 = 33554432;
var CPU_TYPE_X86 = 7;
var CPU_TYPE_ARM = 12;
var CPU_TYPE_POWERPC = 18;
var CPU_ARCH_MASK = 4278190080;
var CPU_SUBTYPE_MASK = 4278190080;
var FILE_TYPES = {
  1: "object",
  2: "executable",
  3: "fvmlib",
  4: "core",
  5: "preload",
  6: "dylib",
  7: "dylinker",
  8: "bundle",
  9: "dylib-stub",
  10: "dsym",
  11: "kext-bundle",
  12: "fileset"
};
var ARM_SUBTYPES = {
  5: "armv4t",
  6: "armv6",
  7: "armv5",
  9: "armv7",
  11: "armv7s",
  12: "armv7k",
  14: "armv6m",
  15: "armv7m",
  16: "armv7em"
};
function isMachO(buf) {
  if (buf.length < 8) return false;
  const magic = buf.readUInt32BE(0);
  const thin = thinMagic(magic);
  if (thin !== void 0) return buf.length >= headerSize(thin.bits);
  if (magic !== FAT_MAGIC && magic !== FAT_MAGIC_64) return false;
  const count = buf.readUInt32BE(4);
  const entry = magic === FAT_MAGIC_64 ? 32 : 20;
  return count >= 1 && count <= MAX_FAT_ARCHES && 8 + count * entry <= buf.length;
}
function readMachOFrom(src, opts = {}) {
  if (src.size < 4) throw new BinaryFormatError(`not a Mach-O file: only ${src.size} bytes`);
  const magic = src.read(0, 4).readUInt32BE(0);
  if (magic === FAT_MAGIC || magic === FAT_MAGIC_64) return readFat(src, magic === FAT_MAGIC_64, opts);
  return [readThin(src, opts)];
}
function readFat(src, is64, opts) {
  const entry = is64 ? 32 : 20;
  const r = new ByteReader(src.read(0, 8 + MAX_FAT_ARCHES * entry), false);
  const count = r.u32(4, "fat header");
  if (count < 1 || count > MAX_FAT_ARCHES) {
    throw new BinaryFormatError(`not a Mach-O universal file: nfat_arch is ${count} (a Java class file?)`);
  }
  const readable = Math.min(count, Math.floor((src.size - 8) / entry));
  if (readable < 1) throw new BinaryFormatError("Mach-O universal header is truncated");
  const lost = readable < count ? `universal header truncated: ${count - readable} of ${count} slices unlisted` : void 0;
  const images = [];
  for (let i = 0; i < readable; i++) {
    const image = readSlice(src, fatArch(r, 8 + i * entry, is64), opts);
    images.push(lost === void 0 ? image : withPartial(image, lost));
  }
  return images;
}
function fatArch(r, at, is64) {
  return {
    cputype: r.u32(at) | 0,
    cpusubtype: r.u32(at + 4) | 0,
    offset: is64 ? r.u64(at + 8) : r.u32(at + 8),
    size: is64 ? r.u64(at + 16) : r.u32(at + 12)
  };
}
function readSlice(src, arch, opts) {
  if (!(arch.offset < src.size)) return placeholder(arch, `slice at offset ${arch.offset} lies past the end of the file`);
  const slice = new SliceSource(src, arch.offset, arch.size);
  const head = slice.read(0, 4);
  if (head.length >= 4) {
    const magic = head.readUInt32BE(0);
    if (magic === FAT_MAGIC || magic === FAT_MAGIC_64) return placeholder(arch, "slice is itself a universal file");
  }
  const unreadable = new PartialReasons();
  const image = unreadable.guard(() => readThin(slice, opts));
  if (image === void 0) return placeholder(arch, unreadable.text() ?? "slice header unreadable");
  return slice.size < arch.size ? withPartial(image, "slice truncated by the end of the file") : image;
}
function placeholder(arch, reason) {
  const bits = arch.cputype & CPU_ARCH_ABI64 ? 64 : 32;
  const endian = (arch.cputype & ~CPU_ARCH_MASK) === CPU_TYPE_POWERPC ? "big" : "little";
  return {
    format: "macho",
    arch: archName2(arch.cputype, arch.cpusubtype),
    bits,
    endian,
    kind: "unknown",
    libraries: [],
    imports: [],
    defined: [],
    stripped: true,
    partial: reason
  };
}
function withPartial(image, reason) {
  return { ...image, partial: image.partial === void 0 ? reason : `${image.partial}; ${reason}` };
}
function thinMagic(magic) {
  switch (magic) {
    case MH_MAGIC:
      return { bits: 32, littleEndian: false };
    case MH_CIGAM:
      return { bits: 32, littleEndian: true };
    case MH_MAGIC_64:
      return { bits: 64, littleEndian: false };
    case MH_CIGAM_64:
      return { bits: 64, littleEndian: true };
    default:
      return void 0;
  }
}
function headerSize(bits) {
  return bits === 64 ? 32 : 28;
}
function readHeader2(src) {
  const buf = src.read(0, headerSize(64));
  if (buf.length < 4) throw new BinaryFormatError(`Mach-O header truncated at ${buf.length} bytes`);
  const kind = thinMagic(buf.readUInt32BE(0));
  if (kind === void 0) throw new BinaryFormatError(`not a Mach-O file (magic 0x${buf.readUInt32BE(0).toString(16).padStart(8, "0")})`);
  if (buf.length < headerSize(kind.bits)) throw new BinaryFormatError(`Mach-O header truncated at ${buf.length} bytes`);
  const r = new ByteReader(buf, kind.littleEndian);
  return {
    ...kind,
    cputype: r.u32(4) | 0,
    cpusubtype: r.u32(8) | 0,
    filetype: r.u32(12),
    ncmds: r.u32(16),
    sizeofcmds: r.u32(20),
    flags: r.u32(24)
  };
}
function readThin(src, opts) {
  const header = readHeader2(src);
  const partial = new PartialReasons();
  const thin = { src, header, partial, names: new NameBudget(src.size, partial) };
  const cmds = readCommands(thin);
  const imports = new ImportSet();
  const libraryOf = ordinalResolver(header, cmds.dylibs);
  const symtab = cmds.symtab;
  const syms = symtab === void 0 ? void 0 : partial.guard(() => readSymtab(thin, symtab, libraryOf, imports, opts));
  const chained = cmds.chained;
  if (chained !== void 0) partial.guard(() => readChainedFixups(thin, chained, libraryOf, imports));
  if (symtab === void 0 && cmds.dyldInfo !== void 0) readBindOpcodes(thin, cmds.dyldInfo.streams, libraryOf, imports);
  const image = {
    format: "macho",
    arch: archName2(header.cputype, header.cpusubtype),
    bits: header.bits,
    endian: header.littleEndian ? "little" : "big",
    kind: FILE_TYPES[header.filetype] ?? `filetype-${header.filetype}`,
    libraries: [...new Set(cmds.dylibs.filter((d) => d !== void 0))],
    imports: imports.list(),
    defined: syms?.defined ?? [],
    stripped: !(syms?.hasLocals ?? false)
  };
  const reasons = partial.text();
  if (reasons !== void 0) image.partial = reasons;
  return image;
}
function readCommands({ src, header, partial }) {
  const out = { dylibs: [] };
  const start = headerSize(header.bits);
  const r = new ByteReader(src.read(start, header.sizeofcmds), header.littleEndian, start);
  let end = start + header.sizeofcmds;
  if (end > start + r.size) {
    partial.note("load commands truncated by the end of the file");
    end = start + r.size;
  }
  let off = start;
  for (let i = 0; i < header.ncmds; i++) {
    if (off + 8 > end) {
      partial.note(`load commands end after ${i} of ${header.ncmds}`);
      break;
    }
    const cmd = r.u32(off);
    const size = r.u32(off + 4);
    if (size < 8 || off + size > end) {
      partial.note(`load command ${i} has a bad size (${size})`);
      break;
    }
    readCommand(r, cmd, off, size, out, partial);
    off += size;
  }
  return out;
}
function readCommand(r, cmd, off, size, out, partial) {
  if (DYLIB_COMMANDS.has(cmd)) {
    const name = commandString(r, off, size, size >= 12 ? r.u32(off + 8) : void 0);
    if (name === void 0) partial.note(`dylib command ${out.dylibs.length + 1} has a bad name offset`);
    out.dylibs.push(name);
  } else if (cmd === LC_SYMTAB && size < 24) {
    partial.note("LC_SYMTAB is too short");
  } else if (cmd === LC_SYMTAB && out.symtab === void 0) {
    out.symtab = { symoff: r.u32(off + 8), nsyms: r.u32(off + 12), stroff: r.u32(off + 16), strsize: r.u32(off + 20) };
  } else if (cmd === LC_DYLD_CHAINED_FIXUPS && out.chained === void 0 && size >= 16) {
    out.chained = { dataoff: r.u32(off + 8), datasize: r.u32(off + 12) };
  } else if ((cmd === LC_DYLD_INFO || cmd === LC_DYLD_INFO_ONLY) && out.dyldInfo === void 0 && size >= 48) {
    out.dyldInfo = {
      streams: [
        { off: r.u32(off + 16), size: r.u32(off + 20), lazy: false },
        { off: r.u32(off + 32), size: r.u32(off + 36), lazy: true }
      ]
    };
  }
}
function commandString(r, off, size, nameOffset) {
  if (nameOffset === void 0 || nameOffset < 8 || nameOffset >= size) return void 0;
  return r.cstring(off + nameOffset, off + size);
}
var ImportSet = class {
  byName = /* @__PURE__ */ new Map();
  add(name, library) {
    if (name === "") return;
    const seen = this.byName.get(name);
    if (seen === void 0) this.byName.set(name, library === void 0 ? { name } : { name, library });
    else if (seen.library === void 0 && library !== void 0) seen.library = library;
  }
  list() {
    return [...this.byName.values()];
  }
};
function ordinalResolver(header, dylibs) {
  if (header.filetype === MH_OBJECT) return () => void 0;
  if ((header.flags & MH_TWOLEVEL) === 0) return () => "flat-namespace";
  return (ordinal) => {
    if (ordinal >= 1 && ordinal <= dylibs.length) return dylibs[ordinal - 1];
    switch (ordinal) {
      case 0:
        return "self";
      case -1:
        return "executable";
      case -2:
        return "dynamic-lookup";
      case -3:
        return "weak-lookup";
      default:
        return void 0;
    }
  };
}
function nlistOrdinal(desc) {
  const ordinal = desc >> 8 & 255;
  if (ordinal === 254) return -2;
  if (ordinal === 255) return -1;
  return ordinal;
}
function readSymtab({ src, header, partial, names }, symtab, libraryOf, imports, opts) {
  const result = { defined: [], hasLocals: false };
  const entry = header.bits === 64 ? 16 : 12;
  const r = new ByteReader(src.read(symtab.symoff, symtab.nsyms * entry), header.littleEndian, symtab.symoff);
  const nsyms = Math.floor(r.size / entry);
  if (nsyms < symtab.nsyms) partial.note(`symbol table truncated: ${nsyms} of ${symtab.nsyms} entries readable`);
  const strings = new StringTable(src.read(symtab.stroff, symtab.strsize), names);
  if (strings.buf.length < symtab.strsize) partial.note("string table truncated");
  const keep = opts.keepDefined;
  const defined = /* @__PURE__ */ new Set();
  for (let i = 0; i < nsyms; i++) {
    const at = symtab.symoff + i * entry;
    const type = r.u8(at + 4);
    if (type & N_STAB) continue;
    const kind = type & N_TYPE;
    const sect = r.u8(at + 5);
    if (kind === N_UNDF && sect === 0 || kind === N_PBUD) {
      if (header.filetype === MH_OBJECT && kind === N_UNDF && r.word(at + 8, header.bits) !== 0) continue;
      const name = symbolName(strings, r.u32(at));
      if (name !== void 0) imports.add(name, libraryOf(nlistOrdinal(r.u16(at + 6))));
    } else if (kind === N_SECT) {
      if (!(type & N_EXT)) result.hasLocals = true;
      if (keep !== void 0) {
        const name = symbolName(strings, r.u32(at));
        if (name !== void 0 && keep(name)) defined.add(name);
      }
    }
  }
  result.defined = [...defined];
  return result;
}
function symbolName(strings, strx) {
  if (strx === 0) return void 0;
  const name = strings.get(strx);
  return name === "" ? void 0 : name;
}
var CHAINED_IMPORT_SIZES = { 1: 4, 2: 8, 3: 16 };
function readChainedFixups({ src, header, partial, names }, fixups, libraryOf, imports) {
  const blob = src.read(fixups.dataoff, fixups.datasize);
  if (blob.length < 28) throw new BinaryFormatError("chained fixups lie past the end of the file");
  const r = new ByteReader(blob, header.littleEndian);
  const importsOffset = r.u32(8);
  const symbolsOffset = r.u32(12);
  const count = r.u32(16);
  const format = r.u32(20);
  const symbolsFormat = r.u32(24);
  const size = CHAINED_IMPORT_SIZES[format];
  if (size === void 0) throw new BinaryFormatError(`unknown chained import format ${format}`);
  if (symbolsFormat !== 0) throw new BinaryFormatError("compressed chained-fixup symbol names are not read");
  const fits = importsOffset <= blob.length ? Math.floor((blob.length - importsOffset) / size) : 0;
  const n = Math.min(count, fits);
  const pool = new StringTable(blob.subarray(Math.min(symbolsOffset, blob.length)), names);
  for (let i = 0; i < n; i++) {
    const { ordinal, nameOffset } = chainedImport(r, importsOffset + i * size, format);
    const name = pool.get(nameOffset);
    if (name !== void 0) imports.add(name, libraryOf(ordinal));
  }
  if (n < count) partial.note(`chained imports truncated: ${n} of ${count} readable`);
}
function chainedImport(r, at, format) {
  if (format === 3) {
    const word2 = r.u32(at);
    const raw2 = word2 & 65535;
    return { ordinal: raw2 >= 65520 ? raw2 - 65536 : raw2, nameOffset: r.u32(at + 4) };
  }
  const word = r.u32(at);
  const raw = word & 255;
  return { ordinal: raw >= 240 ? raw - 256 : raw, nameOffset: word >>> 9 };
}
var BIND_OPCODE_DONE = 0;
var BIND_OPCODE_SET_DYLIB_ORDINAL_IMM = 16;
var BIND_OPCODE_SET_DYLIB_ORDINAL_ULEB = 32;
var BIND_OPCODE_SET_DYLIB_SPECIAL_IMM = 48;
var BIND_OPCODE_SET_SYMBOL_TRAILING_FLAGS_IMM = 64;
var BIND_OPCODE_SET_TYPE_IMM = 80;
var BIND_OPCODE_SET_ADDEND_SLEB = 96;
var BIND_OPCODE_SET_SEGMENT_AND_OFFSET_ULEB = 112;
var BIND_OPCODE_ADD_ADDR_ULEB = 128;
var BIND_OPCODE_DO_BIND = 144;
var BIND_OPCODE_DO_BIND_ADD_ADDR_ULEB = 160;
var BIND_OPCODE_DO_BIND_ADD_ADDR_IMM_SCALED = 176;
var BIND_OPCODE_DO_BIND_ULEB_TIMES_SKIPPING_ULEB = 192;
var BIND_OPCODE_THREADED = 208;
function readBindOpcodes({ src, partial }, streams, libraryOf, imports) {
  for (const s of streams) {
    if (s.size === 0) continue;
    const bytes = src.read(s.off, s.size);
    if (bytes.length === 0) partial.note("bind opcodes lie past the end of the file");
    else partial.guard(() => runBindStream(new ByteReader(bytes, true), s.lazy, libraryOf, imports));
  }
}
function runBindStream(r, lazy, libraryOf, imports) {
  const { buf } = r;
  const end = buf.length;
  const cur = { pos: 0 };
  let ordinal = 0;
  let symbol = "";
  while (cur.pos < end) {
    const byte = buf[cur.pos++];
    const op = byte & 240;
    const imm = byte & 15;
    switch (op) {
      case BIND_OPCODE_DONE:
        if (!lazy) return;
        break;
      case BIND_OPCODE_SET_DYLIB_ORDINAL_IMM:
        ordinal = imm;
        break;
      case BIND_OPCODE_SET_DYLIB_ORDINAL_ULEB:
        ordinal = uleb(buf, cur, end);
        break;
      case BIND_OPCODE_SET_DYLIB_SPECIAL_IMM:
        ordinal = imm === 0 ? 0 : imm - 16;
        break;
      case BIND_OPCODE_SET_SYMBOL_TRAILING_FLAGS_IMM:
        if (cur.pos >= end) throw new BinaryFormatError("bind opcodes truncated");
        symbol = r.cstring(cur.pos);
        cur.pos += symbol.length + 1;
        break;
      case BIND_OPCODE_SET_TYPE_IMM:
        break;
      case BIND_OPCODE_SET_ADDEND_SLEB:
      case BIND_OPCODE_SET_SEGMENT_AND_OFFSET_ULEB:
      case BIND_OPCODE_ADD_ADDR_ULEB:
        uleb(buf, cur, end);
        break;
      case BIND_OPCODE_DO_BIND:
      case BIND_OPCODE_DO_BIND_ADD_ADDR_IMM_SCALED:
        imports.add(symbol, libraryOf(ordinal));
        break;
      case BIND_OPCODE_DO_BIND_ADD_ADDR_ULEB:
        imports.add(symbol, libraryOf(ordinal));
        uleb(buf, cur, end);
        break;
      case BIND_OPCODE_DO_BIND_ULEB_TIMES_SKIPPING_ULEB:
        imports.add(symbol, libraryOf(ordinal));
        uleb(buf, cur, end);
        uleb(buf, cur, end);
        break;
      case BIND_OPCODE_THREADED:
        if (imm === 0) uleb(buf, cur, end);
        break;
      default:
        throw new BinaryFormatError(`unknown bind opcode 0x${byte.toString(16)}`);
    }
  }
}
function uleb(buf, cur, end) {
  let value = 0;
  let scale = 1;
  for (let n = 0; n < 10 && cur.pos < end; n++) {
    const byte = buf[cur.pos++];
    value += (byte & 127) * scale;
    scale *= 128;
    if ((byte & 128) === 0) break;
  }
  return value;
}
function archName2(cputype, cpusubtype) {
  const sub = cpusubtype & ~CPU_SUBTYPE_MASK;
  switch (cputype) {
    case CPU_TYPE_X86 | CPU_ARCH_ABI64:
      return sub === 8 ? "x86_64h" : "x86_64";
    case CPU_TYPE_X86:
      return "i386";
    case CPU_TYPE_ARM | CPU_ARCH_ABI64:
      return sub === 2 ? "arm64e" : "arm64";
    case CPU_TYPE_ARM | CPU_ARCH_ABI64_32:
      return "arm64_32";
    case CPU_TYPE_ARM:
      return ARM_SUBTYPES[sub] ?? "arm";
    case CPU_TYPE_POWERPC:
      return "ppc";
    case CPU_TYPE_POWERPC | CPU_ARCH_ABI64:
      return "ppc64";
    default:
      return `cpu-0x${(cputype >>> 0).toString(16)}`;
  }
}

// src/inspect/inspect-binary.ts
var MAX_SYMTAB_BYTES = 32 * 1024 * 1024;
var HEAD_BYTES = 4096;
function inspectBinary(file) {
  const opts = { keepDefined: isOutlinedRegion, keepDefinedContaining: OUTLINED_REGION_HINT, maxSymtabBytes: MAX_SYMTAB_BYTES };
  const images = withFile(file, (src) => {
    const head = src.read(0, HEAD_BYTES);
    if (isElf(head)) return [readElfFrom(src, opts)];
    if (isMachO(head)) return readMachOFrom(src, opts);
    throw new BinaryFormatError(`${file} is neither ELF nor Mach-O (PE/Windows DLLs are not read yet)`);
  });
  return images.map((i) => ({
    path: file,
    format: i.format,
    arch: i.arch,
    bits: i.bits,
    endian: i.endian,
    kind: i.kind,
    stripped: i.stripped,
    libraries: i.libraries,
    ...i.partial ? { partial: i.partial } : {},
    openmp: openmpEvidence(i)
  }));
}

export {
  __require,
  __commonJS,
  __export,
  __toESM,
  runtimeFamily,
  parallelPath,
  inspectBinary
};
