import type * as core from '@actions/core'
import { jest } from '@jest/globals'

/** Typed mocks of @actions/core, as in actions/typescript-action's __fixtures__. */
export const debug = jest.fn<typeof core.debug>()
export const error = jest.fn<typeof core.error>()
export const info = jest.fn<typeof core.info>()
export const notice = jest.fn<typeof core.notice>()
export const warning = jest.fn<typeof core.warning>()
export const getInput = jest.fn<typeof core.getInput>()
export const setOutput = jest.fn<typeof core.setOutput>()
export const setFailed = jest.fn<typeof core.setFailed>()
// Used by @actions/cache, which main.ts loads for baselines.
export const isDebug = jest.fn<typeof core.isDebug>(() => false)
export const setSecret = jest.fn<typeof core.setSecret>()
export const group = jest.fn(async <T>(_name: string, fn: () => Promise<T>): Promise<T> => fn())

/** The summary builder records what was written. */
export const summaryText: string[] = []
export const summary = {
  addRaw: jest.fn((text: string) => {
    summaryText.push(text)
    return summary
  }),
  write: jest.fn(async () => summary)
}
