import { BinaryFormatError } from './binary-types.js'

/** Reasons kept per image: enough to say what broke without letting a hostile file grow the message. */
const MAX_REASONS = 8

/**
 * The readers' one partial-result convention: a step that meets damage
 * throws BinaryFormatError, `guard` turns that into a reason and lets the
 * read go on, and the image's `partial` lists the reasons. Anything else
 * thrown is a bug and propagates.
 */
export class PartialReasons {
  private readonly reasons: string[] = []

  /** Notes a reason the read is incomplete (once each). */
  note(reason: string): void {
    if (!this.reasons.includes(reason) && this.reasons.length < MAX_REASONS) this.reasons.push(reason)
  }

  /** Runs one step; a BinaryFormatError from it becomes a reason instead of failing the read. */
  guard<T>(step: () => T): T | undefined {
    try {
      return step()
    } catch (err) {
      if (err instanceof BinaryFormatError) {
        this.note(err.message)
        return undefined
      }
      throw err
    }
  }

  /** The image's `partial`: undefined when nothing was skipped. */
  text(): string | undefined {
    return this.reasons.length > 0 ? this.reasons.join('; ') : undefined
  }
}
