/**
 * macOS: torch's wheels bundle their own libomp (torch/lib/libomp.dylib,
 * and omp.h in torch/include since pytorch#114816). An extension that loads
 * another libomp (Homebrew's, conda's, a system one) puts a second copy of
 * the runtime in the process, and the second to start aborts with
 * "OMP: Error #15". Pure: file listings and Mach-O load commands in,
 * findings out.
 */
import type { BinaryImage } from '../inspect/binary-types.js'

/** torch's bundled OpenMP runtime and header, when its wheel ships them. */
export interface TorchOpenMP {
  /** Absolute path of torch/lib/libomp.dylib (or libiomp5.dylib in old Intel wheels); null when absent. */
  library: string | null
  /** torch/include when it holds omp.h; null otherwise (older wheels: pass Homebrew's omp.h with -I, but never link its libomp). */
  includeDir: string | null
  libDir: string
}

/** Finds torch's libomp and omp.h under its package folder. `exists` is injected (fs.existsSync in the action). */
export function torchOpenMP(torchDir: string, exists: (file: string) => boolean): TorchOpenMP {
  const libDir = `${torchDir.replace(/\/+$/, '')}/lib`
  const includeDir = `${torchDir.replace(/\/+$/, '')}/include`
  const library = ['libomp.dylib', 'libiomp5.dylib'].map(f => `${libDir}/${f}`).find(exists) ?? null
  return { library, includeDir: exists(`${includeDir}/omp.h`) ? includeDir : null, libDir }
}

const LIBOMP = /(^|\/)lib(omp|iomp5)(\.\d+)*\.dylib$/

export interface SecondLibomp {
  /** The extension's load command that names another libomp. */
  library: string
  /** Where that copy comes from, for people. */
  origin: string
  arch: string
  summary: string
  effect: string
  fix: string[]
}

function origin(lib: string): string {
  if (/^\/opt\/homebrew\/|^\/usr\/local\/(opt|Cellar)\//.test(lib)) return 'Homebrew'
  if (/\/(conda|miniconda\d?|anaconda\d?|miniforge\d?|mambaforge)\//i.test(lib) || /\/envs\/[^/]+\/lib\//.test(lib)) return 'conda'
  if (/^\/opt\/local\//.test(lib)) return 'MacPorts'
  if (/^@/.test(lib)) return 'a copy found through the rpath'
  return 'a copy outside torch'
}

/**
 * Finds load commands of a libomp that is not torch's. An install name of
 * @rpath/libomp.dylib is torch's own when the extension's rpath points at
 * torch/lib (the fix below makes sure it does); an absolute path outside
 * `torchLibDir` is a second runtime.
 */
export function findSecondLibomp(images: readonly Pick<BinaryImage, 'format' | 'arch' | 'libraries'>[], torch: TorchOpenMP | null): SecondLibomp[] {
  const out: SecondLibomp[] = []
  const libDir = torch?.libDir ?? '<torch>/lib'
  const inc = torch?.includeDir ?? '<torch>/include'
  for (const img of images) {
    if (img.format !== 'macho') continue
    for (const lib of img.libraries) {
      if (!LIBOMP.test(lib) || lib.startsWith('@rpath/') || lib.startsWith(`${libDir}/`)) continue
      out.push({
        library: lib,
        origin: origin(lib),
        arch: img.arch,
        summary: `The extension (${img.arch}) loads ${lib} (${origin(lib)}), a second OpenMP runtime next to torch's ${torch?.library ?? `${libDir}/libomp.dylib`}.`,
        effect:
          'Two copies of libomp in one process: the second to initialise aborts the process with "OMP: Error #15: Initializing libomp.dylib, but found libomp.dylib already initialized". ' +
          'Which copy starts first depends on import order, so the crash can come and go between scripts.',
        fix: [
          `Link torch's own runtime instead: compile with -Xpreprocessor -fopenmp -I${inc}, link with -L${libDir} -lomp -Wl,-rpath,${libDir} (its install name is @rpath/libomp.dylib, so the rpath must name torch/lib).`,
          `Take ${origin(lib) === 'Homebrew' ? "Homebrew's libomp folder (-L$(brew --prefix libomp)/lib)" : 'the other libomp folder'} off the link line and out of LDFLAGS; keep its omp.h only if torch's wheel ships none.`,
          'Or link no runtime (-undefined dynamic_lookup): the __kmpc_* calls then bind to the libomp torch has already loaded.'
        ]
      })
    }
  }
  return out
}
