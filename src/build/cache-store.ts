/**
 * Where files are kept between runs: the build cache's ccache folder and the
 * baseline reports (publish/baseline-store.ts) both go through this one
 * interface. The action uses @actions/cache; tests use a folder
 * (__fixtures__/directory-cache-store.ts). Both behave alike: entries are
 * immutable, and a restore tries the key, then each restore key as a prefix, newest first.
 *
 * It lives in build/, the first stage that uses it, so that publish/ can
 * import it too without an import against the flow.
 */
import * as cache from '@actions/cache'

export interface CacheStore {
  /** False where there is no cache service (a laptop, a GHES without cache): then nothing is saved or restored. */
  available(): boolean
  /** Restores `paths`; returns the key that matched, or undefined on a miss. */
  restore(paths: string[], key: string, restoreKeys: string[]): Promise<string | undefined>
  /** Saves `paths` under `key`; false when the service declined. An existing entry under the same key is kept (entries are immutable). */
  save(paths: string[], key: string): Promise<boolean>
}

/** The GitHub Actions cache service, through @actions/cache (needs the runner's ACTIONS_* variables). */
export function actionsCacheStore(): CacheStore {
  return {
    available: () => cache.isFeatureAvailable(),
    restore: (paths, key, restoreKeys) => cache.restoreCache(paths, key, restoreKeys),
    save: async (paths, key) => {
      try {
        // saveCache reports its own failures (as warnings) and returns -1.
        return (await cache.saveCache(paths, key)) !== -1
      } catch (e) {
        // Another job saved the same key first: the entry is there, which is all we need.
        if ((e as Error).name !== cache.ReserveCacheError.name) throw e
        return true
      }
    }
  }
}
