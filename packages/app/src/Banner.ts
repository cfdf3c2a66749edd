import { CashRegisterPort } from "@icash/cash-register"
import { describeDatabase } from "@icash/persistence"
import { portConfig } from "@icash/runtime"
import { StoreAnalyticsPort } from "@icash/store-analytics"
import { Console, Effect, Layer } from "effect"

/** Tells the person who ran `npm start` where everything is. */
export const BannerLive = Layer.effectDiscard(
  Effect.gen(function*() {
    const cashRegister = `http://localhost:${yield* portConfig(CashRegisterPort)}`
    const storeAnalytics = `http://localhost:${yield* portConfig(StoreAnalyticsPort)}`
    yield* Console.log(
      [
        "",
        "iCash is running (Ctrl-C stops it)",
        `  Cash Register     ${cashRegister}      API docs ${cashRegister}/docs`,
        `  Store Analytics   ${storeAnalytics}      API docs ${storeAnalytics}/docs`,
        `  Database          ${yield* describeDatabase}`,
        ""
      ].join("\n")
    )
  })
)
