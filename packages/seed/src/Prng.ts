/** A small seeded pseudo-random generator (mulberry32): the same seed gives the same data, always. */
export class Prng {
  private state: number

  constructor(seed: number) {
    this.state = seed >>> 0
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  /** An index drawn with the given (not necessarily normalised) weights. */
  weighted(weights: ReadonlyArray<number>): number {
    let point = this.next() * weights.reduce((sum, w) => sum + w, 0)
    for (let i = 0; i < weights.length; i++) {
      point -= weights[i]!
      if (point < 0) return i
    }
    return weights.length - 1
  }

  /** A random (version 4) UUID, from this generator rather than the system's randomness. */
  uuidV4(): string {
    const bytes = Array.from({ length: 16 }, () => this.int(0, 255))
    bytes[6] = (bytes[6]! & 0x0f) | 0x40
    bytes[8] = (bytes[8]! & 0x3f) | 0x80
    const hex = bytes.map((b) => b.toString(16).padStart(2, "0")).join("")
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }
}
