import type { BuildAudit } from '../build/audit.js'
import { buildCxx } from '../build/build.js'
import { patchBuildFile } from '../fix/build-file-fix.js'
import { partsToPatch } from '../fix/remediation.js'
import { lostOpenMP } from '../judge/binary-verdict.js'
import type { BinaryFinding } from '../judge/types.js'
import type { Report } from './types.js'

/** The patch for the build file, when a binary was compiled without OpenMP and the file is one we can patch. */
export async function remediation(workingDirectory: string, binaries: readonly BinaryFinding[], audit: BuildAudit | null): Promise<Report['remediation']> {
  if (!binaries.some(b => lostOpenMP(b.cause))) return null
  // The C++ compiler picks the flags; nvcc hands them to it.
  const compiler = await buildCxx(audit)
  // Diff paths are relative to the repository root, so `git apply` takes the patch there.
  const root = process.env.GITHUB_WORKSPACE || workingDirectory
  return patchBuildFile(workingDirectory, root, process.platform, compiler, partsToPatch(audit?.flagged ?? null))
}
