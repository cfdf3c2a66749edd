/**
 * Lines gathered and handed to `sink` together, at most `maxDelayMs` after the first of them (or
 * sooner, once `maxBytes` are pending), instead of one write each. Under load a service logs a
 * line per request; at a steady trickle of requests, a synchronous write to stdout and an
 * asynchronous file write (a thread pool task) per line woke the process and a worker thread
 * several times per request.
 */
export interface LineBatch {
  readonly write: (line: string) => void
  /** Hands over what is pending now. */
  readonly flush: () => void
}

export interface LineBatchOptions {
  readonly maxDelayMs: number
  readonly maxBytes: number
}

export const DEFAULT_LINE_BATCH: LineBatchOptions = { maxDelayMs: 50, maxBytes: 64 * 1024 }

export const lineBatch = (sink: (text: string) => void, options: LineBatchOptions = DEFAULT_LINE_BATCH): LineBatch => {
  let pending: Array<string> = []
  let bytes = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    if (pending.length === 0) return
    const text = pending.join("\n") + "\n"
    pending = []
    bytes = 0
    sink(text)
  }
  const write = (line: string) => {
    pending.push(line)
    bytes += line.length
    if (bytes >= options.maxBytes) flush()
    // unref'd: pending lines never keep a process alive; its exit or its scope's close flushes them
    else if (timer === undefined) timer = setTimeout(flush, options.maxDelayMs).unref()
  }
  return { write, flush }
}
