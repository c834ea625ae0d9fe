/** A check's error type; every stage may throw it, so it sits with the shared modules. */
export interface ErrorLocation {
  file: string
  line: number
  column?: number
  message: string
}

/** The check stopped before a verdict; the message says what to do. */
export class CheckError extends Error {
  constructor(
    message: string,
    /** Where GitHub should point (the compiler's first error). */
    readonly annotation: ErrorLocation | null = null,
    readonly details = ''
  ) {
    super(message)
    this.name = 'CheckError'
  }
}
