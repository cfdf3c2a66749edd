import type { Random } from "./Baskets.js"

/**
 * Share of purchases made by a customer the register has seen before: about 2 in 3, as in the
 * chain's history (1,243 purchases by 400 customers).
 */
export const RETURNING_SHARE = 0.68

/** How many recent purchases a returning customer is drawn from: regulars keep coming, others fade away. */
export const MEMORY = 10_000

/**
 * Who is at the till, as an ordinal: 0 is the register's first customer, 1 its second, ... A
 * returning customer is drawn from recent purchases, so whoever bought more often comes back more
 * often, and some customers become loyal (3 purchases or more) while most come once or twice.
 * What it draws depends only on `random`.
 */
export class CustomerBook {
  private customers = 0
  private visits = 0
  private readonly recent: Array<number> = []

  constructor(private readonly returningShare = RETURNING_SHARE, private readonly memory = MEMORY) {}

  /** The next customer: a new one (the next ordinal) or a returning one. */
  next(random: Random): number {
    const returning = this.recent.length > 0 && random.number() < this.returningShare
    const customer = returning ? this.recent[Math.floor(random.number() * this.recent.length)]! : this.customers++
    this.recent[this.visits++ % this.memory] = customer
    return customer
  }
}
