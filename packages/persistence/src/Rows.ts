import { Schema } from "effect"

/**
 * A PostgreSQL bigint/count as the driver returns it: node-postgres gives a string, PGlite a number.
 * Either way it becomes a JS number (safe: our ids and counts stay far below 2^53).
 */
export const Int8 = Schema.Union(Schema.Int, Schema.compose(Schema.NumberFromString, Schema.Int))

/** A timestamptz as the driver returns it (a JS Date), as an Effect DateTime in UTC. */
export const Timestamp = Schema.DateTimeUtcFromDate
