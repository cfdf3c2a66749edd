import { CustomerId, InvalidCursor } from "@icash/domain"
import type { LoyalCustomersAfter } from "@icash/persistence"
import { Effect, Either, Encoding, Schema } from "effect"

/**
 * A loyal-customers cursor is the position after the last customer of a page, bound to the
 * min_purchases it was issued for, as base64url JSON. It is opaque to clients.
 */
const Count = Schema.Int.pipe(Schema.between(1, Number.MAX_SAFE_INTEGER))
export const CursorPayload = Schema.parseJson(Schema.Tuple(Count, Count, CustomerId))

/** What `Schema.encode(CursorPayload)` writes, by hand: it is made for every page (a test holds the two equal). */
export const encodeCursor = (min_purchases: number, after: LoyalCustomersAfter): string =>
  Encoding.encodeBase64Url(JSON.stringify([min_purchases, after.purchase_count, after.user_id]))

export const decodeCursor = (
  cursor: string,
  min_purchases: number
): Effect.Effect<LoyalCustomersAfter, InvalidCursor> =>
  Either.getRight(Encoding.decodeBase64UrlString(cursor)).pipe(
    Effect.flatMap(Schema.decodeUnknown(CursorPayload)),
    Effect.mapError(() => new InvalidCursor({ message: "cursor was not issued by this server" })),
    Effect.filterOrFail(
      ([issuedFor, purchase_count]) => issuedFor === min_purchases && purchase_count >= min_purchases,
      () => new InvalidCursor({ message: `cursor was not issued for min_purchases=${min_purchases}` })
    ),
    Effect.map(([, purchase_count, user_id]) => ({ purchase_count, user_id }))
  )
