/**
 * The environment user code runs with (the build command, the measuring
 * workers, compiler and ccache probes, torch checks): ours without the
 * action's inputs. The runner hands every input to the action as INPUT_*,
 * the token included, and a build or workload has no business reading them.
 * ACTIONS_* stay: caching tools inside a build (sccache, ccache actions) use
 * the runtime URL and token they carry.
 */
export function userEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(env)) {
    // Windows names are case-insensitive, so match the prefix the same way.
    if (!/^INPUT_/i.test(name)) out[name] = value
  }
  return out
}
