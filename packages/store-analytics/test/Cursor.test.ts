import { describe, expect, it } from "@effect/vitest"
import { CustomerId } from "@icash/domain"
import { Arbitrary, Effect, Encoding, FastCheck as fc, Schema } from "effect"
import { CursorPayload, decodeCursor, encodeCursor } from "../src/Cursor.js"

const positions = fc.tuple(
  fc.integer({ min: 1, max: 1_000_000 }),
  fc.integer({ min: 0, max: 1_000_000 }),
  Arbitrary.make(CustomerId)
).map(([min_purchases, more, user_id]) => ({ min_purchases, purchase_count: min_purchases + more, user_id }))

describe("loyal-customers cursors", () => {
  it("are written as Schema.encode(CursorPayload) writes them", () => {
    fc.assert(
      fc.property(positions, ({ min_purchases, ...after }) => {
        expect(encodeCursor(min_purchases, after)).toBe(
          Encoding.encodeBase64Url(
            Schema.encodeSync(CursorPayload)([min_purchases, after.purchase_count, after.user_id])
          )
        )
      }),
      { numRuns: 300, seed: 4 }
    )
  })

  it("read back as the position they were made of", () => {
    fc.assert(
      fc.property(positions, ({ min_purchases, ...after }) => {
        expect(Effect.runSync(decodeCursor(encodeCursor(min_purchases, after), min_purchases))).toEqual(after)
      }),
      { numRuns: 300, seed: 5 }
    )
  })
})
