/** Annotation position, as GitHub takes it. */
export interface AnnotationProps {
  title?: string
  file?: string
  startLine?: number
  startColumn?: number
}

/**
 * Where progress and annotations go. The action backs it with @actions/core,
 * the CLI with the terminal, tests with a recorder; the pipeline never
 * imports @actions/core itself so it runs the same in all three.
 */
export interface Log {
  info(message: string): void
  debug(message: string): void
  warning(message: string, props?: AnnotationProps): void
  error(message: string, props?: AnnotationProps): void
  notice(message: string, props?: AnnotationProps): void
  /** Runs fn inside a collapsible group (a plain heading in a terminal). */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>
}
