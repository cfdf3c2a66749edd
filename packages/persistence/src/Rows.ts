import { type Cents, parseDecimalCents } from "@icash/domain"
import { Schema } from "effect"

/**
 * A PostgreSQL bigint/count as the driver returns it: node-postgres gives a string, PGlite a number.
 * Either way it becomes a JS number (safe: our ids and counts stay far below 2^53).
 */
export const Int8 = Schema.Union(Schema.Int, Schema.compose(Schema.NumberFromString, Schema.Int))

/** A timestamptz as the driver returns it (a JS Date), as an Effect DateTime in UTC. */
export const Timestamp = Schema.DateTimeUtcFromDate

/** A bigint/count column's value as either driver returns it (see Int8). */
export type Int8Value = string | number

/** Int8 without a Schema, for rows read on every request. */
export const int8 = (value: Int8Value): number => Number(value)

/** A numeric money column read as text, in cents; anything else is a defect. */
export const centsOf = (text: string): Cents => {
  const amount = parseDecimalCents(text)
  if (amount === undefined) throw new Error(`the database returned "${text}" as an amount of money`)
  return amount
}

/** The one row a statement returns; none is a defect. */
export const onlyRow = <A>(rows: ReadonlyArray<A>): A => {
  if (rows.length === 0) throw new Error("a statement that returns one row returned none")
  return rows[0]!
}
